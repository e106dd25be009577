// Package readme holds the tests that keep the repository's README.md
// true for a newcomer: its first Go example builds and runs as pasted, and
// its install line and Go version agree with the module.
package readme

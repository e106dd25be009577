//go:build !linux

package api

import "fmt"

// inNetns runs open; a namespace path is refused (Netns refuses it
// first: there are no network namespaces outside Linux).
func inNetns[T any](path string, open func() (T, error)) (T, error) {
	if path != "" {
		var zero T
		return zero, fmt.Errorf("%w: network namespaces are Linux's", ErrNotSupported)
	}
	return open()
}

//go:build race

package api

// raceDetector: the race detector is on. Its cost per synchronisation
// grows with the number of goroutines, so tests with a thousand of them
// scale down.
const raceDetector = true

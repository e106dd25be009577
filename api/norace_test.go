//go:build !race

package api

// raceDetector: the race detector is on (see race_test.go).
const raceDetector = false

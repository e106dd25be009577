package webrtcgensctp

import "fmt"

// errMismatch says that message i (of n bytes) is not the one sent.
func errMismatch(i, n int) error {
	return fmt.Errorf("message %d (%d bytes) is not the one sent", i, n)
}

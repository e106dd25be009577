//go:build !linux && !darwin && !windows

package udpencap

import "net"

// DontFragmentSupported reports whether SetDontFragment reaches the
// packets here: not on this platform (see SetDontFragment's fallback).
const DontFragmentSupported = false

// setDontFragment does nothing here: SetDontFragment only remembers.
func setDontFragment(*net.UDPConn, bool, bool) error { return nil }

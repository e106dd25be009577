package udpencap

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

// RFC 6951 Section 5.5: "the SCTP stack MUST NOT rely on receiving ICMP or
// ICMPv6 messages". The read errors an operating system derives from ICMP
// (port or host unreachable: ECONNREFUSED, ECONNRESET, EHOSTUNREACH,
// ENETUNREACH, and their Winsock numbers, which Windows reports on UDP
// sockets) are recognised however they are wrapped, so that the reader
// counts them in Stats.ICMPErrors and carries on; other errors are not.
func TestICMPErrorClassification(t *testing.T) {
	wrap := func(e error) error {
		return &net.OpError{Op: "read", Net: "udp", Err: os.NewSyscallError("recvmsg", e)}
	}
	for _, tc := range []struct {
		err  error
		icmp bool
	}{
		{wrap(syscall.ECONNREFUSED), true},
		{wrap(syscall.ECONNRESET), true},
		{wrap(syscall.EHOSTUNREACH), true},
		{wrap(syscall.ENETUNREACH), true},
		{syscall.ECONNREFUSED, true},
		{wrap(syscall.EBADF), false},
		{wrap(syscall.EAGAIN), false},
		{net.ErrClosed, false},
		{io.EOF, false},
		{errors.New("other"), false},
	} {
		if got := isICMPError(tc.err); got != tc.icmp {
			t.Errorf("isICMPError(%v) = %v, want %v", tc.err, got, tc.icmp)
		}
	}
	if isTruncated(wrap(syscall.ECONNREFUSED)) || !isTruncated(io.ErrShortBuffer) || !isTruncated(wrap(syscall.EMSGSIZE)) {
		t.Error("isTruncated")
	}
}

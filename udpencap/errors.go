package udpencap

import (
	"errors"
	"io"
	"syscall"
)

// isICMPError reports whether err is a read error that the operating
// system derived from an ICMP or ICMPv6 message. RFC 6951 Section 5.5:
// "the SCTP stack MUST NOT rely on receiving ICMP or ICMPv6 messages", so
// these are counted and ignored.
func isICMPError(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	switch errno {
	case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EHOSTUNREACH, syscall.ENETUNREACH:
		return true
	}
	return isICMPErrno(errno)
}

// isTruncated reports whether err says a datagram did not fit the buffer.
func isTruncated(err error) bool {
	if errors.Is(err, io.ErrShortBuffer) {
		return true
	}
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == syscall.EMSGSIZE || isMsgSizeErrno(errno))
}

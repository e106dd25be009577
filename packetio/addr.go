package packetio

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
)

// addrPortOf returns the IP address and port of a, unmapped: without
// allocating for the addresses of package net (UDP, TCP, IP), through
// the "host:port" form of String for the others. ok is false when a is
// not an IP address.
func addrPortOf(a net.Addr) (ap netip.AddrPort, ok bool) {
	switch a := a.(type) {
	case nil:
		return ap, false
	case *net.UDPAddr:
		ap = a.AddrPort()
	case *net.TCPAddr:
		ap = a.AddrPort()
	case *net.IPAddr:
		if a != nil {
			ip, _ := netip.AddrFromSlice(a.IP)
			ap = netip.AddrPortFrom(ip.WithZone(a.Zone), 0)
		}
	default:
		ap, _ = netip.ParseAddrPort(a.String())
	}
	if !ap.Addr().IsValid() {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
}

// terminal reports whether err, from a read or write of the net.Conn or
// net.PacketConn below a transport, means that it will carry nothing
// more: it is closed (net.ErrClosed, io.ErrClosedPipe, or an error with
// net.ErrClosed's text, see closedText), or its peer closed it (io.EOF).
func terminal(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) ||
		err != nil && strings.Contains(err.Error(), closedText)
}

// closedText is the text of net.ErrClosed, "use of closed network
// connection". Connections of other packages report their closing with
// an error of their own that only has this text: pion's vnet UDPConn
// (the virtual network of pion/transport), its netctx and connctx
// wrappers. Matching the text is the only way to tell that such a
// connection is closed, rather than failing for a while: without it a
// reader would read it again for ever.
var closedText = net.ErrClosed.Error()

// closedError returns err as an error satisfying errors.Is(err,
// net.ErrClosed), the error of a closed Transport, keeping err's cause.
func closedError(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return err
	}
	return fmt.Errorf("%w: %w", net.ErrClosed, err)
}

// DefaultBufferSize is the largest packet the adapters of this package
// read: any datagram fits.
const DefaultBufferSize = 1 << 16

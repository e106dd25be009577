package api

import (
	"context"
	"net"
	"net/netip"
	"time"
)

// Listener is a listening one-to-one (Stream) socket used as a
// net.Listener, as returned by Listen: an addition to gen_sctp. Accept
// returns each association the socket sets up as a Conn. It is safe for
// concurrent use.
type Listener struct {
	s       *Socket
	network string
	addr    *Addr
}

var _ net.Listener = (*Listener)(nil)

// Listen opens a one-to-one (Stream) socket on address and makes it
// listen, like net.Listen: an addition to gen_sctp. network is "sctp",
// "sctp4" or "sctp6"; address is "host:port" with an IP literal or a
// host name, or ":port" for the wildcard, port the SCTP port (0 for a
// free one). A name is resolved as Dial does (the Resolver option; IPv4
// addresses for sctp4, IPv6 for sctp6, both for sctp, IPv6 first) and
// the socket binds every address it resolves to (repeated IP options,
// multihoming). opts are the options of Open; the local UDP encapsulation
// port is LocalUDPPort (default 9899, 0 for an ephemeral one: dialers
// need it, see Addr). Type and Active are overridden: the socket is
// Stream and passive; accepted Conns inherit its options. The backlog is
// endpoint.DefaultBacklog (see ListenBacklog).
//
// Errors are *net.OpError with Op "listen" wrapping
// net.UnknownNetworkError, ErrBadAddress or an *Error from the
// resolution (reason nxdomain, wrapping ErrNXDomain and the
// *net.DNSError) or Open (reason eaddrinuse for a taken SCTP or UDP
// port).
func Listen(network, address string, opts ...Option) (*Listener, error) {
	return ListenContext(context.Background(), network, address, opts...)
}

// ListenContext is Listen with a context that bounds the resolution of
// a host name.
func ListenContext(ctx context.Context, network, address string, opts ...Option) (*Listener, error) {
	ip, name, port, err := parseAddr(network, address, true)
	var ips []netip.Addr
	if err == nil && name != "" {
		if ips, err = resolveAddr(ctx, "listen", network, name, opts); err == nil {
			ip = ips[0]
		}
	}
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	all := make([]Option, 0, len(opts)+len(ips)+5)
	if ips == nil && ip.IsValid() {
		all = append(all, IP(ip))
	}
	for _, a := range ips {
		all = append(all, IP(a))
	}
	if network == "sctp6" || ip.Is6() {
		all = append(all, Inet6())
	}
	all = append(all, Port(port))
	all = append(all, opts...)
	all = append(all, Type(Stream), Active(ActiveFalse))
	laddr := &Addr{IP: ip, Port: port}
	s, err := Open(all...)
	if err == nil {
		if err = s.Listen(true); err != nil {
			_ = s.Close()
		}
	}
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Source: laddr, Err: err}
	}
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
		if network == "sctp6" {
			ip = netip.IPv6Unspecified()
		}
	}
	l := &Listener{s: s, network: network, addr: &Addr{IP: ip, Port: s.Port(), UDPPort: s.UDPPort()}}
	if ips, err := s.SockNames(0); err == nil && len(ips) == 1 {
		l.addr.IP = ips[0].Addr()
	}
	return l, nil
}

// Accept waits for the next association and returns it as a Conn (a
// *Conn): net.Listener's Accept. It fails with an error wrapping
// net.ErrClosed once the listener is closed, or os.ErrDeadlineExceeded
// after the deadline (SetDeadline).
func (l *Listener) Accept() (net.Conn, error) { return l.AcceptSCTP(context.Background()) }

// AcceptSCTP is Accept returning the *Conn, with a context that bounds
// the wait.
func (l *Listener) AcceptSCTP(ctx context.Context) (*Conn, error) {
	if l.Socket() == nil {
		return nil, &net.OpError{Op: "accept", Net: "sctp", Err: nilSocketError("accept")}
	}
	s, err := l.s.Accept(ctx)
	if err != nil {
		return nil, &net.OpError{Op: "accept", Net: l.network, Addr: l.addr, Err: err}
	}
	return newConn(s, l.network), nil
}

// SetDeadline sets the deadline of Accept; the zero time means none.
func (l *Listener) SetDeadline(t time.Time) error { return l.Socket().SetReadDeadline(t) }

// Addr returns the listening address (an *Addr, with the UDP
// encapsulation port dialers must use as RemoteUDPPort).
func (l *Listener) Addr() net.Addr {
	if l == nil || l.addr == nil {
		return nil
	}
	return l.addr
}

// Socket returns the listening socket, for its options and status.
func (l *Listener) Socket() *Socket {
	if l == nil {
		return nil
	}
	return l.s
}

// Close stops listening and closes the socket: pending Accepts fail with
// net.ErrClosed; associations set up but not accepted yet are shut down
// (see Socket.Close); accepted Conns are not affected.
func (l *Listener) Close() error { return l.Socket().Close() }

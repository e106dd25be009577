package api

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
)

// Addr is the address of an SCTP endpoint as a net.Addr: an IP and an
// SCTP port, plus the UDP encapsulation port (RFC 6951) that packets to
// the endpoint go to. It is what Conn.LocalAddr, Conn.RemoteAddr and
// Listener.Addr return. For a multihomed association it is the primary
// path (see Socket.PeerNames and Socket.SockNames for every address).
type Addr struct {
	// IP is the IP address; the unspecified address for a wildcard bind.
	IP netip.Addr
	// Port is the SCTP port.
	Port uint16
	// UDPPort is the UDP encapsulation port, 0 if unknown. A dialer
	// passes a listener's to Dial as RemoteUDPPort(addr.UDPPort).
	UDPPort int
}

// Network returns "sctp".
func (a *Addr) Network() string { return "sctp" }

// String returns "IP:port" (IPv6 in brackets), the form Dial and Listen
// take; the UDP port is not part of it.
func (a *Addr) String() string {
	if a == nil {
		return "<nil>"
	}
	if !a.IP.IsValid() {
		return ":" + strconv.Itoa(int(a.Port))
	}
	return netip.AddrPortFrom(a.IP, a.Port).String()
}

// AddrPort returns the IP and the SCTP port.
func (a *Addr) AddrPort() netip.AddrPort { return netip.AddrPortFrom(a.IP, a.Port) }

var _ net.Addr = (*Addr)(nil)

// Errors of Dial and Listen addresses, wrapped in a *net.OpError.
var (
	// ErrBadAddress: the address is not "host:port" with a decimal port,
	// or an IP literal host does not suit the network.
	ErrBadAddress = errors.New("sctp: bad address")
)

// parseAddr parses "host:port" for network ("sctp", "sctp4" or "sctp6").
// host is an IP literal, returned as ip, or a name, returned as name for
// resolveAddr. An empty host is allowed (wildcard) only when wildcard is
// true; both are then zero.
func parseAddr(network, address string, wildcard bool) (ip netip.Addr, name string, port uint16, err error) {
	switch network {
	case "sctp", "sctp4", "sctp6":
	default:
		return netip.Addr{}, "", 0, net.UnknownNetworkError(network)
	}
	host, ps, err := net.SplitHostPort(address)
	if err != nil {
		return netip.Addr{}, "", 0, joinErrors(ErrBadAddress, err)
	}
	p, err := strconv.ParseUint(ps, 10, 16)
	if err != nil {
		return netip.Addr{}, "", 0, joinErrors(ErrBadAddress, err)
	}
	if host == "" {
		if !wildcard {
			return netip.Addr{}, "", 0, joinErrors(ErrBadAddress, errors.New("missing host"))
		}
		return netip.Addr{}, "", uint16(p), nil
	}
	ip, err = netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, host, uint16(p), nil
	}
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if network == "sctp4" && !ip.Is4() || network == "sctp6" && !ip.Is6() {
		return netip.Addr{}, "", 0, joinErrors(ErrBadAddress, errors.New("address family does not suit "+network))
	}
	return ip, "", uint16(p), nil
}

// resolveAddr returns the addresses of the host name of a Dial or Listen
// address for network, by the Resolver option of opts (see
// LookupAddrs). Errors are *Error for op.
func resolveAddr(ctx context.Context, op, network, name string, opts []Option) ([]netip.Addr, error) {
	ips, err := lookupHosts(ctx, resolverOf(opts), lookupNetworkOf(network), []string{name})
	return ips, opError(op, 0, -1, err)
}

// lookupNetworkOf returns the network of net.Resolver.LookupNetIP for
// the network of Dial and Listen.
func lookupNetworkOf(network string) string {
	switch network {
	case "sctp4":
		return "ip4"
	case "sctp6":
		return "ip6"
	}
	return "ip"
}

// LookupAddrs returns the addresses of hosts, IP literals or host names,
// as Dial and Listen resolve the host of their address for network
// ("sctp", "sctp4" or "sctp6"), an addition to gen_sctp for callers that
// open the socket themselves: a literal as it is; a name by r (nil:
// net.DefaultResolver) within ctx, to its IPv4 addresses for sctp4, its
// IPv6 ones for sctp6, both for sctp, IPv6 first; without duplicates.
// Errors are *Error with Op "lookup": reason nxdomain (ErrNXDomain and
// the *net.DNSError) for a name that does not resolve, timeout or
// ecanceled when ctx ends, einval for another network.
func LookupAddrs(ctx context.Context, r *net.Resolver, network string, hosts ...string) ([]netip.Addr, error) {
	switch network {
	case "sctp", "sctp4", "sctp6":
	default:
		return nil, opError("lookup", 0, -1, net.UnknownNetworkError(network))
	}
	ips, err := lookupHosts(ctx, r, lookupNetworkOf(network), hosts)
	return ips, opError("lookup", 0, -1, err)
}

// Dial sets up an association with the SCTP endpoint at address and
// returns it as a net.Conn (see Conn), like net.Dial: an addition to
// gen_sctp. network is "sctp", "sctp4" or "sctp6"; address is
// "host:port" ("[IPv6]:port") where host is an IP literal or a host
// name and port the peer's SCTP port (decimal, no service names). A name
// is resolved within ctx by the Resolver option (default
// net.DefaultResolver) to its IPv4 addresses for sctp4, its IPv6 ones
// for sctp6, both for sctp, and the association gets them all, IPv6
// first (gen_sctp connectx_init): the INIT goes to the first, its
// retransmissions to the next ones in turn, and the address that answers
// is the primary path. An IP literal is used as it is.
//
// It opens a one-to-one (Stream) socket with opts, connects it and waits
// for comm_up, or until ctx ends. opts are the options of Open: the peer's
// UDP encapsulation port is RemoteUDPPort (default 9899, use a listener's
// Addr().UDPPort), the local one LocalUDPPort, which Dial defaults to 0
// (an ephemeral UDP port, as for clients of the sctp command) rather than
// Open's 9899; IP binds local addresses (default: the wildcard of the
// peer's family; an inet6 socket when the peer has an IPv6 address).
// Type and Active are overridden: the socket is Stream and
// passive, as Conn reads it. Writes use the stream and PPID of the
// SCTPDefaultSendParam option (default stream 0, PPID 0).
//
// Errors are *net.OpError with Op "dial" wrapping the package's errors:
// net.UnknownNetworkError, ErrBadAddress, or an *Error from the
// resolution (reason nxdomain for a name that does not resolve, wrapping
// ErrNXDomain and the *net.DNSError), Open or Connect: reason cant_assoc
// wrapping ErrConnRefused when the peer refuses (errors.Is(err,
// syscall.ECONNREFUSED): nothing listens on that SCTP port), reason
// timeout when ctx's deadline passes, or cant_assoc wrapping ErrNoAnswer
// when the INITs are exhausted; a Dial that got no answer at all wraps a
// *NoAnswerError naming the UDP port the INITs went to (a wrong
// RemoteUDPPort is the usual cause), and its Timeout is true.
func Dial(ctx context.Context, network, address string, opts ...Option) (*Conn, error) {
	ip, name, port, err := parseAddr(network, address, false)
	if err == nil && port == 0 {
		err = joinErrors(ErrBadAddress, errors.New("port 0"))
	}
	var ips []netip.Addr
	if err == nil && name != "" {
		if ips, err = resolveAddr(ctx, "connect", network, name, opts); err == nil {
			ip = ips[0]
		}
	}
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	raddr := &Addr{IP: ip, Port: port}
	all := make([]Option, 0, len(opts)+4)
	if !hasTransport(opts) {
		all = append(all, LocalUDPPort(0))
	}
	if ip.Is6() {
		all = append(all, Inet6())
	}
	all = append(all, opts...)
	all = append(all, Type(Stream), Active(ActiveFalse))
	s, err := Open(all...)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Addr: raddr, Err: err}
	}
	if ips != nil {
		_, err = s.ConnectAddrs(ctx, ips, port)
	} else {
		_, err = s.Connect(ctx, ip, port)
	}
	if err != nil {
		_ = s.SetOpts(Linger(true, 0)) // abort what the attempt left
		_ = s.Close()
		return nil, &net.OpError{Op: "dial", Net: network, Addr: raddr, Err: err}
	}
	return newConn(s, network), nil
}

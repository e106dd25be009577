package api

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"

	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/udpencap"
)

// This file holds what lets a socket run over a packet transport other
// than UDP sockets of its own: the options that name the transport, the
// checks of the options that need UDP, and the capabilities found on the
// transport.

// Errors of sockets over a transport of the user's (OverTransport,
// OverPacketConn, OverConn).
var (
	// ErrTransportUnsupported: the option or operation needs what the
	// socket's packet transport does not have: a UDP socket of its own
	// (LocalUDPPort, IP, Network, Netns), IP-level options or IP header
	// fields of received packets (tos, recvtos, ...), or several peer
	// addresses on a connected transport (no multihoming, RFC 8261
	// Section 6.1). It is also ErrNotSupported (reason enotsup; badarg
	// from Open, with ErrInvalidOption).
	ErrTransportUnsupported = fmt.Errorf("%w by the socket's packet transport", ErrNotSupported)
	// ErrTransportClosed: the packet transport closed under the socket
	// (its net.Conn was closed, or its peer closed it): every association
	// on it ended. It is the Err of their comm_lost or cant_assoc
	// AssocChange, wrapping the transport's own error (io.EOF when the
	// peer closed a connected transport, net.ErrClosed when it was
	// closed here); a Conn's Read returns it (errors.Is).
	ErrTransportClosed = stack.ErrTransportClosed
)

// userTransport is a packet transport given by the user, and the value
// sockets share its stack by: what the user named (the transport, the
// net.PacketConn or the net.Conn).
type userTransport struct {
	t   packetio.Transport
	key any
}

// transportOption is the option of a transport of the user's.
const transportOption = "transport"

// OverTransport opens the socket on the packet transport t instead of
// UDP sockets of its own: an addition to gen_sctp, for SCTP over
// anything that carries packets (a DTLS connection, RFC 8261; an
// in-memory pipe; see package packetio). Sockets opened over the same t
// share it (one stack, one reader), each with its own SCTP port; the
// last one to close closes t (so does an Open that fails after starting
// the stack on t; one refused for its options leaves t alone). A t that
// implements packetio.Connected
// (one peer) gets the rules of OverConn. t's dynamic type must be
// comparable (a pointer). Open-only.
//
// A socket over a transport of the user's has no UDP port of its own:
// LocalUDPPort, IP (other than the wildcard), IfAddr, Network and Netns
// are refused with ErrTransportUnsupported, as are the IP-level options
// (tos, tclass, ttl, dontroute, priority, bind_to_device) and recvtos,
// recvtclass and recvttl unless t implements them (a udpencap.Conn does;
// packetio.IPReporter for the latter). UDPPort is 0 unless t has a
// Port() int method; SockNames reports t's LocalAddrs.
func OverTransport(t packetio.Transport) Option {
	return userTransportOption(t, func() packetio.Transport { return t })
}

// OverPacketConn opens the socket on pc, a UDP socket of the caller's or
// any net.PacketConn with IP addresses, through packetio.NewPacketConn: as
// with UDP encapsulation, a peer's UDP port is the source port of its
// packets (RFC 6951 Section 5.4) and RemoteUDPPort says where Connect
// sends. Sockets opened over the same pc share it; the last one to close
// closes pc. UDPPort is pc's UDP port. The rest is as for OverTransport.
// An addition to gen_sctp. Open-only.
func OverPacketConn(pc net.PacketConn) Option {
	return userTransportOption(pc, func() packetio.Transport { return packetio.NewPacketConn(pc) })
}

// OverConn opens the socket on c, a connected net.Conn that carries one
// SCTP packet per Read and per Write (a DTLS connection, RFC 8261),
// through packetio.NewConn. Its associations are single-homed: they list
// no addresses in INIT and INIT ACK (RFC 8261 Section 6.1), and Connect
// takes one address, the unspecified address or the transport's peer
// address (c's RemoteAddr when it is an IP address, see packetio.NewConn),
// else it fails with ErrTransportUnsupported; RemoteUDPPort and
// RemoteUDPPortFor are refused too. Several associations may share c if
// their SCTP ports differ (RFC 8261 Section 6.1). Sockets opened over the
// same c share it; the last one to close closes c, and when c closes
// under them (its peer closed it, for example) their associations end
// with ErrTransportClosed. UDPPort is 0. c's writes must not wait for the
// peer to read (see packetio.Conn): net.Pipe does not fit, the pipe of
// package packetio/packetiotest does. The rest is as for OverTransport.
// For a DTLS connection, OverDTLS adds the defaults of SCTP over DTLS
// and the zero checksum. An addition to gen_sctp. Open-only.
func OverConn(c net.Conn) Option {
	return userTransportOption(c, func() packetio.Transport { return packetio.NewConn(c) })
}

// userTransportOption is the option of a transport of the user's named
// by key and made by mk.
func userTransportOption(key any, mk func() packetio.Transport) Option {
	return Option{name: transportOption, openOnly: true, apply: func(c *optCtx) error {
		switch {
		case key == nil || reflect.ValueOf(key).Kind() == reflect.Pointer && reflect.ValueOf(key).IsNil():
			return errors.New("no transport")
		case !reflect.TypeOf(key).Comparable():
			return fmt.Errorf("a transport of the non-comparable type %T", key)
		case c.st.transport != nil:
			return errors.New("a second transport")
		}
		c.st.transport = &userTransport{t: mk(), key: key}
		return nil
	}}
}

// hasTransport reports whether opts name a transport of the user's.
func hasTransport(opts []Option) bool {
	for _, o := range opts {
		if o.name == transportOption {
			return true
		}
	}
	return false
}

// unsupported is the error of an option the transport cannot carry out.
func unsupported(what string) error { return fmt.Errorf("%w: %s", ErrTransportUnsupported, what) }

// checkTransport refuses, on a transport of the user's, the open-only
// options that need UDP sockets of the socket's own, and the socket
// options the transport cannot carry out.
func (st *settings) checkTransport() error {
	ut := st.transport
	if ut == nil {
		return st.checkZeroChecksum(nil)
	}
	_, connected := ut.t.(packetio.Connected)
	switch {
	case st.localUDPPortSet:
		return unsupported("local_udp_port")
	case st.net != nil:
		return unsupported("network")
	case st.netns != "":
		return unsupported("netns")
	case connected && st.remoteUDPPortSet:
		return unsupported("remote_udp_port on a connected transport")
	}
	for _, a := range st.addrs {
		if !a.IsUnspecified() {
			return unsupported("ip " + a.String())
		}
	}
	return st.checkTransportOpts(ut.t)
}

// checkTransportOpts refuses the socket options that t cannot carry out.
func (st *settings) checkTransportOpts(t packetio.Transport) error {
	if err := st.checkZeroChecksum(t); err != nil {
		return err
	}
	// RFC 8261 Section 6.1: over DTLS "All SCTP associations are
	// single-homed"; a peer's Add IP Address would make another path.
	if _, ok := t.(packetio.Connected); ok && st.assoc.ASCONF {
		return unsupported("sctp_asconf_supported on a connected transport (RFC 8261 Section 6.1: single-homed)")
	}
	if _, ok := t.(ipOptioner); !ok && st.ipSet != 0 {
		return unsupported("IP-level options (tos, tclass, ttl, dontroute, priority, bind_to_device, the DF bit of pmtud_enable)")
	}
	if _, ok := t.(packetio.IPReporter); !ok && st.recvIPWanted() != 0 {
		return unsupported("recvtos, recvtclass, recvttl")
	}
	return nil
}

// ipOptioner is a transport with IP-level options: a udpencap.Conn.
type ipOptioner interface {
	IPOptions() udpencap.IPOptions
	SetTOS(tos int) error
	SetTrafficClass(tclass int) error
	SetTTL(ttl int) error
	SetDontRoute(on bool) error
	SetPriority(prio int) error
	SetBindToDevice(ifname string) error
	SetDontFragment(on bool) error
}

// ipGetter is the getter of an IP-level option: field of the transport's
// IP options.
func ipGetter(field func(o udpencap.IPOptions) any) getter {
	return func(s *Socket, _ OptionQuery) (any, error) {
		c, ok := s.stk.Transport().(ipOptioner)
		if !ok {
			return nil, unsupported("IP-level options")
		}
		return field(c.IPOptions()), nil
	}
}

// connectPeersLocked returns the peer addresses (with their UDP ports)
// of a Connect to addrs: over a connected transport its one peer, which
// addrs must name (the unspecified address or the peer's own).
func (s *Socket) connectPeersLocked(addrs []netip.Addr) ([]netip.AddrPort, error) {
	c, ok := s.stk.Transport().(packetio.Connected)
	if !ok {
		return s.st.peerAddrs(addrs), nil
	}
	peer := c.Peer()
	if len(addrs) != 1 {
		return nil, unsupported("several peer addresses on a connected transport (RFC 8261 Section 6.1: single-homed)")
	}
	if a := addrs[0].Unmap(); !a.IsUnspecified() && a != peer.Addr() {
		return nil, unsupported(fmt.Sprintf("peer %v on a connected transport to %v", a, peer.Addr()))
	}
	return []netip.AddrPort{peer}, nil
}

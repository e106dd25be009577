package api

import (
	"errors"
	"net/netip"

	"github.com/gensctp/gensctp/internal/stack"
)

// IP binds the socket to addr (gen_sctp {ip, IP}). Repeat it to bind
// several addresses (multihoming, RFC 9260 Section 6.4): every address
// gets a UDP socket on the same local UDP port, and associations list
// them in INIT and INIT ACK. netip.IPv4Unspecified() (or IPv6) is
// gen_sctp's any, the default. Open-only.
func IP(addr netip.Addr) Option {
	return Option{name: "ip", openOnly: true, apply: func(c *optCtx) error {
		if !addr.IsValid() {
			return errors.New("invalid address")
		}
		addr = addr.Unmap()
		for _, a := range c.st.addrs {
			if a == addr {
				return errors.New("address given twice")
			}
		}
		c.st.addrs = append(c.st.addrs, addr)
		return nil
	}}
}

// IfAddr is IP (gen_sctp {ifaddr, IP}).
func IfAddr(addr netip.Addr) Option {
	o := IP(addr)
	o.name = "ifaddr"
	return o
}

// Port sets the local SCTP port (gen_sctp {port, Port}); 0, the default,
// picks a free port (over DTLS the default is DTLSPort). Open-only.
func Port(p uint16) Option {
	return Option{name: "port", openOnly: true, apply: func(c *optCtx) error {
		c.st.port, c.st.portSet = p, true
		return nil
	}}
}

// Inet selects IPv4 (gen_sctp inet, the default). Open-only.
func Inet() Option { return familyOption(FamilyInet) }

// Inet6 selects IPv6 (gen_sctp inet6); IPv4 addresses remain usable.
// Without IP options the socket binds both wildcards. Open-only.
func Inet6() Option { return familyOption(FamilyInet6) }

func familyOption(f Family) Option {
	return Option{name: f.String(), openOnly: true, apply: func(c *optCtx) error {
		c.st.family, c.st.familySet = f, true
		return nil
	}}
}

// Type sets the socket type (gen_sctp {type, seqpacket | stream}):
// SeqPacket (one-to-many, the default) or Stream (one-to-one). Open-only.
func Type(t SocketType) Option {
	return Option{name: "type", openOnly: true, apply: func(c *optCtx) error {
		if t != SeqPacket && t != Stream {
			return badValue(t)
		}
		c.st.typ = t
		return nil
	}}
}

// LocalUDPPort sets the local UDP encapsulation port (RFC 6951 Section
// 5.1), an addition to gen_sctp: default 9899 (udpencap.DefaultPort), 0
// for an ephemeral port (a new one for each socket that asks for 0; later
// sockets may name it). All the sockets of a process opened on one UDP
// port share one SCTP stack, whatever their bound addresses (RFC 6951
// Section 5.1: "Each SCTP stack uses a single local UDP encapsulation
// port number as the destination port for all its incoming SCTP
// packets"): the wildcard (no IP or IfAddr option, or IfAddr(0.0.0.0) or
// [::] given explicitly), specific addresses, and both together, of
// either family. The rule is the kernel's for SCTP ports: sockets on one
// UDP port and one SCTP port (Port) must be bound to disjoint specific
// addresses; overlapping ones (an address in common, the wildcard and
// anything, or the wildcards of two sockets with a family in common) fail
// with ErrAddrInUse: an inet wildcard socket and an inet6 one with
// IPv6V6Only do not overlap. Each socket takes only the packets sent to
// its own addresses, on the wildcard those of its family (no IPv6 on
// inet, no IPv4 on inet6 with IPv6V6Only): an INIT to another address
// of the UDP port is out of the blue and refused. The UDP
// sockets of the port cover the addresses of all its SCTP sockets (one
// per specific address, and the wildcard of each family asked for, which
// on Linux and macOS covers that family's specific addresses by learning
// the destination of each packet, IP_PKTINFO) and stay bound while any of
// them is open (but for an address BindxRemove released); another process
// cannot take the port meanwhile. Open-only.
func LocalUDPPort(port int) Option {
	return Option{name: "local_udp_port", openOnly: true, apply: func(c *optCtx) error {
		if port < 0 || port > 65535 {
			return badValue(port)
		}
		c.st.localUDPPort, c.st.localUDPPortSet = port, true
		return nil
	}}
}

// Shards sets the number of shards of the socket's SCTP stack (its UDP
// port, or the transport of OverTransport and the others), an addition to
// gen_sctp: the associations of the port are spread over n cores of the
// sans-IO core, each with a lock, a timer and a reader of its own, so that
// associations of different shards are processed in parallel, on different
// CPU cores. A datagram goes to its shard by its verification tag (chosen
// by the shard), or, for INIT chunks, by a keyed hash of the peer's
// address and SCTP port. n is 1 to MaxShards; 0, the default, means one
// per CPU core the Go scheduler uses (GOMAXPROCS), at most 8, and 1 over a
// connected transport (OverConn), which has one peer; the environment
// variable GENSCTP_SHARDS, set to a number, replaces that default for
// every stack of the process. Sockets that share
// a UDP port share its stack: the first one to open it sets the shards,
// and a later one asking for another number fails with ErrInvalidOption.
// Open-only.
func Shards(n int) Option {
	return Option{name: "shards", openOnly: true, apply: func(c *optCtx) error {
		if n < 0 || n > MaxShards {
			return badValue(n)
		}
		c.st.shards = n
		return nil
	}}
}

// MaxShards bounds the Shards option.
const MaxShards = stack.MaxShards

// RemoteUDPPort sets the UDP encapsulation port of peers (1 to 65535,
// default 9899), used to reach the addresses given to Connect. Once
// packets arrive, an association uses the port they came from (RFC 6951
// Section 5.4). An addition to gen_sctp. Open-only.
func RemoteUDPPort(port int) Option {
	return Option{name: "remote_udp_port", openOnly: true, apply: func(c *optCtx) error {
		if port < 1 || port > 65535 {
			return badValue(port)
		}
		c.st.remoteUDPPort, c.st.remoteUDPPortSet = uint16(port), true
		return nil
	}}
}

// RemoteUDPPortFor sets the UDP encapsulation port of one peer address,
// overriding RemoteUDPPort for it. An addition to gen_sctp. Open-only.
func RemoteUDPPortFor(addr netip.Addr, port int) Option {
	return Option{name: "remote_udp_port", openOnly: true, apply: func(c *optCtx) error {
		if !addr.IsValid() {
			return errors.New("invalid address")
		}
		if port < 1 || port > 65535 {
			return badValue(port)
		}
		if c.st.remoteUDPPorts == nil {
			c.st.remoteUDPPorts = make(map[netip.Addr]uint16)
		}
		c.st.remoteUDPPorts[addr.Unmap()] = uint16(port)
		c.st.remoteUDPPortSet = true
		return nil
	}}
}

// checkOpen validates the open-only settings together and settles the
// family: an IPv6 address selects inet6 unless inet was asked for.
func (st *settings) checkOpen() error {
	for _, a := range st.addrs {
		if a.Is6() {
			if st.familySet && st.family == FamilyInet {
				return errors.New("an IPv6 address on an inet socket")
			}
			st.family = FamilyInet6
		}
	}
	switch {
	case st.mappedV4 && st.family == FamilyInet:
		return errMappedInet
	case st.assoc.Autoclose != 0 && st.typ == Stream:
		return errAutocloseStream
	case st.netns != "" && st.net != nil:
		return errNetnsNetwork
	}
	if err := st.checkTransport(); err != nil {
		return err
	}
	if st.v6only && st.family == FamilyInet6 {
		for _, a := range st.addrs {
			if a.Is4() {
				return errors.New("an IPv4 address on an ipv6_v6only socket")
			}
		}
	}
	// The associations list the specific local addresses.
	st.assoc.LocalAddrs = nil
	for _, a := range st.addrs {
		if !a.IsUnspecified() {
			st.assoc.LocalAddrs = append(st.assoc.LocalAddrs, a)
		}
	}
	return nil
}

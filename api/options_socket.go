package api

import (
	"errors"
	"fmt"
	"math"
)

// This file holds the socket-level options of inet:sctp_options/0: those
// of the driver (mode, buffer, the message queue watermarks) and those of
// the operating system's socket (reuseaddr, tos, ttl, ...). Over UDP
// encapsulation some of them cannot mean what they mean for a kernel SCTP
// socket; each says what it does here.

// DataMode is the value of the mode option.
type DataMode uint8

// The modes.
const (
	// ModeBinary: messages are binaries, a []byte (gen_sctp's default).
	ModeBinary DataMode = iota
	// ModeList: messages are lists of bytes; refused here (see Mode).
	ModeList
)

// String returns "binary" or "list".
func (m DataMode) String() string {
	if m == ModeList {
		return "list"
	}
	return "binary"
}

// Mode sets how messages are delivered (gen_sctp {mode, binary | list},
// default binary). In Go a message is always a []byte, which is what
// binary means; ModeList, an Erlang list of integers, has no Go
// counterpart, and is refused with ErrNotSupported (reason enotsup)
// rather than silently ignored.
func Mode(m DataMode) Option {
	return Option{name: "mode", apply: func(c *optCtx) error {
		switch m {
		case ModeBinary:
			c.st.mode = m
			return nil
		case ModeList:
			return fmt.Errorf("%w: mode list (messages are always []byte)", ErrNotSupported)
		}
		return badValue(m)
	}}
}

// DefaultBuffer is the default of the buffer option (gen_sctp's
// SCTP_DEF_BUFSZ).
const DefaultBuffer = 65536

// Buffer sets gen_sctp's user-level receive buffer (gen_sctp {buffer, N},
// at least 1, default 65536; Recbuf raises it to at least the receive
// buffer, as in gen_sctp). The value is kept and read back, and has no
// other effect: gen_sctp uses it as the size of one read from the kernel,
// and still delivers larger messages whole; here messages are delivered
// whole straight from the association, up to MaxMessageSize.
func Buffer(n int) Option {
	return Option{name: "buffer", apply: func(c *optCtx) error {
		if n < 1 {
			return badValue(n)
		}
		c.st.buffer = n
		return nil
	}}
}

// ReuseAddr is gen_sctp {reuseaddr, B} (SO_REUSEADDR, default false). The
// value is kept and read back, and has no effect: SCTP ports are a table
// of this process (a closed socket's port is free at once, there is no
// TIME-WAIT), and the UDP socket of a local UDP port is already shared by
// every socket of the process that names that port (LocalUDPPort).
func ReuseAddr(on bool) Option {
	return Option{name: "reuseaddr", apply: func(c *optCtx) error {
		c.st.reuseAddr = on
		return nil
	}}
}

// ReusePort is gen_sctp {reuseport, B} (SO_REUSEPORT, default false). The
// value is kept and read back, and is not passed to the UDP socket: a
// second process on the same UDP port would get part of the datagrams of
// this process's associations (the kernel spreads them by address, not
// by SCTP association), which breaks them.
func ReusePort(on bool) Option {
	return Option{name: "reuseport", apply: func(c *optCtx) error {
		c.st.reusePort = on
		return nil
	}}
}

// ReusePortLB is gen_sctp {reuseport_lb, B} (SO_REUSEPORT on Linux,
// SO_REUSEPORT_LB on FreeBSD: several sockets on one port with the
// incoming connections spread over them; default false). The value is
// kept and read back, and is not passed to the UDP socket, for the reason
// given at ReusePort: the kernel would spread the datagrams of one SCTP
// association over the processes sharing the UDP port.
func ReusePortLB(on bool) Option {
	return Option{name: "reuseport_lb", apply: func(c *optCtx) error {
		c.st.reusePortLB = on
		return nil
	}}
}

// ExclusiveAddrUse is gen_sctp {exclusiveaddruse, B} (Windows'
// SO_EXCLUSIVEADDRUSE: no other socket may bind the same address and
// port; default false). The value is kept and read back, and has no
// effect, on every platform: gen_sctp ignores it outside Windows, and
// here the SCTP ports are a table of this process, whose sockets never
// share one, and the UDP port is not opened for sharing (see ReusePort).
func ExclusiveAddrUse(on bool) Option {
	return Option{name: "exclusiveaddruse", apply: func(c *optCtx) error {
		c.st.exclusiveAddr = on
		return nil
	}}
}

// Debug is gen_sctp {debug, B} (default false), which turns on the debug
// printouts of the Erlang driver of the socket. The value is kept and
// read back, and has no other effect: gensctp logs through the
// LoggerFactory option (or pion's PION_LOG_* environment variables)
// instead, and its captures (Capture) and counters (Stats, AssocStats)
// serve for debugging too. As in gen_sctp, GetOpts returns it bare
// (OptionValue.Bare).
func Debug(on bool) Option {
	return Option{name: "debug", apply: func(c *optCtx) error {
		c.st.debug = on
		return nil
	}}
}

// DontRoute is gen_sctp {dontroute, B} (SO_DONTROUTE, default false), set
// on the UDP sockets on Linux; elsewhere it is kept without effect, as
// gen_sctp skips options a platform lacks. The UDP sockets of a local UDP
// port are shared by the sockets opened on it: the IP-level options
// (dontroute, priority, tos, tclass, ttl) are theirs too, and reading
// them returns the UDP sockets' current values.
func DontRoute(on bool) Option {
	return Option{name: "dontroute", apply: func(c *optCtx) error {
		c.setIP(ipDontRoute, func() { c.st.ip.DontRoute = on })
		return nil
	}}
}

// Priority is gen_sctp {priority, N} (SO_PRIORITY, 0 or more), set on
// the UDP sockets on Linux, where values above 6 need CAP_NET_ADMIN (the
// operating system's refusal is returned and nothing changes); elsewhere
// kept without effect. Shared with the sockets of the UDP port (see
// DontRoute).
func Priority(n int) Option {
	return Option{name: "priority", apply: func(c *optCtx) error {
		if n < 0 || n > math.MaxInt32 {
			return badValue(n)
		}
		c.setIP(ipPriority, func() { c.st.ip.Priority = n })
		return nil
	}}
}

// TOS is gen_sctp {tos, N} (IP_TOS, 0 to 255): the type of service (DSCP
// and ECN bits) of the IPv4 UDP datagrams. Shared with the sockets of the
// UDP port (see DontRoute).
func TOS(n int) Option {
	return Option{name: "tos", apply: func(c *optCtx) error {
		if n < 0 || n > 255 {
			return badValue(n)
		}
		c.setIP(ipTOS, func() { c.st.ip.TOS = n })
		return nil
	}}
}

// TClass is gen_sctp {tclass, N} (IPV6_TCLASS, 0 to 255): the traffic
// class of the IPv6 UDP datagrams. Shared with the sockets of the UDP
// port (see DontRoute).
func TClass(n int) Option {
	return Option{name: "tclass", apply: func(c *optCtx) error {
		if n < 0 || n > 255 {
			return badValue(n)
		}
		c.setIP(ipTClass, func() { c.st.ip.TrafficClass = n })
		return nil
	}}
}

// TTL is gen_sctp {ttl, N} (IP_TTL, 1 to 255): the time to live of the
// IPv4 UDP datagrams. Shared with the sockets of the UDP port (see
// DontRoute).
func TTL(n int) Option {
	return Option{name: "ttl", apply: func(c *optCtx) error {
		if n < 1 || n > 255 {
			return badValue(n)
		}
		c.setIP(ipTTL, func() { c.st.ip.TTL = n })
		return nil
	}}
}

// setIP records an IP-level option for the UDP sockets.
func (c *optCtx) setIP(bit ipMask, set func()) {
	set()
	c.st.ipSet |= bit
	c.ipChanged |= bit
}

// RecvTOS is gen_sctp {recvtos, B} (default false). While it is on, a
// message that came in an IPv4 UDP datagram carries that datagram's
// type-of-service byte as the {tos, V} ancillary item (Delivery.TOS,
// HasTOS); a message reassembled from several datagrams carries that of
// the one with its last DATA chunk. The UDP sockets report it on Linux
// (IP_RECVTOS, asked for while a socket of the UDP port has the option
// on); elsewhere, and on a virtual network, there is no item. Messages
// received before the option was set carry none.
func RecvTOS(on bool) Option {
	return Option{name: "recvtos", apply: func(c *optCtx) error {
		c.st.recvTOS = on
		return nil
	}}
}

// RecvTClass is gen_sctp {recvtclass, B} (default false): while it is
// on, a message that came in an IPv6 UDP datagram carries its traffic
// class as the {tclass, V} item (Delivery.TClass, HasTClass;
// IPV6_RECVTCLASS, Linux only, see RecvTOS).
func RecvTClass(on bool) Option {
	return Option{name: "recvtclass", apply: func(c *optCtx) error {
		c.st.recvTClass = on
		return nil
	}}
}

// RecvTTL is gen_sctp {recvttl, B} (default false): while it is on, a
// message carries the time to live of its IPv4 UDP datagram as the
// {ttl, V} item (Delivery.TTL, HasTTL; IP_RECVTTL, Linux only, see
// RecvTOS). An addition to gen_sctp, whose recvttl covers IPv4 only: for
// an IPv6 datagram the item is its hop limit (IPV6_RECVHOPLIMIT).
func RecvTTL(on bool) Option {
	return Option{name: "recvttl", apply: func(c *optCtx) error {
		c.st.recvTTL = on
		return nil
	}}
}

// errV6OnlyOpen: ipv6_v6only changed after Open.
var errV6OnlyOpen = errors.New("ipv6_v6only can only be changed at open")

// IPv6V6Only is gen_sctp {ipv6_v6only, B} (default false). On an inet6
// socket without IP options it binds the IPv6 wildcard only, and Connect
// refuses IPv4 peers (ErrNotSupported); with an IPv4 address among the IP
// options it is an error. On an inet socket it is kept without effect. As
// for the operating system's option, the value is fixed when the socket
// opens: SetOpts accepts only the current value.
func IPv6V6Only(on bool) Option {
	return Option{name: "ipv6_v6only", apply: func(c *optCtx) error {
		if c.mode != modeOpen && on != c.st.v6only {
			return errV6OnlyOpen
		}
		c.st.v6only = on
		return nil
	}}
}

// Defaults of the message queue watermarks (inet's).
const (
	DefaultHighMsgqWatermark = 8192
	DefaultLowMsgqWatermark  = 4096
)

// HighMsgqWatermark is gen_sctp {high_msgq_watermark, N} (at least 1,
// default 8192). The value is kept and read back, and has no effect: an
// Erlang port's message queue has no counterpart here, where the delivery
// channel (DefaultDeliveryBuffer deliveries) and the association's receive
// window bound what waits for the reader.
func HighMsgqWatermark(n int) Option {
	return Option{name: "high_msgq_watermark", apply: func(c *optCtx) error {
		if n < 1 || n > math.MaxInt32 {
			return badValue(n)
		}
		c.st.highMsgq = n
		return nil
	}}
}

// LowMsgqWatermark is gen_sctp {low_msgq_watermark, N} (at least 1,
// default 4096): kept and read back, no effect (see HighMsgqWatermark).
func LowMsgqWatermark(n int) Option {
	return Option{name: "low_msgq_watermark", apply: func(c *optCtx) error {
		if n < 1 || n > math.MaxInt32 {
			return badValue(n)
		}
		c.st.lowMsgq = n
		return nil
	}}
}

// Backlog bounds the associations a listening one-to-one (Stream) socket
// has set up and Accept has not taken yet (0, the default, means
// endpoint.DefaultBacklog, 5); beyond it a new peer's COOKIE ECHO is
// dropped and retransmitted until there is room. An addition to gen_sctp,
// whose listen/2 takes the backlog (see ListenBacklog); gen_tcp has the
// same option. One-to-many sockets keep it without effect.
func Backlog(n int) Option {
	return Option{name: "backlog", apply: func(c *optCtx) error {
		if n < 0 || n > math.MaxInt32 {
			return badValue(n)
		}
		c.st.backlog = n
		return nil
	}}
}

// LingerValue is the value of the linger option as GetOpts returns it.
type LingerValue struct {
	On      bool
	Seconds int
}

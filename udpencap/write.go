package udpencap

import (
	"net"
	"net/netip"

	"github.com/gensctp/gensctp/packetio"
)

// OutMessage is one datagram to send: [packetio.OutMessage]. Its To
// port is the peer's encapsulation port (RFC 6951 Section 5.3); the
// socket bound to its From address sends it, and an invalid or
// unspecified From, or one no socket is bound to, picks the first socket
// of To's address family.
type OutMessage = packetio.OutMessage

// WriteBatch sends msgs in order, each through the socket bound to its
// From address, and returns how many it handed to the kernel. Runs of
// messages for the same socket go out in batches of [Config].BatchSize
// with one system call per batch where the platform allows it. On error,
// n < len(msgs) and msgs[n] is the message that failed: the caller may
// drop it and retry from msgs[n+1:]. Errors are *net.OpError values;
// after Close they satisfy errors.Is(err, net.ErrClosed). ErrNoSocket
// reports a destination of an address family the Conn has no socket for.
// WriteBatch is safe for concurrent use and does not retain msgs.
func (c *Conn) WriteBatch(msgs []OutMessage) (int, error) {
	if c.closed.Load() {
		return 0, c.opError("write", net.ErrClosed)
	}
	if h := c.hook.Load(); h != nil {
		return c.writeHooked(*h, msgs)
	}
	i := 0
	for i < len(msgs) {
		s := c.sockFor(msgs[i].From, msgs[i].To.Addr())
		if s == nil {
			return i, c.opError("write", ErrNoSocket)
		}
		j := i + 1
		for j < len(msgs) && j-i < c.batchSize && c.sockFor(msgs[j].From, msgs[j].To.Addr()) == s {
			j++
		}
		n, err := s.write(msgs[i:j])
		i += n
		if err != nil {
			return i, c.opError("write", s.unboundErr(err))
		}
	}
	return len(msgs), nil
}

// WriteTo sends one datagram b to to from the local address from, as
// [Conn.WriteBatch] does for one message. It does not retain b.
func (c *Conn) WriteTo(b []byte, to netip.AddrPort, from netip.Addr) error {
	if c.closed.Load() {
		return c.opError("write", net.ErrClosed)
	}
	m := OutMessage{Data: b, To: to, From: from}
	if h := c.hook.Load(); h != nil {
		_, err := c.writeHooked(*h, []OutMessage{m})
		return err
	}
	s := c.sockFor(from, to.Addr())
	if s == nil {
		return c.opError("write", ErrNoSocket)
	}
	if err := s.writeOne(&m); err != nil {
		return c.opError("write", s.unboundErr(err))
	}
	return nil
}

// sockFor returns the socket that sends a datagram from the local
// address from to to: the socket bound to from; else a wildcard socket of
// to's address family (which sets from as the source where the platform
// can, see socket.sourced, and lets the kernel pick one otherwise); else
// the first socket of that family; or nil if there is none.
func (c *Conn) sockFor(from, to netip.Addr) *socket {
	socks := c.sockets()
	if len(socks) == 1 {
		return socks[0]
	}
	from = from.Unmap()
	to4 := to.Unmap().Is4()
	var first, wild *socket
	for _, s := range socks {
		if from.IsValid() && s.local.Addr() == from {
			return s
		}
		if s.is4 != to4 {
			continue
		}
		if first == nil {
			first = s
		}
		if s.wild && wild == nil {
			wild = s
		}
	}
	if wild != nil {
		return wild
	}
	return first
}

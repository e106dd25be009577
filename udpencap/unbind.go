package udpencap

import (
	"errors"
	"net"
	"net/netip"
	"slices"
)

// errUnbound is the error of a write through a socket that Unbind closed
// under it (chosen before): that datagram is lost, but the Conn is not
// closed, so the error must not be taken for net.ErrClosed.
var errUnbound = errors.New("udpencap: the socket of the source address was unbound")

// unboundErr returns errUnbound for an error of s once Unbind closed it.
func (s *socket) unboundErr(err error) error {
	if s.unbound.Load() {
		return errUnbound
	}
	return err
}

// Unbind closes the sockets of the Conn bound to the specific addresses
// addrs (for an address with a group of sockets, see [Config].Queues,
// every member), so that the address's port is free again for other
// sockets and processes, and [Conn.Bind] opens it anew. The Conn no
// longer receives on those addresses, and sends from them through a
// wildcard socket of their family if it has one (see [Conn.WriteBatch]).
// The reader goroutine of each socket ends quietly: the read that fails
// because of the close is not reported by [Conn.ReadBatch]. Unspecified
// addresses and addresses no socket is bound to are skipped: the
// wildcard sockets stay until [Conn.Close]. Unbind is safe for
// concurrent use; it does not wait for the readers to end (Close does).
func (c *Conn) Unbind(addrs []netip.Addr) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() {
		return c.opError("unbind", net.ErrClosed)
	}
	gone := func(s *socket) bool {
		return !s.wild && slices.Contains(addrs, s.local.Addr())
	}
	var closing []*socket
	for _, s := range slices.Concat(c.sockets(), c.group) {
		if gone(s) {
			closing = append(closing, s)
		}
	}
	if len(closing) == 0 {
		return nil
	}
	// ipmu: the IP option setters walk the sockets and the groups.
	c.ipmu.Lock()
	socks := slices.DeleteFunc(slices.Clone(c.sockets()), gone)
	c.socks.Store(&socks)
	c.group = slices.DeleteFunc(slices.Clone(c.group), gone)
	c.ipmu.Unlock()
	var err error
	for _, s := range closing {
		// Marked before the close, so that its reader takes the failed
		// read for the end it is.
		s.unbound.Store(true)
		if e := s.uc.Close(); e != nil && err == nil {
			err = c.opError("close", e)
		}
		c.pool.Grow(-2 * s.nbuf)
	}
	return err
}

package stack

import (
	"errors"
	"net/netip"
)

// ErrNotUDP is returned by Bind on a stack that runs on a transport other
// than its own UDP sockets.
var ErrNotUDP = errors.New("stack: not on UDP encapsulation sockets")

// Bind makes the UDP sockets of the stack receive on addrs too (empty:
// the wildcard, IPv6 too with ipv6): see udpencap.Conn.Bind. It lets
// endpoints bound to other addresses share the stack's UDP port. The
// sockets of addrs stay open, even if an endpoint releases one of them
// meanwhile (unbind.go), until an endpoint is added with them
// (AddEndpoint) or given them (Endpoint.SetLocalAddrs); on failure they
// are not held. Call it without the stack's lock.
func (s *Stack) Bind(addrs []netip.Addr, ipv6 bool) error {
	if s.udp == nil {
		return ErrNotUDP
	}
	s.mu.Lock()
	s.holdLocked(addrs)
	s.unlock()
	err := s.udp.Bind(addrs, ipv6)
	if err != nil {
		s.mu.Lock()
		s.unholdLocked(addrs)
		s.unlock()
	}
	return err
}

package stack

import (
	"net/netip"
	"slices"
	"sync/atomic"

	"github.com/gensctp/gensctp/timer"
	"github.com/pion/logging"
)

// The UDP sockets of released addresses.
//
// An endpoint releases a local address that SetLocalAddrs removed (bindx
// remove) once none of its associations has it any more
// (endpoint.Endpoint.TakeReleased). The shard that saw it leaves it in
// pending; the holder of the stack's lock closes the UDP socket(s) of the
// address (udpencap.Conn.Unbind) unless an endpoint of another SCTP port,
// or of another shard, still binds it, or a Bind holds it for an
// endpoint on its way (AddEndpoint, SetLocalAddrs): the address is then
// free for other sockets and processes, and Bind opens it again.

// releasedAddrs are the addresses the endpoints released, for the holder
// of the stack's lock (sweepLocked). Guarded by pending.mu.
type releasedAddrs struct {
	list []netip.Addr
	some atomic.Bool // list is not empty; read without pending.mu
}

// addReleased appends the addresses as released, and has the holder of
// the stack's lock look at them.
func (p *pending) addReleased(as []netip.Addr) {
	p.mu.Lock()
	for _, a := range as {
		if !slices.Contains(p.released.list, a) {
			p.released.list = append(p.released.list, a)
		}
	}
	p.released.some.Store(true)
	p.flag.Store(true)
	p.mu.Unlock()
}

// takeReleased returns the released addresses and forgets them.
func (p *pending) takeReleased() []netip.Addr {
	p.mu.Lock()
	list := p.released.list
	p.released.list = nil
	p.released.some.Store(false)
	p.mu.Unlock()
	return list
}

// takeReleasedLocked leaves the addresses the endpoint of p released for
// the holder of the stack's lock; the caller holds the shard's lock.
func (s *Stack) takeReleasedLocked(sh *shard, p *shardPort) {
	sh.released = p.ep.TakeReleased(sh.released[:0])
	if len(sh.released) > 0 {
		s.pend.addReleased(sh.released)
		clear(sh.released)
	}
}

// sweepLocked closes the UDP sockets of the released addresses that no
// endpoint binds and no Bind holds (see above).
func (s *Stack) sweepLocked() {
	if !s.pend.released.some.Load() {
		return
	}
	if s.holding {
		// The holder of the lock holds a UDP socket too (kickHolding),
		// whose close would wait for it: another goroutine sweeps.
		if !s.sweeping {
			s.sweeping = true
			s.parkers.Add(1)
			go func() {
				defer s.parkers.Done()
				_ = s.Do(func(timer.Time) error { s.sweeping = false; return nil })
			}()
		}
		return
	}
	addrs := s.pend.takeReleased()
	if s.udp == nil || s.closed {
		return
	}
	addrs = slices.DeleteFunc(addrs, func(a netip.Addr) bool { return s.holds[a] > 0 || s.bindsLocked(a) })
	if len(addrs) == 0 {
		return
	}
	if err := s.udp.Unbind(addrs); err != nil && s.log.On(logging.LogLevelWarn) {
		s.log.Warnf("closing the UDP sockets of %v: %v", addrs, err)
	}
}

// bindsLocked reports whether an endpoint of the stack, on any shard,
// binds the specific address a (endpoint.Endpoint.Binds).
func (s *Stack) bindsLocked(a netip.Addr) bool {
	for _, e := range s.eps {
		for i := range e.eps {
			if e.on(i).Binds(a) {
				return true
			}
		}
	}
	return false
}

// holdLocked keeps the UDP sockets of the specific addresses of addrs
// open until unholdLocked, for an endpoint on its way.
func (s *Stack) holdLocked(addrs []netip.Addr) {
	for _, a := range addrs {
		if a = a.Unmap(); a.IsValid() && !a.IsUnspecified() {
			if s.holds == nil {
				s.holds = make(map[netip.Addr]int)
			}
			s.holds[a]++
		}
	}
}

// unholdLocked drops a hold of holdLocked on each of addrs that has one:
// an endpoint binds them now (or failed to).
func (s *Stack) unholdLocked(addrs []netip.Addr) {
	for _, a := range addrs {
		a = a.Unmap()
		switch n := s.holds[a]; {
		case n > 1:
			s.holds[a] = n - 1
		case n == 1:
			delete(s.holds, a)
		}
	}
}

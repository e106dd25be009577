package sim

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/gensctp/gensctp/timer"
)

// ErrAddrInUse is returned by Net.Transport for an address that another
// open Transport of the Net has.
var ErrAddrInUse = errors.New("sim: address in use")

// Net is a Network for code that runs on goroutines and the clock, such
// as sockets of package api: it reads virtual time from the clock
// (time.Now) and delivers each datagram with a timer at its arrival time
// to the Transport that has its destination address. Transports are
// packet transports (packetio.Transport): a socket opened with
// api.OverTransport(tr) runs on the simulated network.
//
// Virtual time comes from testing/synctest: run the code inside
// synctest.Test, where the clock stands still while any goroutine of the
// bubble can run and jumps to the next timer when all are blocked. A
// minute of protocol time (retransmission timeouts, heartbeats, a
// 50 ms round trip) then takes the CPU time of the packets alone, and a
// run is repeatable: Net isolates the links (Network.IsolateLinks), so
// that the fate of the packets of a link depends on the seed and on what
// was sent on that link only, not on the interleaving of goroutines at
// one instant; testing/cryptotest.SetGlobalRandom makes the stack's own
// random draws (verification tags, initial TSNs) repeatable too. Outside
// a bubble, Net runs in real time.
//
// Net is safe for concurrent use.
type Net struct {
	mu     sync.Mutex
	n      *Network
	epoch  time.Time
	hosts  map[netip.AddrPort]*Transport
	timer  *time.Timer
	next   timer.Time // when timer fires; timer.Never if it is stopped
	closed bool
	// Undeliverable counts datagrams that arrived at an address with no
	// open Transport.
	undeliverable uint64
}

// NewNet returns a Net whose network is seeded with seed, with links
// isolated and defaulting to link. Its virtual time starts at 0 now.
func NewNet(seed uint64, link LinkConfig) (*Net, error) {
	n := New(seed)
	if err := n.SetDefault(link); err != nil {
		return nil, err
	}
	n.IsolateLinks()
	return &Net{n: n, epoch: time.Now(), hosts: map[netip.AddrPort]*Transport{}, next: timer.Never}, nil
}

// now returns the virtual time.
func (s *Net) now() timer.Time { return timer.Time(time.Since(s.epoch)) }

// Now returns the virtual time: the time since NewNet.
func (s *Net) Now() Time { return s.now() }

// Do calls fn with the Network and the current virtual time, holding the
// Net's lock: configure links, filters and partitions, read statistics or
// the trace hash there. fn must not call methods of s.
func (s *Net) Do(fn func(n *Network, now Time)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.n, s.now())
	s.arm()
}

// Undeliverable returns the number of datagrams that arrived at an
// address with no open Transport.
func (s *Net) Undeliverable() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.undeliverable
}

// Transport returns a packet transport at addrs (IP and UDP port each; a
// multihomed host has several): what a socket sends through it enters the
// network from the address of its source IP (else the first), and it
// receives what arrives at any of addrs. Close frees the addresses.
func (s *Net) Transport(addrs ...netip.AddrPort) (*Transport, error) {
	if len(addrs) == 0 {
		return nil, errors.New("sim: a transport needs an address")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, net.ErrClosed
	}
	for _, a := range addrs {
		if _, ok := s.hosts[a]; ok {
			return nil, ErrAddrInUse
		}
	}
	t := &Transport{s: s, addrs: slices.Clone(addrs), wake: make(chan struct{}, 1), done: make(chan struct{})}
	for _, a := range addrs {
		s.hosts[a] = t
	}
	return t, nil
}

// Close stops the delivery timer and closes every Transport; datagrams
// in flight are dropped. It returns nil.
func (s *Net) Close() error {
	s.mu.Lock()
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	var open []*Transport
	for _, t := range s.hosts {
		if !slices.Contains(open, t) {
			open = append(open, t)
		}
	}
	s.mu.Unlock()
	for _, t := range open {
		t.Close()
	}
	return nil
}

// send puts msgs from t on the network.
func (s *Net) send(t *Transport, data []byte, from netip.Addr, to netip.AddrPort) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return net.ErrClosed
	}
	s.n.Send(s.now(), t.source(from), to, data)
	s.arm()
	return nil
}

// arm delivers what has arrived by now and sets the timer to the next
// arrival. s.mu is held.
func (s *Net) arm() {
	now := s.now()
	for {
		d, ok := s.n.Receive(now)
		if !ok {
			break
		}
		if t, ok := s.hosts[d.To]; ok {
			t.push(d)
		} else {
			s.undeliverable++
			s.n.Recycle(&d)
		}
	}
	next := s.n.NextArrival()
	if s.closed || next == s.next {
		return
	}
	s.next = next
	if next == timer.Never {
		if s.timer != nil {
			s.timer.Stop()
		}
		return
	}
	wait := next.Sub(now)
	if s.timer == nil {
		s.timer = time.AfterFunc(wait, s.fire)
		return
	}
	s.timer.Reset(wait)
}

// fire is the delivery timer.
func (s *Net) fire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = timer.Never
	s.arm()
}

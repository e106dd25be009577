package stack

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gensctp/gensctp/packetio"
)

// Tap sees the packets of a stack (Config.Taps): the packet traces of the
// logs (Trace) are some, the captures of the api package's sockets are
// others (AddTap). With no tap, the packet path pays one atomic load per
// packet.
type Tap interface {
	// Received is called with every datagram read from the transport,
	// in the order read, before the core handles it (also one the core
	// then drops). The reads are serialised: calls do not overlap.
	Received(m *packetio.Message)
	// Sent is called with every packet handed to the transport to
	// write, just before it is written. Calls for packets of different
	// shards may run at the same time.
	Sent(m *packetio.OutMessage)
}

// taps holds the taps of a stack: a list replaced whole when a tap is
// added or removed, so that the packet path reads it with one atomic
// load, and pays nothing more when it is empty.
type taps struct {
	mu   sync.Mutex // serialises the changes
	list atomic.Pointer[[]Tap]
}

// get returns the taps.
func (t *taps) get() []Tap {
	if l := t.list.Load(); l != nil {
		return *l
	}
	return nil
}

// set replaces the taps with l, which it owns from then on.
func (t *taps) set(l []Tap) {
	if len(l) == 0 {
		t.list.Store(nil)
		return
	}
	t.list.Store(&l)
}

// AddTap adds tap, which must be comparable (a pointer, say), to the
// taps of the stack (see Tap) until the returned function is called; a packet the stack was handing to the taps then may
// still reach tap after that function returned. It serves a tap that
// comes and goes with a user of the stack (the capture of a socket on a
// shared UDP port, say); Config.Taps are there from the start.
func (s *Stack) AddTap(tap Tap) (remove func()) {
	s.taps.mu.Lock()
	s.taps.set(append(slices.Clone(s.taps.get()), tap))
	s.taps.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.taps.mu.Lock()
			defer s.taps.mu.Unlock()
			l := slices.Clone(s.taps.get())
			if i := slices.Index(l, tap); i >= 0 {
				s.taps.set(slices.Delete(l, i, i+1))
			}
		})
	}
}

// WallClock returns the time of the stack's clock (Now) as a time.Time,
// for stamping the packets a Tap sees.
func (s *Stack) WallClock() time.Time { return s.epoch.Add(time.Duration(s.Now())) }

// tapReceived hands m to the taps.
func (s *Stack) tapReceived(m *packetio.Message) {
	l := s.taps.list.Load()
	if l == nil {
		return
	}
	for _, t := range *l {
		t.Received(m)
	}
}

// tapSent hands the packets of out to the taps.
func (s *Stack) tapSent(out []packetio.OutMessage) {
	l := s.taps.list.Load()
	if l == nil {
		return
	}
	for i := range out {
		for _, t := range *l {
			t.Sent(&out[i])
		}
	}
}

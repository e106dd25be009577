package sim

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// steadyState drives n with depth datagrams of size bytes in flight on
// a → b: every step sends one and receives what has arrived.
type steadyState struct {
	n    *Network
	now  timer.Time
	step time.Duration
	buf  []byte
}

func newSteadyState(cfg LinkConfig, size, depth int, step time.Duration) *steadyState {
	s := &steadyState{n: New(1), step: step, buf: payload(0, size)}
	if err := s.n.SetLinkBoth(addrA, addrB, cfg); err != nil {
		panic(err)
	}
	for range depth {
		s.n.Send(s.now, addrA, addrB, s.buf)
	}
	for range 10000 { // warm up the heap, the free list and the link table
		s.run()
	}
	return s
}

func (s *steadyState) run() {
	s.now = s.now.Add(s.step)
	s.n.Send(s.now, addrA, addrB, s.buf)
	for {
		d, ok := s.n.Receive(s.now)
		if !ok {
			return
		}
		s.n.Recycle(&d)
	}
}

var steadyCases = []struct {
	name  string
	cfg   LinkConfig
	depth int
	step  time.Duration
	hash  bool
}{
	{"perfect", LinkConfig{}, 0, time.Microsecond, false},
	{"delay-1000-in-flight", LinkConfig{Delay: time.Millisecond}, 0, time.Microsecond, false},
	{"lossy", lossyConfig, 0, time.Millisecond, false},
	{"trace-hash", LinkConfig{Delay: 10 * time.Microsecond}, 0, time.Microsecond, true},
}

func TestSendReceiveAllocs(t *testing.T) {
	for _, tc := range steadyCases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSteadyState(tc.cfg, 1200, tc.depth, tc.step)
			if tc.hash {
				s.n.EnableTraceHash()
			}
			require.Zero(t, testing.AllocsPerRun(1000, s.run))
			requireBalanced(t, s.n.Stats())
		})
	}
}

func BenchmarkSendReceive(b *testing.B) {
	for _, tc := range steadyCases {
		b.Run(tc.name, func(b *testing.B) {
			s := newSteadyState(tc.cfg, 1200, tc.depth, tc.step)
			if tc.hash {
				s.n.EnableTraceHash()
			}
			b.SetBytes(1200)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				s.run()
			}
		})
	}
}

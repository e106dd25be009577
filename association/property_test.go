package association_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/timer"
)

// scenario is one randomized run: two associations exchange messages in
// both directions over an impaired link.
type scenario struct {
	seed    uint64
	link    sim.LinkConfig
	streams int
	msgs    int
	maxSize int
}

func newScenario(seed uint64) scenario {
	r := rand.New(rand.NewPCG(seed, 77))
	sc := scenario{seed: seed}
	sc.link = sim.LinkConfig{
		Delay:     time.Duration(1+r.IntN(50)) * time.Millisecond,
		Jitter:    time.Duration(r.IntN(10)) * time.Millisecond,
		Loss:      r.Float64() * 0.30,
		Duplicate: r.Float64() * 0.05,
		Reorder:   r.Float64() * 0.10,
		Corrupt:   r.Float64() * 0.05,
	}
	sc.link.ReorderDelay = sc.link.Delay
	sc.streams = 1 + r.IntN(64)
	sc.msgs = 10 + r.IntN(40)
	switch r.IntN(4) {
	case 0:
		sc.maxSize = 100
	case 1:
		sc.maxSize = 4000
	case 2:
		sc.maxSize = 64 << 10
	default:
		sc.maxSize = 256 << 10
	}
	return sc
}

func (sc scenario) String() string {
	return fmt.Sprintf("seed=%d loss=%.2f dup=%.2f reorder=%.2f corrupt=%.2f delay=%v streams=%d msgs=%d max=%d",
		sc.seed, sc.link.Loss, sc.link.Duplicate, sc.link.Reorder, sc.link.Corrupt, sc.link.Delay,
		sc.streams, sc.msgs, sc.maxSize)
}

// message is the payload of test message id: an 8-byte header (id, length)
// and bytes derived from id, so that any corruption or mix-up shows.
func message(id uint32, size int) []byte {
	b := make([]byte, max(size, 8))
	binary.BigEndian.PutUint32(b, id)
	binary.BigEndian.PutUint32(b[4:], uint32(len(b)))
	for i := 8; i < len(b); i++ {
		b[i] = byte(uint32(i)*2654435761>>24) ^ byte(id)
	}
	return b
}

type sent struct {
	info association.SendInfo
	data []byte
}

// side tracks what one end must send and what the other received.
type side struct {
	a        *association.Association
	queue    []sent
	next     int
	got      map[uint32]int            // message id -> deliveries
	lastSeen map[chunk.StreamID]uint32 // last ordered id per stream
	partial  map[chunk.StreamID][]byte
	order    map[uint32]int // id -> index in send order, per stream
	err      error
}

func testConfig(seed uint64, local, peer uint16) association.Config {
	cfg := associationtest.Config(seed, local, peer)
	cfg.RTO = congestion.RTOConfig{Initial: 300 * time.Millisecond, Min: 200 * time.Millisecond, Max: 5 * time.Second}
	cfg.MaxRetrans = 60
	cfg.PathMaxRetrans = 60
	cfg.MaxInitRetransmits = 30
	cfg.OutboundStreams = 64
	cfg.ReceiveBuffer = 128 << 10
	cfg.SendBuffer = 256 << 10
	return cfg
}

func runScenario(t *testing.T, sc scenario) {
	t.Helper()
	p, err := associationtest.NewPair(sc.seed, testConfig(sc.seed*2+1, 5000, 5001),
		testConfig(sc.seed*2+2, 5001, 5000), sc.link)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Handshake(); err != nil {
		t.Fatalf("%v: %v", sc, err)
	}
	r := rand.New(rand.NewPCG(sc.seed, 99))
	mk := func(base uint32) []sent {
		var out []sent
		for i := 0; i < sc.msgs; i++ {
			size := 1 + r.IntN(sc.maxSize)
			if r.IntN(4) > 0 {
				size = 1 + r.IntN(min(sc.maxSize, 1500))
			}
			info := association.SendInfo{Stream: chunk.StreamID(r.IntN(sc.streams)),
				PPID: chunk.PPID(base + uint32(i)), Unordered: r.IntN(4) == 0}
			out = append(out, sent{info: info, data: message(base+uint32(i), size)})
		}
		return out
	}
	sa := &side{a: p.A, queue: mk(0), got: map[uint32]int{}, lastSeen: map[chunk.StreamID]uint32{}}
	sz := &side{a: p.Z, queue: mk(1 << 20), got: map[uint32]int{}, lastSeen: map[chunk.StreamID]uint32{}}
	// receiver of each side's messages
	check := func(rcv *side, d association.Delivery) {
		if d.Event != nil {
			if ac, ok := d.Event.(*association.AssocChange); ok && ac.State != association.CommUp {
				rcv.err = fmt.Errorf("unexpected %v (error %v)", ac.State, ac.Error)
			}
			return
		}
		m := d.Message
		if prev, ok := rcv.partial[m.Stream]; ok {
			// RFC 6458 Section 8.1.21: the pieces of a partially delivered
			// message come in order, with nothing else of that stream
			// between them.
			m.Data = append(prev, m.Data...)
			delete(rcv.partial, m.Stream)
		}
		if !m.EndOfRecord {
			rcv.partial[m.Stream] = append([]byte(nil), m.Data...)
			return
		}
		if len(m.Data) < 8 {
			rcv.err = fmt.Errorf("short message %d", len(m.Data))
			return
		}
		id := binary.BigEndian.Uint32(m.Data)
		want := message(id, int(binary.BigEndian.Uint32(m.Data[4:])))
		if string(want) != string(m.Data) || chunk.PPID(id) != m.PPID {
			rcv.err = fmt.Errorf("message %d corrupted", id)
			return
		}
		rcv.got[id]++
		if !m.Unordered {
			if last, ok := rcv.lastSeen[m.Stream]; ok && id <= last {
				rcv.err = fmt.Errorf("stream %d: message %d after %d", m.Stream, id, last)
			}
			rcv.lastSeen[m.Stream] = id
		}
	}
	// DeliveredZ receives A's messages: checked against sa's ids.
	rcvByZ := &side{got: map[uint32]int{}, lastSeen: map[chunk.StreamID]uint32{}, partial: map[chunk.StreamID][]byte{}}
	rcvByA := &side{got: map[uint32]int{}, lastSeen: map[chunk.StreamID]uint32{}, partial: map[chunk.StreamID][]byte{}}
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ {
			check(rcvByZ, d)
		} else {
			check(rcvByA, d)
		}
	}
	push := func(s *side) {
		for s.next < len(s.queue) {
			m := s.queue[s.next]
			if err := s.a.Send(p.Now, m.info, m.data); err != nil {
				if err == association.ErrWouldBlock {
					return
				}
				t.Fatalf("%v: send: %v", sc, err)
			}
			s.next++
		}
	}
	done := func() bool {
		return len(rcvByZ.got) == len(sa.queue) && len(rcvByA.got) == len(sz.queue)
	}
	limit := p.Now.Add(30 * time.Minute)
	for !done() {
		push(sa)
		push(sz)
		p.Exchange()
		if rcvByZ.err != nil || rcvByA.err != nil {
			t.Fatalf("%v: %v %v", sc, rcvByZ.err, rcvByA.err)
		}
		if done() {
			break
		}
		if !p.Advance(limit) {
			t.Fatalf("%v: stuck at %v: Z got %d/%d, A got %d/%d; A %v %+v; Z %v %+v; discards %v",
				sc, p.Now, len(rcvByZ.got), len(sa.queue), len(rcvByA.got), len(sz.queue),
				p.A.State(), p.A.Status(), p.Z.State(), p.Z.Status(), p.Discards)
		}
	}
	for id, n := range rcvByZ.got {
		if n != 1 {
			t.Fatalf("%v: message %d delivered %d times", sc, id, n)
		}
	}
	for id, n := range rcvByA.got {
		if n != 1 {
			t.Fatalf("%v: message %d delivered %d times", sc, id, n)
		}
	}
	// Both ends shut down gracefully.
	if err := p.A.Shutdown(p.Now); err != nil {
		t.Fatal(err)
	}
	closed := p.RunUntil(30*time.Minute, func() bool {
		return p.A.State() == association.StateClosed && p.Z.State() == association.StateClosed
	})
	if !closed {
		t.Fatalf("%v: shutdown did not complete: A %v Z %v", sc, p.A.State(), p.Z.State())
	}
	_ = timer.Never
	if testing.Verbose() {
		t.Logf("A %+v", p.A.Stats())
		t.Logf("Z %+v", p.Z.Stats())
		t.Logf("net %+v now %v", p.Net.Stats(), p.Now)
	}
}

// TestPropertyDeliveredExactlyOnce: over 200 seeds, with loss up to 30 %,
// duplication, reordering and corruption, traffic in both directions on 1
// to 64 streams with messages from 1 byte to 256 KiB, every message is
// delivered exactly once, intact, in order on its stream when ordered, and
// the association then shuts down gracefully. A failure prints the
// scenario and its seed; run it alone with -run
// 'TestPropertyDeliveredExactlyOnce/seed=N'.
func TestPropertyDeliveredExactlyOnce(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 20
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		sc := newScenario(seed)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			runScenario(t, sc)
		})
	}
}

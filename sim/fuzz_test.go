package sim

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// fuzzPairs are the links the fuzzer sends on.
var fuzzPairs = [...][2]Addr{{addrA, addrB}, {addrB, addrA}, {addrA, addrC}, {addrC, addrA}}

// fuzzConfigs are the link configurations the fuzzer switches between.
var fuzzConfigs = [...]LinkConfig{
	{},
	{Delay: 2 * time.Millisecond, Jitter: 3 * time.Millisecond},
	{Delay: time.Millisecond, Loss: 0.3},
	{Delay: time.Millisecond, Reorder: 0.3, ReorderDelay: 2 * time.Millisecond},
	{Bandwidth: 1e6, QueueLimit: 4000, Delay: time.Millisecond},
	{Down: true},
	{MTU: 700},
	{Duplicate: 0.5, Jitter: time.Millisecond},
	{Corrupt: 0.5, Delay: time.Millisecond},
	lossyConfig,
}

// fuzzModel is the trivial model the fuzzer checks the network against.
// A datagram is identified by its send time, which the fuzzer makes
// unique by advancing time 1 ns before every Send.
type fuzzModel struct {
	sent      map[timer.Time][]byte // data as sent
	scheduled map[timer.Time]int    // copies put in flight
	fifoOnly  map[timer.Time]bool   // every copy stayed in its link's FIFO order
	delivered map[timer.Time]int
	corrupted map[timer.Time]bool
	lastFIFO  map[[2]Addr]timer.Time // last FIFO-only send time delivered per link
	lastAt    timer.Time
}

func newFuzzModel() *fuzzModel {
	return &fuzzModel{
		sent: map[timer.Time][]byte{}, scheduled: map[timer.Time]int{}, fifoOnly: map[timer.Time]bool{},
		delivered: map[timer.Time]int{}, corrupted: map[timer.Time]bool{}, lastFIFO: map[[2]Addr]timer.Time{},
	}
}

func (m *fuzzModel) onEvent(ev Event) {
	if ev.Kind != EventScheduled {
		return
	}
	id := ev.Datagram.Sent
	if m.scheduled[id] == 0 {
		m.fifoOnly[id] = true
	}
	m.scheduled[id]++
	m.fifoOnly[id] = m.fifoOnly[id] && !ev.OutOfOrder
}

// deliver checks one datagram returned by Receive(now). The checks run
// after every operation, so they use plain comparisons: require's
// reflection would dominate the fuzzer's time.
func (m *fuzzModel) deliver(t *testing.T, now timer.Time, d Datagram) {
	id := d.Sent
	want, ok := m.sent[id]
	switch {
	case !ok:
		t.Fatalf("delivered a datagram never sent: %+v", d)
	case d.At < d.Sent:
		t.Fatalf("arrival %v before sending %v", d.At, d.Sent)
	case d.At > now:
		t.Fatalf("arrival %v after now %v", d.At, now)
	case d.At < m.lastAt:
		t.Fatalf("arrival %v after a delivery at %v", d.At, m.lastAt)
	case len(d.Data) != len(want):
		t.Fatalf("datagram sent at %v: %d bytes delivered, %d sent", id, len(d.Data), len(want))
	}
	m.lastAt = d.At
	m.delivered[id]++
	if m.delivered[id] > m.scheduled[id] {
		t.Fatalf("datagram sent at %v: %d copies delivered, %d scheduled", id, m.delivered[id], m.scheduled[id])
	}
	if !bytes.Equal(d.Data, want) {
		m.corrupted[id] = true
	}
	if m.fifoOnly[id] {
		k := [2]Addr{d.From, d.To}
		if id < m.lastFIFO[k] {
			t.Fatalf("FIFO order broken on %v: %v after %v", k, id, m.lastFIFO[k])
		}
		m.lastFIFO[k] = id
	}
}

// check verifies the statistics against each other and the model.
func (m *fuzzModel) check(t *testing.T, n *Network) {
	s := n.Stats()
	balanced := func(s Stats) bool { return s.Sent+s.Duplicated == s.Delivered+s.Dropped()+s.InFlight }
	if !balanced(s) {
		t.Fatalf("unbalanced total statistics: %+v", s)
	}
	var sum Stats
	for _, p := range [...][2]Addr{{addrA, addrB}, {addrB, addrA}, {addrA, addrC}, {addrC, addrA}, {addrB, addrC}} {
		ls := n.LinkStats(p[0], p[1])
		if !balanced(ls) {
			t.Fatalf("unbalanced statistics on %v: %+v", p, ls)
		}
		sum.Sent += ls.Sent
		sum.Delivered += ls.Delivered
		sum.InFlight += ls.InFlight
		sum.Duplicated += ls.Duplicated
		sum.DroppedFilter += ls.DroppedFilter
		sum.Corrupted += ls.Corrupted
	}
	if sum.Sent != s.Sent || sum.Delivered != s.Delivered || sum.InFlight != s.InFlight ||
		sum.Duplicated != s.Duplicated || sum.DroppedFilter != s.DroppedFilter || sum.Corrupted != s.Corrupted {
		t.Fatalf("links add up to %+v, total is %+v", sum, s)
	}
	if uint64(n.InFlight()) != s.InFlight || uint64(len(m.sent)) != s.Sent {
		t.Fatalf("in flight %d, sent %d; statistics %+v", n.InFlight(), len(m.sent), s)
	}
	if uint64(len(m.corrupted)) > s.Corrupted {
		t.Fatalf("%d datagrams differ from what was sent, %d corrupted", len(m.corrupted), s.Corrupted)
	}
}

// fuzzDriver applies the operations of one fuzz input.
type fuzzDriver struct {
	t        *testing.T
	n        *Network
	m        *fuzzModel
	now      timer.Time
	ops      []byte
	i        int
	removers []func()
}

// next consumes and returns the next operand byte (0 past the end).
func (f *fuzzDriver) next() byte {
	if f.i+1 < len(f.ops) {
		f.i++
		return f.ops[f.i]
	}
	return 0
}

// receiveAll receives and checks every datagram arrived by f.now.
func (f *fuzzDriver) receiveAll() {
	for {
		d, ok := f.n.Receive(f.now)
		if !ok {
			return
		}
		f.m.deliver(f.t, f.now, d)
		f.n.Recycle(&d)
	}
}

// step applies the operation at f.ops[f.i].
func (f *fuzzDriver) step() {
	op, arg := f.ops[f.i]&7, f.ops[f.i]>>3
	switch op {
	case 0, 1, 2: // send
		p := fuzzPairs[arg%4]
		f.now++ // send times are unique: they identify datagrams
		b := make([]byte, int(f.next())*6)
		for j := range b {
			b[j] = byte(j) ^ byte(f.now)
		}
		f.m.sent[f.now] = bytes.Clone(b)
		f.n.Send(f.now, p[0], p[1], b)
	case 3: // advance time
		f.now = f.now.Add(time.Duration(f.next()) * 100 * time.Microsecond)
	case 4:
		f.receiveAll()
	case 5: // reconfigure a link
		p := fuzzPairs[arg%4]
		require.NoError(f.t, f.n.SetLink(p[0], p[1], fuzzConfigs[int(f.next())%len(fuzzConfigs)]))
	case 6:
		f.filter(arg, f.next())
	case 7: // receive at most one, at the next arrival if it is soon
		if at := f.n.NextArrival(); at != timer.Never && at.Sub(f.now) < time.Millisecond {
			f.now = max(f.now, at)
		}
		if d, ok := f.n.Receive(f.now); ok {
			f.m.deliver(f.t, f.now, d)
		}
	}
}

// filter removes the oldest filter, or adds a dropping or delaying one.
func (f *fuzzDriver) filter(arg, k byte) {
	switch {
	case arg&1 == 1 && len(f.removers) > 0:
		f.removers[0]()
		f.removers = f.removers[1:]
	case arg&2 == 2:
		f.removers = append(f.removers, f.n.AddFilter(func(d *Datagram) Verdict {
			if len(d.Data) > 0 && d.Data[0]%7 == k%7 {
				return Drop
			}
			return Pass
		}))
	default:
		f.removers = append(f.removers, f.n.AddFilter(func(d *Datagram) Verdict {
			if len(d.Data)%3 == int(k%3) {
				return Delay(time.Duration(k) * 10 * time.Microsecond)
			}
			return Pass
		}))
	}
}

// FuzzNetwork drives a network with an operation-encoded byte string —
// sends, time advances, receives, link reconfigurations and filters — and
// checks its invariants against a trivial model after every operation.
func FuzzNetwork(f *testing.F) {
	f.Add(uint64(1), []byte{0, 1, 2, 3, 10, 4, 5, 0x29, 0, 3, 50, 4})
	f.Add(uint64(2), []byte{5, 9, 0, 0, 0, 0, 8, 8, 3, 200, 4, 7, 7})
	f.Add(uint64(3), []byte{5, 0x3b, 6, 1, 0, 1, 0x0e, 3, 255, 4})
	seeds := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		ops := make([]byte, 200)
		for i := range ops {
			ops[i] = byte(seeds.Uint32())
		}
		f.Add(seeds.Uint64(), ops)
	}
	f.Fuzz(func(t *testing.T, seed uint64, ops []byte) {
		if len(ops) > 4096 {
			return // long inputs add little and make minimizing slow
		}
		d := &fuzzDriver{t: t, n: New(seed), m: newFuzzModel(), ops: ops}
		d.n.SetTrace(d.m.onEvent)
		for ; d.i < len(ops); d.i++ {
			d.step()
			d.m.check(t, d.n)
		}
		// Drain: every copy scheduled arrives exactly once.
		d.now = timer.Never - 1
		d.receiveAll()
		d.m.check(t, d.n)
		require.Zero(t, d.n.InFlight())
		var dupCopies int
		for id, c := range d.m.scheduled {
			require.Equal(t, c, d.m.delivered[id], "datagram sent at %v", id)
			dupCopies += c - 1
		}
		require.Equal(t, d.n.Stats().Duplicated, uint64(dupCopies))
	})
}

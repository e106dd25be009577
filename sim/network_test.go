package sim

import (
	"bytes"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// lossyConfig exercises every random knob at once.
var lossyConfig = LinkConfig{
	Delay: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, Bandwidth: 20e6, QueueLimit: 30_000,
	Loss: 0.05, Duplicate: 0.05, Reorder: 0.05, ReorderDelay: 10 * time.Millisecond, Corrupt: 0.05, MTU: 1400,
}

// runScenario sends a fixed workload in both directions through lossy
// links and returns the trace hash and the total statistics.
func runScenario(t *testing.T, seed uint64) ([32]byte, Stats) {
	t.Helper()
	n := New(seed)
	n.EnableTraceHash()
	require.NoError(t, n.SetLinkBoth(addrA, addrB, lossyConfig))
	var now timer.Time
	for i := range 2000 {
		now = now.Add(100 * time.Microsecond)
		n.Send(now, addrA, addrB, payload(uint64(i), 200+i%1300))
		if i%3 == 0 {
			n.Send(now, addrB, addrA, payload(uint64(i), 100))
		}
		for {
			d, ok := n.Receive(now)
			if !ok {
				break
			}
			n.Recycle(&d)
		}
	}
	for _, d := range drainAll(t, n) {
		n.Recycle(&d)
	}
	requireBalanced(t, n.Stats())
	return n.TraceHash(), n.Stats()
}

func TestDeterministicReplay(t *testing.T) {
	h1, s1 := runScenario(t, 42)
	h2, s2 := runScenario(t, 42)
	require.Equal(t, h1, h2, "same seed, same calls: byte-identical deliveries")
	require.Equal(t, s1, s2)
	h3, _ := runScenario(t, 43)
	require.NotEqual(t, h1, h3, "a different seed gives a different trace")
	require.NotEqual(t, [32]byte{}, h1)
	require.Equal(t, [32]byte{}, New(1).TraceHash(), "hash never enabled")
}

func TestLossRate(t *testing.T) {
	const seed, total = 7, 10000
	n := New(seed)
	require.NoError(t, n.SetDefault(LinkConfig{Loss: 0.1}))
	for i := range total {
		n.Send(timer.Time(i), addrA, addrB, payload(uint64(i), 100))
	}
	got := drainAll(t, n)
	s := n.Stats()
	requireBalanced(t, s)
	// Binomial(10000, 0.1): sigma = 30; accept +-5 sigma.
	require.InDelta(t, 1000, s.DroppedLoss, 150, "seed %d", seed)
	require.Equal(t, uint64(total)-s.DroppedLoss, s.Delivered)
	require.Len(t, got, int(s.Delivered))
	require.Equal(t, s, n.LinkStats(addrA, addrB), "one link carries everything")
	require.Equal(t, Stats{}, n.LinkStats(addrB, addrA))
}

func TestBandwidth(t *testing.T) {
	// 1000 datagrams of 1250 bytes (10 kbit each) at 10 Mbit/s take 1 ms
	// each on the wire: the last arrives after 1 s.
	n := New(1)
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{Bandwidth: 10e6}))
	for i := range 1000 {
		n.Send(0, addrA, addrB, payload(uint64(i), 1250))
	}
	got := drainAll(t, n)
	require.Len(t, got, 1000)
	for i, d := range got {
		require.Equal(t, uint64(i), idOf(d))
		require.Equal(t, timer.Time(0).Add(time.Duration(i+1)*time.Millisecond), d.At)
	}
	require.Equal(t, timer.Time(time.Second), got[999].At)
}

func TestBandwidthIdleLinkDoesNotBank(t *testing.T) {
	// A datagram sent after the link went idle departs at its own send
	// time plus its serialisation, not earlier.
	n := New(1)
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{Bandwidth: 10e6, Delay: time.Millisecond}))
	n.Send(0, addrA, addrB, payload(0, 1250))
	n.Send(timer.Time(time.Second), addrA, addrB, payload(1, 1250))
	got := drainAll(t, n)
	require.Equal(t, timer.Time(2*time.Millisecond), got[0].At)
	require.Equal(t, timer.Time(time.Second+2*time.Millisecond), got[1].At)
}

func TestQueueLimit(t *testing.T) {
	// At 10 Mbit/s a 1250-byte datagram takes 1 ms: a 5000-byte queue
	// holds four of them, the rest of a burst is tail-dropped.
	n := New(1)
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{Bandwidth: 10e6, QueueLimit: 5000}))
	for i := range 10 {
		n.Send(0, addrA, addrB, payload(uint64(i), 1250))
	}
	require.Equal(t, uint64(6), n.Stats().DroppedQueue)
	// After 2 ms two have drained: two more fit.
	for i := range 3 {
		n.Send(timer.Time(2*time.Millisecond), addrA, addrB, payload(uint64(10+i), 1250))
	}
	require.Equal(t, uint64(7), n.Stats().DroppedQueue)
	got := drainAll(t, n)
	ids := make([]uint64, len(got))
	for i, d := range got {
		ids[i] = idOf(d)
	}
	require.Equal(t, []uint64{0, 1, 2, 3, 10, 11}, ids)
	requireBalanced(t, n.Stats())
}

func TestDelayAndJitterBounds(t *testing.T) {
	const delay, jitter = 50 * time.Millisecond, 10 * time.Millisecond
	n := New(3)
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{Delay: delay, Jitter: jitter}))
	var lo, hi time.Duration = time.Hour, 0
	for i := range 2000 {
		now := timer.Time(i) * timer.Time(time.Millisecond)
		n.Send(now, addrA, addrB, payload(uint64(i), 64))
	}
	prev := timer.Time(0)
	for i, d := range drainAll(t, n) {
		require.Equal(t, uint64(i), idOf(d), "FIFO despite jitter")
		require.GreaterOrEqual(t, d.At, prev)
		prev = d.At
		lat := d.At.Sub(d.Sent)
		require.GreaterOrEqual(t, lat, delay)
		lo, hi = min(lo, lat), max(hi, lat)
	}
	// Sending every 1 ms with 10 ms of jitter, FIFO can hold a datagram
	// back behind its predecessor, but never beyond delay+jitter.
	require.LessOrEqual(t, hi, delay+jitter)
	require.Less(t, lo, delay+jitter/4, "jitter spreads latencies")
	require.Greater(t, hi, delay+3*jitter/4)
}

func TestFIFOWithoutReorder(t *testing.T) {
	n := New(9)
	require.NoError(t, n.SetLinkBoth(addrA, addrB, LinkConfig{Delay: time.Millisecond, Jitter: 20 * time.Millisecond}))
	for i := range 500 {
		now := timer.Time(i) * timer.Time(10*time.Microsecond)
		n.Send(now, addrA, addrB, payload(uint64(i), 64))
		n.Send(now, addrB, addrA, payload(uint64(i), 64))
	}
	next := map[Addr]uint64{}
	for _, d := range drainAll(t, n) {
		require.Equal(t, next[d.From], idOf(d), "per-link FIFO")
		next[d.From]++
	}
	require.Zero(t, n.Stats().Reordered)
}

func TestReorder(t *testing.T) {
	n := New(11)
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{Delay: time.Millisecond, Reorder: 0.2, ReorderDelay: 5 * time.Millisecond}))
	for i := range 1000 {
		n.Send(timer.Time(i)*timer.Time(100*time.Microsecond), addrA, addrB, payload(uint64(i), 64))
	}
	got := drainAll(t, n)
	require.Len(t, got, 1000)
	inversions := 0
	for i := 1; i < len(got); i++ {
		if idOf(got[i]) < idOf(got[i-1]) {
			inversions++
		}
	}
	s := n.Stats()
	require.InDelta(t, 200, s.Reordered, 60)
	require.Positive(t, inversions)
	require.LessOrEqual(t, uint64(inversions), s.Reordered)
}

func TestDuplicate(t *testing.T) {
	n := New(5)
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{Delay: time.Millisecond, Duplicate: 0.1}))
	for i := range 1000 {
		n.Send(timer.Time(i), addrA, addrB, payload(uint64(i), 64))
	}
	got := drainAll(t, n)
	s := n.Stats()
	requireBalanced(t, s)
	require.InDelta(t, 100, s.Duplicated, 40)
	require.Len(t, got, 1000+int(s.Duplicated))
	seen := map[uint64]int{}
	for _, d := range got {
		seen[idOf(d)]++
	}
	twice := 0
	for id := range uint64(1000) {
		require.Contains(t, []int{1, 2}, seen[id])
		if seen[id] == 2 {
			twice++
		}
	}
	require.Equal(t, int(s.Duplicated), twice)
	// The copies own distinct buffers.
	got[0].Data[0] ^= 0xff
	for _, d := range got[1:] {
		require.NotSame(t, &got[0].Data[0], &d.Data[0])
	}
}

func TestCorrupt(t *testing.T) {
	n := New(13)
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{Corrupt: 1}))
	for i := range 200 {
		n.Send(0, addrA, addrB, payload(uint64(i), 32+i))
	}
	n.Send(0, addrA, addrB, nil) // nothing to flip
	got := drainAll(t, n)
	require.Len(t, got, 201)
	for i, d := range got[:200] {
		want := payload(uint64(i), 32+i)
		require.Len(t, d.Data, len(want))
		flips := 0
		for j := range want {
			for x := want[j] ^ d.Data[j]; x != 0; x &= x - 1 {
				flips++
			}
		}
		require.True(t, flips >= 1 && flips <= 3, "datagram %d: %d bits flipped", i, flips)
	}
	require.Empty(t, got[200].Data)
	require.Equal(t, uint64(200), n.Stats().Corrupted)

	// Even a one-byte datagram gets distinct flips.
	n2 := New(1)
	require.NoError(t, n2.SetDefault(LinkConfig{Corrupt: 1}))
	for range 100 {
		n2.Send(0, addrA, addrB, []byte{0})
		d, ok := n2.Receive(0)
		require.True(t, ok)
		require.NotZero(t, d.Data[0])
	}
}

func TestMTU(t *testing.T) {
	n := New(1)
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{MTU: 1200}))
	n.Send(0, addrA, addrB, make([]byte, 1200))
	n.Send(0, addrA, addrB, make([]byte, 1201))
	n.Send(0, addrB, addrA, make([]byte, MaxDatagram))   // no MTU on B → A
	n.Send(0, addrB, addrA, make([]byte, MaxDatagram+1)) // but never above MaxDatagram
	got := drainAll(t, n)
	require.Len(t, got, 2)
	require.Len(t, got[0].Data, 1200)
	require.Len(t, got[1].Data, MaxDatagram)
	require.Equal(t, uint64(1), n.LinkStats(addrA, addrB).DroppedMTU)
	require.Equal(t, uint64(1), n.LinkStats(addrB, addrA).DroppedMTU)
	requireBalanced(t, n.Stats())
}

func TestDownAndUp(t *testing.T) {
	n := New(1)
	require.NoError(t, n.SetLinkBoth(addrA, addrB, LinkConfig{Delay: 10 * time.Millisecond}))
	n.Send(0, addrA, addrB, payload(0, 10)) // in flight before the cut
	n.SetDown(addrA, addrB, true)
	require.True(t, n.Link(addrA, addrB).Down)
	require.Equal(t, 10*time.Millisecond, n.Link(addrA, addrB).Delay, "SetDown keeps the rest")
	for i := range 5 {
		n.Send(timer.Time(i), addrA, addrB, payload(uint64(1+i), 10))
	}
	n.Send(0, addrB, addrA, payload(100, 10)) // the other direction still works
	got := drainAll(t, n)
	require.Len(t, got, 2)
	require.Equal(t, uint64(5), n.Stats().DroppedDown)

	n.SetDown(addrA, addrB, false)
	n.Send(timer.Time(time.Second), addrA, addrB, payload(6, 10))
	got = drainAll(t, n)
	require.Len(t, got, 1)
	require.Equal(t, uint64(6), idOf(got[0]))

	// Down through SetLink, on a link that follows the default.
	require.NoError(t, n.SetLink(addrA, addrC, LinkConfig{Down: true}))
	n.Send(0, addrA, addrC, payload(7, 10))
	require.Zero(t, n.InFlight())
	n.SetDown(addrC, addrA, true)
	n.Send(0, addrC, addrA, payload(8, 10))
	require.Equal(t, uint64(7), n.Stats().DroppedDown)
}

func TestDefaultAndPerLink(t *testing.T) {
	n := New(1)
	require.NoError(t, n.SetDefault(LinkConfig{Delay: 5 * time.Millisecond}))
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{Delay: time.Millisecond}))
	n.Send(0, addrA, addrB, payload(1, 10))
	n.Send(0, addrB, addrA, payload(2, 10))
	got := drainAll(t, n)
	require.Equal(t, timer.Time(time.Millisecond), got[0].At)
	require.Equal(t, timer.Time(5*time.Millisecond), got[1].At)

	// A new default applies to links without their own configuration.
	require.NoError(t, n.SetDefault(LinkConfig{Delay: 7 * time.Millisecond}))
	require.Equal(t, LinkConfig{Delay: 7 * time.Millisecond}, n.Default())
	require.Equal(t, 7*time.Millisecond, n.Link(addrB, addrA).Delay)
	require.Equal(t, time.Millisecond, n.Link(addrA, addrB).Delay)
	n.ResetLink(addrA, addrB)
	require.Equal(t, 7*time.Millisecond, n.Link(addrA, addrB).Delay)
	require.Equal(t, uint64(1), n.LinkStats(addrA, addrB).Delivered, "statistics survive a reset")
}

func TestReceiveRespectsNow(t *testing.T) {
	n := New(1)
	require.Equal(t, timer.Never, n.NextArrival())
	_, ok := n.Receive(timer.Never)
	require.False(t, ok)
	require.NoError(t, n.SetDefault(LinkConfig{Delay: time.Millisecond}))
	n.Send(0, addrA, addrB, payload(1, 10))
	n.Send(0, addrB, addrA, payload(2, 10)) // same arrival: send order
	require.Equal(t, timer.Time(time.Millisecond), n.NextArrival())
	_, ok = n.Receive(timer.Time(time.Millisecond - 1))
	require.False(t, ok)
	require.Equal(t, 2, n.InFlight())
	d, ok := n.Receive(timer.Time(time.Millisecond))
	require.True(t, ok)
	require.Equal(t, Datagram{From: addrA, To: addrB, Data: payload(1, 10), At: timer.Time(time.Millisecond)}, d)
	d, ok = n.Receive(timer.Never)
	require.True(t, ok)
	require.Equal(t, addrB, d.From)
}

func TestSendCopies(t *testing.T) {
	n := New(1)
	b := payload(1, 100)
	n.Send(0, addrA, addrB, b)
	want := bytes.Clone(b)
	clear(b)
	d, ok := n.Receive(0)
	require.True(t, ok)
	require.Equal(t, want, d.Data)

	// A recycled buffer is reused for the next datagram.
	first := &d.Data[0]
	n.Recycle(&d)
	require.Nil(t, d.Data)
	n.Send(0, addrA, addrB, b)
	d, _ = n.Receive(0)
	require.Same(t, first, &d.Data[0])
}

func TestTraceHook(t *testing.T) {
	n := New(1)
	var kinds []string
	n.SetTrace(func(ev Event) {
		k := ev.Kind.String()
		if ev.Kind == EventDropped {
			k += ":" + ev.Reason.String()
		}
		if ev.Duplicate {
			k += ":dup"
		}
		kinds = append(kinds, k)
	})
	require.NoError(t, n.SetLink(addrA, addrB, LinkConfig{Duplicate: 1, MTU: 100}))
	n.Send(0, addrA, addrB, make([]byte, 10))
	n.Send(0, addrA, addrB, make([]byte, 101))
	drainAll(t, n)
	require.Equal(t, []string{"sent", "scheduled", "scheduled:dup", "sent", "dropped:mtu", "delivered", "delivered"}, kinds)
	for r := DropLoss; r <= DropPartition+1; r++ {
		require.NotEmpty(t, r.String())
	}
	for k := EventSent; k <= EventDelivered+1; k++ {
		require.NotEmpty(t, k.String())
	}
}

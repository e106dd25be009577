package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

func TestSchedulerNames(t *testing.T) {
	for s := range numSchedulers {
		require.True(t, s.Valid())
		got, ok := ParseScheduler(s.String())
		require.True(t, ok)
		require.Equal(t, s, got)
	}
	for name, want := range map[string]Scheduler{
		"wfq": WeightedFairQueueing, "Sctp_SS_Prio": Priority, "rr_pkt": RoundRobinPacket,
		"SCTP_SS_DEFAULT": RoundRobin, "fc": FairBandwidth, "fb": FairBandwidth, "fcfs": FirstComeFirstServed,
	} {
		got, ok := ParseScheduler(name)
		require.True(t, ok, name)
		require.Equal(t, want, got, name)
	}
	_, ok := ParseScheduler("SCTP_SS_LIFO")
	require.False(t, ok)
	require.False(t, numSchedulers.Valid())
	require.True(t, Priority.HasStreamValue())
	require.True(t, WeightedFairQueueing.HasStreamValue())
	require.False(t, FairBandwidth.HasStreamValue())
}

// queueWith returns a queue of n streams using scheduler s, with
// interleaving on or off.
func queueWith(t *testing.T, n int, s Scheduler, interleave bool) *SendQueue {
	t.Helper()
	q := NewSendQueue(n)
	require.True(t, q.SetScheduler(s))
	q.SetInterleave(interleave)
	require.Equal(t, interleave, q.Interleave())
	return q
}

// RFC 8260 Section 1: with DATA chunks, a message's fragments go back to
// back; with interleaving (I-DATA, Section 2.1) the round robin
// alternates streams between fragments, "a fair scheduling based on the
// number of I-DATA chunks" (Section 3.2), and each stream still sends its
// messages in order.
func TestSendQueueInterleave(t *testing.T) {
	enqueue := func(q *SendQueue) {
		for _, m := range []*OutMessage{msg(1, 6, false), msg(2, 2, false), msg(2, 4, true), msg(1, 2, false)} {
			require.NoError(t, q.Enqueue(m))
		}
	}
	q := queueWith(t, 4, RoundRobin, false)
	enqueue(q)
	require.Equal(t, []fragOut{
		{1, 0, "B", 2}, {1, 0, "", 2}, {1, 0, "E", 2},
		{2, 0, "BE", 2},
		{1, 1, "BE", 2},
		{2, 0, "UB", 2}, {2, 0, "UE", 2},
	}, drainFrags(t, q, 2))

	q = queueWith(t, 4, RoundRobin, true)
	enqueue(q)
	require.False(t, q.MidMessage())
	f, _ := q.Next(2)
	require.Equal(t, chunk.StreamID(1), f.Stream)
	require.True(t, q.MidMessage())
	n, _ := q.NextLen()
	require.Equal(t, 2, n, "stream 2's message is next")
	require.Equal(t, []fragOut{
		{2, 0, "BE", 2},
		{1, 0, "", 2},
		{2, 0, "UB", 2},
		{1, 0, "E", 2},
		{2, 0, "UE", 2},
		{1, 1, "BE", 2},
	}, drainFrags(t, q, 2))
	require.False(t, q.MidMessage())

	// First come, first served ignores interleaving (RFC 8260 Section
	// 3.1: "The usage of user message interleaving does not affect the
	// sending of the chunks").
	q = queueWith(t, 4, FirstComeFirstServed, true)
	enqueue(q)
	require.Equal(t, []fragOut{
		{1, 0, "B", 2}, {1, 0, "", 2}, {1, 0, "E", 2},
		{2, 0, "BE", 2}, {2, 0, "UB", 2}, {2, 0, "UE", 2}, {1, 1, "BE", 2},
	}, drainFrags(t, q, 2))
}

// Several messages partly handed out at once: MidMessage until each is
// finished, Remove, Discard and DiscardAll account for them, and a
// switch of scheduler or of the interleaving mode keeps them.
func TestSendQueueInterleavePartial(t *testing.T) {
	q := queueWith(t, 4, RoundRobin, true)
	a, b, c, d := msg(1, 6, false), msg(2, 6, false), msg(3, 6, false), msg(3, 1, false)
	for _, m := range []*OutMessage{a, b, c, d} {
		require.NoError(t, q.Enqueue(m))
	}
	for range 3 {
		q.Next(2)
	}
	require.Equal(t, 2, a.SentBytes())
	require.Equal(t, 2, c.SentBytes())
	require.True(t, q.Remove(b))
	require.Equal(t, []*OutMessage{c, d}, q.Discard(3))
	require.True(t, q.MidMessage(), "a is still partly sent")
	require.Equal(t, 4, q.Buffered())

	require.NoError(t, q.Enqueue(b))
	require.NoError(t, q.Enqueue(c))
	q.Next(2) // a
	q.Next(2) // b
	require.Equal(t, []*OutMessage{a, b, c}, q.DiscardAll(), "the partly sent first")
	require.False(t, q.MidMessage())
	require.Zero(t, q.Buffered())

	// Turned off: each partly sent message is finished once picked.
	for _, m := range []*OutMessage{msg(1, 4, false), msg(2, 4, false)} {
		require.NoError(t, q.Enqueue(m))
	}
	q.Next(2)
	q.Next(2)
	q.SetInterleave(false)
	require.True(t, q.SetScheduler(FirstComeFirstServed))
	require.Equal(t, []fragOut{{1, 1, "E", 2}, {2, 2, "E", 2}}, drainFrags(t, q, 2))
	require.False(t, q.MidMessage())
}

// RFC 8260 Section 3.3: SCTP_SS_RR_PKT "only switches streams when
// starting to fill a new packet. It bundles only DATA or I-DATA chunks
// referring to the same stream in a packet."
func TestSendQueueRoundRobinPacket(t *testing.T) {
	// packets hands out fragments of 2 bytes, packets of at most 3
	// fragments, and returns the fragments of each packet.
	packets := func(q *SendQueue) [][]fragOut {
		var out [][]fragOut
		for q.Len() > 0 {
			q.StartPacket()
			var p []fragOut
			for range 3 {
				f, ok := q.Next(2)
				if !ok {
					break
				}
				p = append(p, fragOut{f.Stream, f.SSN, "", len(f.Data)})
			}
			require.NotEmpty(t, p, "a packet starts with the next stream")
			out = append(out, p)
		}
		return out
	}
	enqueue := func(q *SendQueue) {
		for _, m := range []*OutMessage{msg(1, 2, false), msg(1, 8, false), msg(2, 2, false), msg(2, 2, false), msg(3, 2, false)} {
			require.NoError(t, q.Enqueue(m))
		}
	}
	q := queueWith(t, 4, RoundRobinPacket, false)
	require.Equal(t, "SCTP_SS_RR_PKT", q.Scheduler().String())
	enqueue(q)
	require.Equal(t, [][]fragOut{
		{{1, 0, "", 2}, {1, 1, "", 2}, {1, 1, "", 2}},
		{{1, 1, "", 2}, {1, 1, "", 2}}, // the message begun goes on; then stream 1 is empty
		{{2, 0, "", 2}, {2, 1, "", 2}},
		{{3, 0, "", 2}},
	}, packets(q))

	q = queueWith(t, 4, RoundRobinPacket, true)
	enqueue(q)
	require.Equal(t, [][]fragOut{
		{{1, 0, "", 2}, {1, 1, "", 2}, {1, 1, "", 2}},
		{{2, 0, "", 2}, {2, 1, "", 2}},
		{{3, 0, "", 2}},
		{{1, 1, "", 2}, {1, 1, "", 2}}, // interleaved: the rest waits its turn
	}, packets(q))

	// A packet that begins with the rest of a message starts no other
	// message of its stream: one too large for the rest of the packet
	// would go on in the next, and the stream would never yield.
	q = queueWith(t, 4, RoundRobinPacket, false)
	for _, m := range []*OutMessage{msg(1, 8, false), msg(1, 8, false), msg(2, 2, false)} {
		require.NoError(t, q.Enqueue(m))
	}
	require.Equal(t, [][]fragOut{
		{{1, 0, "", 2}, {1, 0, "", 2}, {1, 0, "", 2}},
		{{1, 0, "", 2}},
		{{2, 0, "", 2}},
		{{1, 1, "", 2}, {1, 1, "", 2}, {1, 1, "", 2}},
		{{1, 1, "", 2}},
	}, packets(q))

	// Without StartPacket, the stream of the first packet keeps it.
	q = queueWith(t, 4, RoundRobinPacket, false)
	enqueue(q)
	for range 2 {
		f, ok := q.Next(100)
		require.True(t, ok)
		require.Equal(t, chunk.StreamID(1), f.Stream)
	}
	_, ok := q.Next(100)
	require.False(t, ok, "nothing more for this packet")
	require.Equal(t, 6, q.Buffered())
	n, ok := q.NextLen()
	require.False(t, ok, "nothing more for this packet")
	require.Zero(t, n)
	_, ok = q.Peek()
	require.False(t, ok)
	q.StartPacket()
	m, ok := q.Peek()
	require.True(t, ok)
	require.Equal(t, chunk.StreamID(2), m.Stream)
}

// RFC 8260 Section 3.4: "Streams having a higher priority will be
// scheduled first"; Section 4.3.2: "The higher the assigned value, the
// lower the priority. That is, the default value 0 is the highest
// priority". Equal priorities share round robin; with interleaving, "the
// sending of large, lower-priority user messages will not delay the
// sending of higher-priority user messages".
func TestSendQueuePriority(t *testing.T) {
	for _, interleave := range []bool{false, true} {
		q := queueWith(t, 5, Priority, interleave)
		for sid, prio := range map[chunk.StreamID]uint16{1: 5, 2: 1, 3: 1} {
			require.NoError(t, q.SetStreamValue(sid, prio))
		}
		require.NoError(t, q.Enqueue(msg(1, 6, false)))
		f, _ := q.Next(2) // stream 1 alone: served
		require.Equal(t, chunk.StreamID(1), f.Stream)
		for _, sid := range []chunk.StreamID{2, 2, 3, 4} {
			require.NoError(t, q.Enqueue(msg(sid, 2, false)))
		}
		got := drainFrags(t, q, 2)
		if interleave {
			require.Equal(t, []fragOut{
				{4, 0, "BE", 2}, {2, 0, "BE", 2}, {3, 0, "BE", 2}, {2, 1, "BE", 2},
				{1, 0, "", 2}, {1, 0, "E", 2},
			}, got)
		} else {
			require.Equal(t, []fragOut{
				{1, 0, "", 2}, {1, 0, "E", 2},
				{4, 0, "BE", 2}, {2, 0, "BE", 2}, {3, 0, "BE", 2}, {2, 1, "BE", 2},
			}, got)
		}
	}

	// A priority changed while the stream waits takes effect at once.
	q := queueWith(t, 3, Priority, false)
	require.NoError(t, q.Enqueue(msg(1, 2, false)))
	require.NoError(t, q.Enqueue(msg(2, 2, false)))
	require.NoError(t, q.SetStreamValue(1, 9))
	require.Equal(t, []fragOut{{2, 0, "BE", 2}, {1, 0, "BE", 2}}, drainFrags(t, q, 2))
	v, err := q.StreamValue(1)
	require.NoError(t, err)
	require.Equal(t, uint16(9), v)
}

func TestSendQueueStreamValue(t *testing.T) {
	q := queueWith(t, 3, WeightedFairQueueing, false)
	v, err := q.StreamValue(2)
	require.NoError(t, err)
	require.Equal(t, uint16(1), v, "default weight")
	require.ErrorIs(t, q.SetStreamValue(2, 0), ErrInvalidStreamValue)
	require.ErrorIs(t, q.SetStreamValue(3, 1), ErrInvalidStream)
	_, err = q.StreamValue(3)
	require.ErrorIs(t, err, ErrInvalidStream)
	require.NoError(t, q.SetStreamValue(2, 7))

	// Priorities and weights are kept apart across switches.
	require.True(t, q.SetScheduler(Priority))
	v, _ = q.StreamValue(2)
	require.Zero(t, v)
	require.NoError(t, q.SetStreamValue(2, 3))
	require.True(t, q.SetScheduler(WeightedFairQueueing))
	v, _ = q.StreamValue(2)
	require.Equal(t, uint16(7), v)

	// The schedulers without per-stream values ignore them.
	for _, s := range []Scheduler{RoundRobin, FirstComeFirstServed, RoundRobinPacket, FairBandwidth} {
		require.True(t, q.SetScheduler(s))
		require.NoError(t, q.SetStreamValue(1, 0))
		v, err = q.StreamValue(2)
		require.NoError(t, err)
		require.Zero(t, v, "%v", s)
	}
}

// shares keeps every listed stream backlogged with messages of its size
// and returns the bytes each stream got out of the first total bytes
// handed out in fragments of maxPayload.
func shares(t *testing.T, q *SendQueue, sizes map[chunk.StreamID]int, maxPayload, total int) map[chunk.StreamID]int {
	t.Helper()
	got := map[chunk.StreamID]int{}
	top := func() {
		for sid, n := range sizes {
			for q.BufferedOn(sid) < 4*n {
				require.NoError(t, q.Enqueue(msg(sid, n, false)))
			}
		}
	}
	for sent := 0; sent < total; {
		top()
		f, ok := q.Next(maxPayload)
		require.True(t, ok)
		got[f.Stream] += len(f.Data)
		sent += len(f.Data)
	}
	return got
}

// RFC 8260 Section 3.5 (SCTP_SS_FC): "schedules them in a specific way to
// maintain an equal capacity for all streams"; Section 3.6 (SCTP_SS_WFQ):
// "If the weight of stream S1 is n times the weight of stream S2, the
// scheduler should assign to stream S1 n times the capacity it assigns to
// stream S2." Messages of very different sizes, with and without
// interleaving: the byte shares follow the weights within one message of
// the largest size. Round robin, for contrast, shares by messages.
func TestSendQueueFairShares(t *testing.T) {
	sizes := map[chunk.StreamID]int{0: 100, 1: 1000, 2: 3000}
	const total = 600_000
	for _, tc := range []struct {
		sched   Scheduler
		weights map[chunk.StreamID]uint16
		want    map[chunk.StreamID]float64 // share of total
		wantIL  map[chunk.StreamID]float64 // with interleaving, if different
	}{
		{FairBandwidth, nil, map[chunk.StreamID]float64{0: 1. / 3, 1: 1. / 3, 2: 1. / 3}, nil},
		{WeightedFairQueueing, nil, map[chunk.StreamID]float64{0: 1. / 3, 1: 1. / 3, 2: 1. / 3}, nil},
		{WeightedFairQueueing, map[chunk.StreamID]uint16{0: 4, 1: 2, 2: 1}, map[chunk.StreamID]float64{0: 4. / 7, 1: 2. / 7, 2: 1. / 7}, nil},
		{WeightedFairQueueing, map[chunk.StreamID]uint16{0: 1, 1: 1, 2: 6}, map[chunk.StreamID]float64{0: 1. / 8, 1: 1. / 8, 2: 6. / 8}, nil},
		// Round robin: one message each per turn, or one fragment each
		// (100, 1000, and 1200, 1200, 600 bytes).
		{RoundRobin, nil, map[chunk.StreamID]float64{0: 100. / 4100, 1: 1000. / 4100, 2: 3000. / 4100},
			map[chunk.StreamID]float64{0: 100. / 2100, 1: 1000. / 2100, 2: 1000. / 2100}},
	} {
		for _, interleave := range []bool{false, true} {
			want := tc.want
			if interleave && tc.wantIL != nil {
				want = tc.wantIL
			}
			q := queueWith(t, 3, tc.sched, interleave)
			for sid, w := range tc.weights {
				require.NoError(t, q.SetStreamValue(sid, w))
			}
			got := shares(t, q, sizes, 1200, total)
			for sid, want := range want {
				require.InDelta(t, want*total, float64(got[sid]), 3000,
					"%v %v interleave %v: stream %d got %v", tc.sched, tc.weights, interleave, sid, got)
			}
		}
	}
}

// A stream that had nothing to send earns no credit: when it starts, it
// shares from then on and does not take the link until it has caught up
// with the bytes the others sent meanwhile.
func TestSendQueueFairIdleStream(t *testing.T) {
	q := queueWith(t, 2, FairBandwidth, true)
	shares(t, q, map[chunk.StreamID]int{0: 1000}, 1000, 100_000)
	got := shares(t, q, map[chunk.StreamID]int{0: 1000, 1: 1000}, 1000, 10_000)
	require.Equal(t, map[chunk.StreamID]int{0: 5000, 1: 5000}, got)
}

// The heap schedulers keep their accounting through Remove, Discard,
// DiscardAll and SetStreams.
func TestSendQueueHeapRemove(t *testing.T) {
	for _, s := range []Scheduler{Priority, FairBandwidth, WeightedFairQueueing} {
		q := queueWith(t, 6, s, true)
		ms := []*OutMessage{msg(1, 4, false), msg(2, 4, false), msg(3, 4, false), msg(4, 4, false), msg(5, 4, false)}
		for _, m := range ms {
			require.NoError(t, q.Enqueue(m))
		}
		q.Next(2)
		require.True(t, q.Remove(ms[2]))
		require.Equal(t, []*OutMessage{ms[3]}, q.Discard(4))
		require.Equal(t, []*OutMessage{ms[4]}, q.SetStreams(5))
		got := drainFrags(t, q, 4)
		require.Len(t, got, 2, "%v", s)
		require.Zero(t, q.heapLen(), "%v", s)
	}
}

// heapLen returns the number of streams in the heap.
func (q *SendQueue) heapLen() int { return len(q.heap.s) }

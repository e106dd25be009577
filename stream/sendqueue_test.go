package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// msg returns an OutMessage with data of n bytes.
func msg(sid chunk.StreamID, n int, unordered bool) *OutMessage {
	d := make([]byte, n)
	for i := range d {
		d[i] = byte(i)
	}
	return &OutMessage{Stream: sid, PPID: chunk.PPID(100 + sid), Unordered: unordered, Data: d}
}

// frag is the part of a Fragment the tests compare.
type fragOut struct {
	sid   chunk.StreamID
	ssn   chunk.SSN
	flags string
	n     int
}

// drainFrags calls Next(maxPayload) until the queue is empty.
func drainFrags(t *testing.T, q *SendQueue, maxPayload int) []fragOut {
	t.Helper()
	var got []fragOut
	for {
		f, ok := q.Next(maxPayload)
		if !ok {
			require.Zero(t, q.Len())
			require.Zero(t, q.Buffered())
			return got
		}
		require.Equal(t, f.Msg.PPID, f.PPID)
		require.Equal(t, f.Msg.Stream, f.Stream)
		fl := ""
		for _, x := range []struct {
			f chunk.DataFlags
			s string
		}{{chunk.FlagUnordered, "U"}, {chunk.FlagBeginning, "B"}, {chunk.FlagEnd, "E"}} {
			if f.Flags.Has(x.f) {
				fl += x.s
			}
		}
		got = append(got, fragOut{f.Stream, f.SSN, fl, len(f.Data)})
	}
}

func TestSendQueueEnqueueErrors(t *testing.T) {
	q := NewSendQueue(2)
	// RFC 9260 Section 3.3.1: "L MUST be greater than 0".
	require.ErrorIs(t, q.Enqueue(nil), ErrEmptyMessage)
	require.ErrorIs(t, q.Enqueue(&OutMessage{}), ErrEmptyMessage)
	require.ErrorIs(t, q.Enqueue(msg(2, 1, false)), ErrInvalidStream)
	m := msg(1, 1, false)
	require.NoError(t, q.Enqueue(m))
	require.ErrorIs(t, q.Enqueue(m), ErrAlreadyQueued)
	require.Equal(t, 1, q.Len())
	require.Equal(t, 2, q.Streams())
	require.Equal(t, 0, NewSendQueue(-1).Streams())
	require.Equal(t, MaxStreams, NewSendQueue(1<<20).Streams())
}

// RFC 9260 Section 6.9: "The data sender MUST break the user message into
// a series of DATA chunks", with B/E bits 10, 00, ..., 01, the same SSN on
// each (RFC 9260 Section 3.3.1), and the U bit on each fragment of an
// unordered message.
func TestSendQueueFragmentation(t *testing.T) {
	q := NewSendQueue(4)
	m := msg(3, 10, false)
	require.NoError(t, q.Enqueue(m))
	require.NoError(t, q.Enqueue(msg(3, 4, true)))
	require.NoError(t, q.Enqueue(msg(3, 4, false)))
	require.Equal(t, 18, q.Buffered())
	require.Equal(t, 18, q.BufferedOn(3))
	require.Zero(t, q.BufferedOn(2))
	require.Zero(t, q.BufferedOn(999))
	n, ok := q.NextLen()
	require.True(t, ok)
	require.Equal(t, 10, n)

	f, ok := q.Next(4)
	require.True(t, ok)
	require.Equal(t, m.Data[0:4], f.Data)
	require.Equal(t, 4, cap(f.Data), "a fragment must not expose the rest of the message")
	require.Same(t, m, f.Msg)
	require.Equal(t, 4, m.SentBytes())
	require.Equal(t, 14, q.Buffered())
	n, _ = q.NextLen()
	require.Equal(t, 6, n)
	require.Equal(t, []fragOut{
		{3, 0, "", 3}, {3, 0, "E", 3},
		{3, 0, "UB", 3}, {3, 0, "UE", 1},
		{3, 1, "B", 3}, {3, 1, "E", 1},
	}, drainFrags(t, q, 3))
	_, ok = q.NextLen()
	require.False(t, ok)
	_, ok = q.Next(0)
	require.False(t, ok)
}

// RFC 9260 Section 6.5: "The Stream Sequence Number in all the outgoing
// streams MUST start from 0 when the association is established. ... In
// particular, when the Stream Sequence Number reaches the value 65535, the
// next Stream Sequence Number MUST be set to 0. For unordered user
// messages, the Stream Sequence Number MUST NOT be changed."
func TestSendQueueSSN(t *testing.T) {
	q := NewSendQueue(2)
	one := []byte{1}
	for i := range 65536 + 2 {
		require.NoError(t, q.Enqueue(&OutMessage{Data: one}))
		if i%1000 == 0 {
			require.NoError(t, q.Enqueue(&OutMessage{Data: one, Unordered: true}))
		}
		require.NoError(t, q.Enqueue(&OutMessage{Stream: 1, Data: one}))
		want := chunk.SSN(i)
		for {
			f, ok := q.Next(100)
			if !ok {
				break
			}
			switch {
			case f.Flags.Has(chunk.FlagUnordered):
				require.Zero(t, f.SSN)
			default:
				require.Equal(t, want, f.SSN, "stream %d message %d", f.Stream, i)
				require.Equal(t, want, f.Msg.SSN())
			}
		}
	}
}

// RFC 8260 Section 3.2: "When not interleaving user messages, this
// scheduler provides a fair scheduling based on the number of user
// messages by cycling around non-empty stream queues."
func TestSendQueueRoundRobin(t *testing.T) {
	q := NewSendQueue(8)
	require.Equal(t, RoundRobin, q.Scheduler())
	for _, sid := range []chunk.StreamID{5, 5, 5, 2, 7, 2} {
		require.NoError(t, q.Enqueue(msg(sid, 3, false)))
	}
	got := []fragOut{}
	f, _ := q.Next(2) // stream 5 starts; its message finishes before any other
	got = append(got, fragOut{f.Stream, f.SSN, "", len(f.Data)})
	require.NoError(t, q.Enqueue(msg(1, 3, false))) // joins the end of the cycle
	got = append(got, drainFrags(t, q, 3)...)
	require.Equal(t, []fragOut{
		{5, 0, "", 2}, {5, 0, "E", 1},
		{2, 0, "BE", 3}, {7, 0, "BE", 3}, {1, 0, "BE", 3},
		{5, 1, "BE", 3}, {2, 1, "BE", 3}, {5, 2, "BE", 3},
	}, got)
}

// RFC 8260 Section 3.1: "It just passes through the messages in the order
// in which they have been delivered by the application."
func TestSendQueueFirstComeFirstServed(t *testing.T) {
	q := NewSendQueue(8)
	require.True(t, q.SetScheduler(FirstComeFirstServed))
	require.Equal(t, "SCTP_SS_FCFS", q.Scheduler().String())
	for _, sid := range []chunk.StreamID{5, 5, 2, 7, 2} {
		require.NoError(t, q.Enqueue(msg(sid, 3, false)))
	}
	require.Equal(t, []fragOut{
		{5, 0, "B", 2}, {5, 0, "E", 1}, {5, 1, "B", 2}, {5, 1, "E", 1},
		{2, 0, "B", 2}, {2, 0, "E", 1}, {7, 0, "B", 2}, {7, 0, "E", 1}, {2, 1, "B", 2}, {2, 1, "E", 1},
	}, drainFrags(t, q, 2))
}

func TestSendQueueSetScheduler(t *testing.T) {
	q := NewSendQueue(8)
	require.False(t, q.SetScheduler(Scheduler(9)))
	require.Equal(t, "Scheduler(9)", Scheduler(9).String())
	require.Equal(t, "SCTP_SS_RR", RoundRobin.String())
	for _, sid := range []chunk.StreamID{5, 5, 2, 7, 2} {
		require.NoError(t, q.Enqueue(msg(sid, 3, false)))
	}
	f, _ := q.Next(1) // stream 5, message 0 in progress
	require.Equal(t, chunk.StreamID(5), f.Stream)
	require.True(t, q.SetScheduler(FirstComeFirstServed))
	require.Equal(t, []fragOut{
		{5, 0, "E", 2}, {5, 1, "BE", 3}, {2, 0, "BE", 3}, {7, 0, "BE", 3}, {2, 1, "BE", 3},
	}, drainFrags(t, q, 3))

	for _, sid := range []chunk.StreamID{5, 5, 2, 7, 2} {
		require.NoError(t, q.Enqueue(msg(sid, 3, false)))
	}
	f, _ = q.Next(1)
	require.Equal(t, chunk.StreamID(5), f.Stream)
	require.True(t, q.SetScheduler(RoundRobin))
	require.Equal(t, []fragOut{
		{5, 2, "E", 2}, {2, 2, "BE", 3}, {7, 1, "BE", 3}, {5, 3, "BE", 3}, {2, 3, "BE", 3},
	}, drainFrags(t, q, 3))
}

func TestSendQueueDiscard(t *testing.T) {
	q := NewSendQueue(8)
	a, b, c, d := msg(1, 10, false), msg(1, 5, false), msg(2, 7, false), msg(3, 1, true)
	for _, m := range []*OutMessage{a, b, c, d} {
		require.NoError(t, q.Enqueue(m))
	}
	f, _ := q.Next(4)
	require.Same(t, a, f.Msg)
	require.Nil(t, q.Discard(6))

	// The partly sent message comes first and says so.
	got := q.Discard(1)
	require.Equal(t, []*OutMessage{a, b}, got)
	require.Equal(t, 4, a.SentBytes())
	require.Zero(t, b.SentBytes())
	require.Equal(t, 8, q.Buffered())
	require.Zero(t, q.BufferedOn(1))
	require.Equal(t, 2, q.Len())
	require.NoError(t, q.Enqueue(b), "a discarded message may be queued again")

	require.Equal(t, []fragOut{{2, 0, "BE", 7}, {3, 0, "UBE", 1}, {1, 1, "BE", 5}}, drainFrags(t, q, 100))
	require.Nil(t, q.DiscardAll())

	for _, m := range []*OutMessage{c, d, a} {
		require.NoError(t, q.Enqueue(m))
	}
	f, _ = q.Next(1)
	require.Same(t, c, f.Msg)
	require.Equal(t, []*OutMessage{c, a, d}, q.DiscardAll())
	require.Zero(t, q.Len())
	require.Zero(t, q.Buffered())
	_, ok := q.Next(100)
	require.False(t, ok)
	// The SSN counters are kept: stream 2 consumed SSN 0 and 1.
	require.NoError(t, q.Enqueue(msg(2, 1, false)))
	require.Equal(t, []fragOut{{2, 2, "BE", 1}}, drainFrags(t, q, 100))
}

func TestSendQueueDiscardFirstComeFirstServed(t *testing.T) {
	q := NewSendQueue(8)
	q.SetScheduler(FirstComeFirstServed)
	for _, sid := range []chunk.StreamID{1, 2, 1, 3, 1} {
		require.NoError(t, q.Enqueue(msg(sid, 2, false)))
	}
	require.Len(t, q.Discard(1), 3)
	require.Equal(t, []fragOut{{2, 0, "BE", 2}, {3, 0, "BE", 2}}, drainFrags(t, q, 100))
}

func TestSendQueueSetStreams(t *testing.T) {
	q := NewSendQueue(10)
	a, b, c := msg(2, 3, false), msg(8, 3, false), msg(9, 3, false)
	for _, m := range []*OutMessage{a, b, c} {
		require.NoError(t, q.Enqueue(m))
	}
	require.Nil(t, q.SetStreams(20))
	// The peer's MIS is 5: messages queued beyond it cannot be sent.
	require.Equal(t, []*OutMessage{b, c}, q.SetStreams(5))
	require.Equal(t, 5, q.Streams())
	require.ErrorIs(t, q.Enqueue(b), ErrInvalidStream)
	require.Equal(t, []fragOut{{2, 0, "BE", 3}}, drainFrags(t, q, 100))
	require.Nil(t, q.SetStreams(10))
	require.NoError(t, q.Enqueue(b))
	require.Equal(t, []fragOut{{8, 0, "BE", 3}}, drainFrags(t, q, 100))
}

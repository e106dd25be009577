package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// Remove takes a message out wherever it is (waiting, or partly handed
// out), under both schedulers; the others go out in the order they would
// have, and the byte and message counts follow. Peek shows what Next
// takes from; Each walks every message queued.
func TestSendQueueRemove(t *testing.T) {
	for _, sched := range []Scheduler{RoundRobin, FirstComeFirstServed} {
		q := NewSendQueue(3)
		q.SetScheduler(sched)
		msg := func(sid chunk.StreamID, data string) *OutMessage {
			m := &OutMessage{Stream: sid, Data: []byte(data)}
			require.NoError(t, q.Enqueue(m))
			return m
		}
		a0, a1, b0, a2, c0 := msg(0, "a0a0"), msg(0, "a1"), msg(1, "b0"), msg(0, "a2"), msg(2, "c0")
		p, ok := q.Peek()
		require.True(t, ok)
		require.Same(t, a0, p)
		f, ok := q.Next(2) // a0 partly handed out
		require.True(t, ok)
		require.Same(t, a0, f.Msg)
		var all []*OutMessage
		q.Each(func(m *OutMessage) bool { all = append(all, m); return true })
		require.Equal(t, []*OutMessage{a0, a1, a2, b0, c0}, all, "%v", sched)

		require.True(t, q.Remove(a1), "%v: a waiting message", sched)
		require.False(t, q.Remove(a1), "%v: removed already", sched)
		require.True(t, q.Remove(a0), "%v: the message being handed out", sched)
		require.Equal(t, 2, a0.SentBytes())
		require.True(t, q.Remove(c0), "%v: a stream's only message", sched)
		require.Equal(t, 2, q.Len())
		require.Equal(t, 4, q.Buffered())
		var order []string
		for {
			f, ok := q.Next(100)
			if !ok {
				break
			}
			order = append(order, string(f.Data))
		}
		// Round robin: stream 0 rejoins the cycle at its end, as after a
		// message sent whole.
		require.Equal(t, []string{"b0", "a2"}, order, "%v", sched)
		require.Zero(t, q.Buffered())
		require.Zero(t, q.Len())
		_, ok = q.Peek()
		require.False(t, ok)
		require.Equal(t, chunk.SSN(1), a2.SSN(), "%v: a0 took SSN 0, a1 none", sched)
	}
	var nilQ *SendQueue
	require.False(t, nilQ.Remove(&OutMessage{}))
	nilQ.Each(func(*OutMessage) bool { t.Fatal("nil queue"); return true })
}

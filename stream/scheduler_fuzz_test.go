package stream

import (
	"slices"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// schedModel is what every scheduler, with or without interleaving,
// must keep of a SendQueue: each stream a FIFO whose messages go out
// whole and in order, a message's fragments back to back unless
// interleaving, consecutive SSNs, the accounting, MidMessage, and work
// conservation (except for RoundRobinPacket within a packet).
type schedModel struct {
	t       *testing.T
	q       *SendQueue
	streams int
	fifo    map[chunk.StreamID][]*OutMessage
	sent    map[*OutMessage]int
	nextSSN map[chunk.StreamID]chunk.SSN
	last    *OutMessage // the message of the last fragment, if not finished
}

func (m *schedModel) enqueue(sid chunk.StreamID, n int) {
	msg := &OutMessage{Stream: sid, Data: make([]byte, n)}
	if enqueueChecked(m.t, m.q, msg, m.streams) {
		m.fifo[sid] = append(m.fifo[sid], msg)
		m.sent[msg] = 0
	}
}

func (m *schedModel) next(maxPayload int) {
	f, ok := m.q.Next(maxPayload)
	if !ok {
		require.True(m.t, maxPayload <= 0 || len(m.sent) == 0 || m.q.Scheduler() == RoundRobinPacket,
			"work-conserving: %d messages queued", len(m.sent))
		return
	}
	msg := f.Msg
	off, queued := m.sent[msg]
	require.True(m.t, queued)
	require.Same(m.t, m.fifo[msg.Stream][0], msg, "each stream is a FIFO")
	if m.last != nil && !m.q.Interleave() {
		require.Same(m.t, m.last, msg, "fragments of a message go back to back")
	}
	require.Equal(m.t, off == 0, f.Flags.Has(chunk.FlagBeginning))
	if off == 0 {
		require.Equal(m.t, m.nextSSN[msg.Stream], f.SSN, "SSNs per stream are consecutive")
		m.nextSSN[msg.Stream]++
	}
	require.Same(m.t, &msg.Data[off], &f.Data[0], "the fragment continues the message")
	off += len(f.Data)
	require.Equal(m.t, off == len(msg.Data), f.Flags.Has(chunk.FlagEnd))
	m.sent[msg], m.last = off, msg
	if off == len(msg.Data) {
		m.forget(msg)
	}
}

// forget drops msg, sent whole or removed.
func (m *schedModel) forget(msg *OutMessage) {
	m.fifo[msg.Stream] = slices.DeleteFunc(m.fifo[msg.Stream], func(x *OutMessage) bool { return x == msg })
	delete(m.sent, msg)
	if m.last == msg {
		m.last = nil
	}
}

func (m *schedModel) removed(got []*OutMessage) {
	for _, msg := range got {
		_, queued := m.sent[msg]
		require.True(m.t, queued)
		require.Equal(m.t, m.sent[msg], msg.SentBytes())
		m.forget(msg)
	}
}

func (m *schedModel) check() {
	total, partial := 0, false
	for msg, off := range m.sent {
		total += len(msg.Data) - off
		partial = partial || off > 0
	}
	require.Equal(m.t, total, m.q.Buffered())
	require.Equal(m.t, len(m.sent), m.q.Len())
	require.Equal(m.t, partial, m.q.MidMessage())
	if n, ok := m.q.NextLen(); ok {
		p, _ := m.q.Peek()
		require.Equal(m.t, len(p.Data)-m.sent[p], n)
		require.Same(m.t, m.fifo[p.Stream][0], p)
	}
}

// checkSchedulers applies the operations the input encodes to a
// SendQueue and to the model.
func checkSchedulers(t *testing.T, data []byte) {
	in := &input{b: data}
	m := &schedModel{t: t, q: NewSendQueue(1 + in.n(6)), fifo: map[chunk.StreamID][]*OutMessage{},
		sent: map[*OutMessage]int{}, nextSSN: map[chunk.StreamID]chunk.SSN{}}
	m.streams = m.q.Streams()
	m.q.SetScheduler(Scheduler(in.n(int(numSchedulers))))
	m.q.SetInterleave(in.n(2) == 1)
	for in.more() {
		switch op := in.n(20); {
		case op < 7:
			m.enqueue(chunk.StreamID(in.n(7)), in.n(40))
		case op < 13:
			m.next(in.n(30))
		case op == 13:
			m.q.StartPacket()
		case op == 14:
			m.removed(m.q.Discard(chunk.StreamID(in.n(7))))
		case op == 15:
			if msgs := m.fifo[chunk.StreamID(in.n(7))]; len(msgs) > 0 {
				msg := msgs[in.n(len(msgs))]
				require.True(t, m.q.Remove(msg))
				m.removed([]*OutMessage{msg})
			}
		case op == 16:
			m.removed(m.q.DiscardAll())
		case op == 17:
			require.True(t, m.q.SetScheduler(Scheduler(in.n(int(numSchedulers)))))
		case op == 18:
			_ = m.q.SetStreamValue(chunk.StreamID(in.n(7)), uint16(in.n(4)))
		default:
			m.q.SetInterleave(in.n(2) == 1)
			if !m.q.Interleave() && m.last != nil && m.sent[m.last] > 0 {
				m.last = nil // the messages partly sent finish one by one
			}
		}
		m.check()
	}
	for len(m.sent) > 0 {
		m.q.StartPacket()
		m.next(1 + in.n(30))
		m.check()
	}
}

// FuzzSendQueueSchedulers is the model-based fuzz target for the
// schedulers and the interleaving mode.
func FuzzSendQueueSchedulers(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 3, 1, 0, 1, 30, 0, 2, 30, 7, 10, 8, 9, 13, 9, 19, 1, 9, 2})
	f.Add([]byte{5, 4, 0, 0, 1, 25, 0, 3, 25, 18, 3, 2, 7, 20, 15, 3, 0, 17, 2, 9, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzOps {
			return
		}
		checkSchedulers(t, data)
	})
}

// TestSendQueueSchedulersModel runs the fuzz check on seeded random
// inputs.
func TestSendQueueSchedulersModel(t *testing.T) {
	randomInputs(t, 400, 300, checkSchedulers)
}

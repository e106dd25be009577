package stream

import (
	"slices"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// sendModel is the expected behaviour of a SendQueue.
type sendModel struct {
	t       *testing.T
	q       *SendQueue
	streams int
	fifo    map[chunk.StreamID][]*OutMessage // queued messages, front first
	nextSSN map[chunk.StreamID]chunk.SSN
	order   []*OutMessage // every queued message in enqueue order
	cur     *OutMessage   // partly handed out
	sent    map[*OutMessage]int
	// served[s][x] counts the messages stream x started since stream s
	// last started one or joined the round-robin cycle.
	served map[chunk.StreamID]map[chunk.StreamID]int
}

func newSendModel(t *testing.T, streams int) *sendModel {
	return &sendModel{
		t: t, q: NewSendQueue(streams), streams: streams,
		fifo: map[chunk.StreamID][]*OutMessage{}, nextSSN: map[chunk.StreamID]chunk.SSN{},
		sent: map[*OutMessage]int{}, served: map[chunk.StreamID]map[chunk.StreamID]int{},
	}
}

func (m *sendModel) enqueue(sid chunk.StreamID, n int, unordered bool) {
	msg := &OutMessage{Stream: sid, Unordered: unordered, PPID: chunk.PPID(len(m.sent)), Data: make([]byte, n)}
	for i := range msg.Data {
		msg.Data[i] = byte(len(m.sent) + i)
	}
	if enqueueChecked(m.t, m.q, msg, m.streams) {
		if len(m.fifo[sid]) == 0 || len(m.fifo[sid]) == 1 && m.fifo[sid][0] == m.cur {
			m.served[sid] = map[chunk.StreamID]int{} // joins the cycle
		}
		m.fifo[sid] = append(m.fifo[sid], msg)
		m.order = append(m.order, msg)
		m.sent[msg] = 0
	}
}

// enqueueChecked enqueues msg in q of the given number of streams,
// checks the error Enqueue must return, and reports whether it queued.
func enqueueChecked(t *testing.T, q *SendQueue, msg *OutMessage, streams int) bool {
	err := q.Enqueue(msg)
	switch {
	case len(msg.Data) == 0:
		require.ErrorIs(t, err, ErrEmptyMessage)
	case int(msg.Stream) >= streams:
		require.ErrorIs(t, err, ErrInvalidStream)
	default:
		require.NoError(t, err)
		return true
	}
	return false
}

func (m *sendModel) next(maxPayload int) {
	f, ok := m.q.Next(maxPayload)
	if maxPayload <= 0 || len(m.order) == 0 {
		require.False(m.t, ok)
		return
	}
	require.True(m.t, ok, "work-conserving: Next must serve a queued message")
	msg := f.Msg
	off, queued := m.sent[msg]
	require.True(m.t, queued)
	if m.cur != nil {
		require.Same(m.t, m.cur, msg, "fragments of a message go back to back")
	} else {
		m.start(msg)
	}
	n := min(maxPayload, len(msg.Data)-off)
	require.Len(m.t, f.Data, n)
	require.Same(m.t, &msg.Data[off], &f.Data[0], "zero copy")
	require.Equal(m.t, msg.Stream, f.Stream)
	require.Equal(m.t, msg.PPID, f.PPID)
	require.Equal(m.t, msg.Unordered, f.Flags.Has(chunk.FlagUnordered))
	require.Equal(m.t, off == 0, f.Flags.Has(chunk.FlagBeginning))
	require.Equal(m.t, off+n == len(msg.Data), f.Flags.Has(chunk.FlagEnd))
	if msg.Unordered {
		require.Zero(m.t, f.SSN)
	} else {
		require.Equal(m.t, m.nextSSN[msg.Stream]-1, f.SSN, "SSNs per stream are consecutive")
	}
	m.sent[msg] = off + n
	m.cur = msg
	if off+n == len(msg.Data) {
		m.remove(msg)
		m.cur = nil
	}
}

// start checks the scheduler's choice of msg and assigns its SSN.
func (m *sendModel) start(msg *OutMessage) {
	sid := msg.Stream
	require.Same(m.t, m.fifo[sid][0], msg, "each stream is a FIFO")
	if m.q.Scheduler() == FirstComeFirstServed {
		require.Same(m.t, m.order[0], msg, "first come, first served")
	} else if served := m.served[sid]; served != nil {
		for x, k := range served {
			require.LessOrEqual(m.t, k, 1, "round robin: stream %d started %d messages before stream %d's turn", x, k, sid)
		}
	}
	m.served[sid] = map[chunk.StreamID]int{}
	for s := range m.served {
		if s != sid {
			m.served[s][sid]++
		}
	}
	if !msg.Unordered {
		m.nextSSN[sid]++
	}
}

// remove forgets msg, which was completely sent or discarded.
func (m *sendModel) remove(msg *OutMessage) {
	m.fifo[msg.Stream] = slices.DeleteFunc(m.fifo[msg.Stream], func(x *OutMessage) bool { return x == msg })
	m.order = slices.DeleteFunc(m.order, func(x *OutMessage) bool { return x == msg })
	delete(m.sent, msg)
}

// discarded checks a list returned by Discard, DiscardAll or SetStreams.
func (m *sendModel) discarded(got, want []*OutMessage) {
	if len(want) == 0 {
		want = nil
	}
	require.Equal(m.t, want, got)
	for _, msg := range got {
		require.Equal(m.t, m.sent[msg], msg.SentBytes())
		if msg == m.cur {
			m.cur = nil
		}
		m.remove(msg)
	}
}

func (m *sendModel) discard(sid chunk.StreamID) {
	want := slices.Clone(m.fifo[sid])
	m.discarded(m.q.Discard(sid), want)
	delete(m.served, sid)
}

func (m *sendModel) discardAll() {
	var want []*OutMessage
	if m.cur != nil {
		want = append(want, m.cur)
	}
	for sid := range chunk.StreamID(MaxStreams) {
		for _, msg := range m.fifo[sid] {
			if msg != m.cur {
				want = append(want, msg)
			}
		}
		if sid > 8 {
			break
		}
	}
	m.discarded(m.q.DiscardAll(), want)
	clear(m.served)
}

func (m *sendModel) setStreams(n int) {
	var want []*OutMessage
	for sid := chunk.StreamID(n); int(sid) < max(m.streams, n); sid++ {
		want = append(want, m.fifo[sid]...)
		delete(m.nextSSN, sid)
	}
	if n >= m.streams {
		want = nil
	}
	m.discarded(m.q.SetStreams(n), want)
	m.streams = n
	clear(m.served)
}

// check compares the accounting with the model.
func (m *sendModel) check() {
	total := 0
	for sid := range chunk.StreamID(9) {
		on := 0
		for _, msg := range m.fifo[sid] {
			on += len(msg.Data) - m.sent[msg]
		}
		require.Equal(m.t, on, m.q.BufferedOn(sid), "stream %d", sid)
		total += on
	}
	require.Equal(m.t, total, m.q.Buffered())
	require.Equal(m.t, len(m.order), m.q.Len())
	n, ok := m.q.NextLen()
	require.Equal(m.t, len(m.order) > 0, ok)
	if m.cur != nil {
		require.Equal(m.t, len(m.cur.Data)-m.sent[m.cur], n)
	}
}

// checkSendQueue applies the operations the input encodes to a SendQueue
// and to the model.
func checkSendQueue(t *testing.T, data []byte) {
	in := &input{b: data}
	m := newSendModel(t, 1+in.n(8))
	if in.n(2) == 1 {
		m.q.SetScheduler(FirstComeFirstServed)
	}
	for in.more() {
		switch op := in.n(16); {
		case op < 7:
			m.enqueue(chunk.StreamID(in.n(9)), in.n(50), in.n(4) == 0)
		case op < 13:
			m.next(in.n(40))
		case op == 13:
			m.discard(chunk.StreamID(in.n(9)))
		case op == 14:
			m.discardAll()
		default:
			switch in.n(3) {
			case 0:
				m.setStreams(1 + in.n(8))
			case 1:
				m.q.SetScheduler(Scheduler(in.n(2)))
				clear(m.served)
			default:
				m.discardAll()
			}
		}
		m.check()
	}
	for len(m.order) > 0 {
		m.next(1 + in.n(40))
		m.check()
	}
	m.next(1)
}

// FuzzSendQueue is the model-based fuzz target for SendQueue.
// maxFuzzOps bounds the inputs of the stream fuzz targets: the model
// checks are quadratic, and a long input would make one execution, and
// the minimizing of a new input, take seconds.
const maxFuzzOps = 2048

func FuzzSendQueue(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 0, 0, 10, 0, 0, 1, 20, 1, 0, 2, 5, 0, 8, 5, 9, 3, 8, 7, 10, 0, 13, 1})
	f.Add([]byte{7, 1, 0, 3, 30, 0, 0, 4, 30, 1, 0, 5, 2, 2, 9, 15, 1, 1, 9, 20, 15, 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzOps {
			return // long inputs add little and make minimizing slow
		}
		checkSendQueue(t, data)
	})
}

// TestSendQueueModel runs the fuzz check on seeded random inputs.
func TestSendQueueModel(t *testing.T) {
	randomInputs(t, 400, 300, checkSendQueue)
}

package stream

import (
	"bytes"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// modelMsg is a message of the reassembly model.
type modelMsg struct {
	sid       chunk.StreamID
	ssn       chunk.SSN
	unordered bool
	data      []byte
	frags     []int // chunk indexes, in TSN order
	got       []byte
	pieces    int
	done      bool
}

// modelChunk is a DATA chunk of the model, with the message it belongs to.
type modelChunk struct {
	tsn   chunk.TSN
	d     chunk.Data
	msg   int
	added bool
}

// reassemblyModel is the sender side and the expected receiver behaviour.
type reassemblyModel struct {
	streams int
	point   int
	level   int // fragment interleave
	msgs    []*modelMsg
	chunks  []*modelChunk
	nextSSN []chunk.SSN // sender: next SSN per stream
	added   int         // bytes added
	popped  int         // bytes popped
}

// newReassemblyModel generates messages on several streams, fragments
// them and numbers the fragments with consecutive TSNs, as a sender does.
func newReassemblyModel(in *input) *reassemblyModel {
	m := &reassemblyModel{streams: 1 + in.n(4)}
	if in.n(3) != 0 {
		m.point = 1 + in.n(64)
	}
	m.level = in.n(3)
	m.nextSSN = make([]chunk.SSN, m.streams)
	tsn := chunk.TSN(in.u32())
	for range 1 + in.n(24) {
		msg := &modelMsg{sid: chunk.StreamID(in.n(m.streams)), unordered: in.n(4) == 0}
		if !msg.unordered {
			msg.ssn = m.nextSSN[msg.sid]
			m.nextSSN[msg.sid]++
		} else {
			msg.ssn = chunk.SSN(in.byte()) // arbitrary: the receiver ignores it
		}
		msg.data = make([]byte, 1+in.n(120))
		for i := range msg.data {
			msg.data[i] = byte(len(m.msgs)*7 + i)
		}
		size := 1 + in.n(40)
		for off := 0; off < len(msg.data); off += size {
			end := min(off+size, len(msg.data))
			var f chunk.DataFlags
			if msg.unordered {
				f |= chunk.FlagUnordered
			}
			if off == 0 {
				f |= chunk.FlagBeginning
			}
			if end == len(msg.data) {
				f |= chunk.FlagEnd
			}
			msg.frags = append(msg.frags, len(m.chunks))
			m.chunks = append(m.chunks, &modelChunk{tsn: tsn, msg: len(m.msgs), d: chunk.Data{
				Flags: f, StreamID: msg.sid, SSN: msg.ssn, PPID: chunk.PPID(len(m.msgs)),
				UserData: msg.data[off:end],
			}})
			tsn++
		}
		m.msgs = append(m.msgs, msg)
	}
	return m
}

// contiguous returns the bytes of msg present from its B fragment on.
func (m *reassemblyModel) contiguous(msg *modelMsg) (n int, complete bool) {
	for _, i := range msg.frags {
		if !m.chunks[i].added {
			return n, false
		}
		n += len(m.chunks[i].d.UserData)
	}
	return n, true
}

// inPartial returns the message of stream sid under partial delivery in
// the model (pieces handed out, last one not yet), or nil.
func (m *reassemblyModel) inPartial(sid chunk.StreamID) *modelMsg {
	for _, msg := range m.msgs {
		if msg.sid == sid && msg.pieces > 0 && !msg.done {
			return msg
		}
	}
	return nil
}

// blocking returns the message whose partial delivery blocks every other
// delivery (fragment interleave below 2), or nil.
func (m *reassemblyModel) blocking() *modelMsg {
	if m.level == 2 {
		return nil
	}
	for sid := range chunk.StreamID(m.streams) {
		if pd := m.inPartial(sid); pd != nil {
			return pd
		}
	}
	return nil
}

// pop checks one delivery against the model.
func (m *reassemblyModel) pop(t *testing.T, got InMessage) {
	var msg *modelMsg
	if b := m.blocking(); b != nil {
		msg = b
		require.Equal(t, b.sid, got.Stream, "a partial delivery blocks the association")
	} else if pd := m.inPartial(got.Stream); pd != nil {
		msg = pd // nothing of the stream overtakes a partial delivery
	} else {
		for _, x := range m.msgs {
			if x.sid == got.Stream && !x.done && x.unordered == got.Unordered &&
				(x.unordered && bytes.HasPrefix(x.data, got.Data) || !x.unordered && x.ssn == got.SSN) {
				msg = x
				break
			}
		}
	}
	require.NotNil(t, msg, "unexpected delivery %+v", got)
	require.Equal(t, msg.unordered, got.Unordered)
	require.Equal(t, msg.ssn, got.SSN)
	require.Equal(t, chunk.PPID(m.chunks[msg.frags[0]].msg), got.PPID)
	require.Equal(t, msg.data[len(msg.got):len(msg.got)+len(got.Data)], got.Data)
	if !msg.unordered {
		for _, x := range m.msgs {
			if x.sid == msg.sid && !x.unordered && x.ssn.LT(msg.ssn) {
				require.True(t, x.done, "SSN %d delivered before %d", msg.ssn, x.ssn)
			}
		}
	}
	first, last := m.tsnAt(msg, len(msg.got)), m.tsnAt(msg, len(msg.got)+len(got.Data)-1)
	require.Equal(t, first, got.FirstTSN)
	require.Equal(t, last, got.LastTSN)
	msg.got = append(msg.got, got.Data...)
	m.popped += len(got.Data)
	complete := len(msg.got) == len(msg.data)
	require.Equal(t, complete, got.EndOfMessage)
	require.Equal(t, !complete || msg.pieces > 0, got.Partial)
	if got.Partial {
		require.Positive(t, m.point)
		require.Greater(t, len(msg.data), m.point, "a message within the point is whole")
		if msg.pieces == 0 {
			require.GreaterOrEqual(t, len(got.Data), m.point)
		}
	}
	msg.pieces++
	msg.done = complete
}

// tsnAt returns the TSN of the fragment of msg holding byte off.
func (m *reassemblyModel) tsnAt(msg *modelMsg, off int) chunk.TSN {
	for _, i := range msg.frags {
		if n := len(m.chunks[i].d.UserData); off >= n {
			off -= n
		} else {
			return m.chunks[i].tsn
		}
	}
	return 0
}

// live checks, once everything deliverable was popped, that nothing
// deliverable is left behind.
func (m *reassemblyModel) live(t *testing.T) {
	if b := m.blocking(); b != nil {
		n, _ := m.contiguous(b)
		require.Equal(t, n, len(b.got), "partial delivery stalled")
		return
	}
	for sid := range chunk.StreamID(m.streams) {
		if pd := m.inPartial(sid); pd != nil {
			n, _ := m.contiguous(pd)
			require.Equal(t, n, len(pd.got), "partial delivery of stream %d stalled", sid)
			continue
		}
		head := true // no undelivered ordered message before
		for _, x := range m.msgs {
			if x.sid != sid || x.done {
				continue
			}
			n, complete := m.contiguous(x)
			eligible := x.unordered || head
			require.False(t, eligible && complete, "stream %d SSN %d deliverable but held", sid, x.ssn)
			require.False(t, eligible && m.point > 0 && n >= m.point,
				"stream %d SSN %d should be under partial delivery", sid, x.ssn)
			if !x.unordered {
				head = false
			}
		}
	}
}

// traceReassembly logs every step of checkReassembly, for debugging.
var traceReassembly = false

// checkReassembly feeds the chunks in an order the input chooses, popping
// at points the input chooses, and compares with the model.
func checkReassembly(t *testing.T, data []byte) {
	in := &input{b: data}
	m := newReassemblyModel(in)
	r := NewReassembly(m.streams)
	r.SetPartialDeliveryPoint(m.point)
	require.True(t, r.SetFragmentInterleave(m.level))
	popAll := func() {
		ready, pops := r.Len(), 0
		defer func() {
			if m.level == 2 {
				require.Equal(t, ready, pops, "Len")
			} else {
				require.LessOrEqual(t, pops, ready, "Len")
			}
		}()
		for {
			got, ok := r.Pop()
			if !ok {
				break
			}
			if traceReassembly {
				t.Logf("pop sid %d ssn %d u %v len %d partial %v eom %v", got.Stream, got.SSN, got.Unordered, len(got.Data), got.Partial, got.EndOfMessage)
			}
			m.pop(t, got)
			r.Release(got.Data)
			pops++
		}
		require.Equal(t, m.added-m.popped, r.Buffered())
		m.live(t)
		// Only streams with chunks held or a partial delivery under way
		// keep state beyond their next SSN.
		pds := 0
		for sid := range chunk.StreamID(m.streams) {
			if m.inPartial(sid) != nil {
				pds++
			}
		}
		require.LessOrEqual(t, r.BusyStreams(), r.Chunks()+pds, "busy streams")
		// A run of chunks (with at least one chunk, but for a message
		// under partial delivery between pieces: at most one a busy
		// stream) and each fragment kept apart are a record each.
		require.LessOrEqual(t, r.Records(), 2*r.Chunks()+r.BusyStreams(), "records")
		if r.Chunks() > 0 {
			require.Positive(t, r.Records(), "records of held chunks")
		}
	}
	left := make([]int, len(m.chunks))
	for i := range left {
		left[i] = i
	}
	for len(left) > 0 {
		// The association hands each TSN to Add once, in any order.
		k := in.n(len(left))
		c := m.chunks[left[k]]
		left[k] = left[len(left)-1]
		left = left[:len(left)-1]
		d := c.d
		d.UserData = append([]byte(nil), d.UserData...)
		if traceReassembly {
			t.Logf("add %v sid %d ssn %d %v len %d", c.tsn, d.StreamID, d.SSN, d.Flags, len(d.UserData))
		}
		require.NoError(t, r.Add(c.tsn, &d))
		clear(d.UserData) // the packet buffer is reused
		c.added = true
		m.added += len(d.UserData)
		require.Equal(t, m.added-m.popped, r.Buffered())
		if in.n(3) == 0 || !in.more() {
			popAll()
			if in.more() && in.n(2) == 0 {
				left = m.renege(t, r, in, left)
			}
		}
	}
	popAll()
	for _, x := range m.msgs {
		require.True(t, x.done, "message on stream %d SSN %d not delivered", x.sid, x.ssn)
	}
	require.Zero(t, r.Buffered())
	require.Zero(t, r.Chunks())
	require.Zero(t, r.Records())
	require.Zero(t, r.BusyStreams(), "idle streams keep no state")
	require.Empty(t, r.held)
}

// renege calls Renege, right after everything deliverable was popped,
// with bounds the input chooses among the TSNs of the model, checks what
// it dropped against the model and returns left with the chunks dropped,
// which the peer sends again. At fragment interleave level 2, where
// everything held and not popped is held for reassembly or reordering,
// the run dropped is the one with the highest TSNs: the maximal run of
// consecutive held chunks of one message that holds the highest held TSN.
func (m *reassemblyModel) renege(t *testing.T, r *Reassembly, in *input, left []int) []int {
	after := m.chunks[in.n(len(m.chunks))].tsn - chunk.TSN(in.n(2))
	upTo := m.chunks[len(m.chunks)-1].tsn - chunk.TSN(in.n(2))
	// held reports whether the chunk i was added and not yet popped.
	held := func(i int) bool {
		c := m.chunks[i]
		msg := m.msgs[c.msg]
		off := 0
		for _, j := range msg.frags {
			if j == i {
				break
			}
			off += len(m.chunks[j].d.UserData)
		}
		return c.added && off >= len(msg.got)
	}
	lo, hi := -1, -1 // the run with the highest held TSN (chunks are in TSN order)
	for i := len(m.chunks) - 1; i >= 0 && lo < 0; i-- {
		if held(i) {
			hi, lo = i, i
			for lo > 0 && held(lo-1) && m.chunks[lo-1].msg == m.chunks[i].msg {
				lo--
			}
		}
	}
	buffered := r.Buffered()
	first, last, ok := r.Renege(after, upTo)
	if traceReassembly {
		t.Logf("renege after %v up to %v: %v %v %v", after, upTo, first, last, ok)
	}
	if m.level == 2 {
		want := lo >= 0 && m.chunks[lo].tsn.GT(after) && !m.chunks[hi].tsn.GT(upTo)
		require.Equal(t, want, ok, "renege")
		if ok {
			require.Equal(t, m.chunks[lo].tsn, first)
			require.Equal(t, m.chunks[hi].tsn, last)
		}
	}
	if !ok {
		require.Equal(t, buffered, r.Buffered())
		return left
	}
	require.True(t, first.GT(after) && !last.GT(upTo) && first.LE(last))
	dropped := 0
	for i, c := range m.chunks {
		if c.tsn.LT(first) || c.tsn.GT(last) {
			continue
		}
		require.True(t, held(i), "TSN %v dropped, not held", c.tsn)
		require.Equal(t, m.chunks[int(first.Sub(m.chunks[0].tsn))].msg, c.msg, "one message")
		c.added = false
		m.added -= len(c.d.UserData)
		dropped += len(c.d.UserData)
		left = append(left, i)
	}
	require.Equal(t, buffered-dropped, r.Buffered())
	return left
}

// FuzzReassembly is the model-based fuzz target for Reassembly.
func FuzzReassembly(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 1, 0, 0, 0, 0, 5, 0, 1, 0, 30, 7, 1, 2, 50, 3, 9, 0, 9, 0, 2, 4, 4, 4})
	f.Add([]byte{1, 0, 0xff, 0xff, 0xff, 0xf0, 10, 0, 0, 200, 2, 1, 1, 120, 3, 5, 5, 5, 5, 5, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzOps {
			return // long inputs add little and make minimizing slow
		}
		checkReassembly(t, data)
	})
}

// TestReassemblyModel runs the fuzz check on seeded random inputs.
func TestReassemblyModel(t *testing.T) {
	randomInputs(t, 400, 300, checkReassembly)
}

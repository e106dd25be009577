package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// iin is one I-DATA chunk fed to Reassembly.AddI, with the error
// expected.
type iin struct {
	tsn   chunk.TSN
	sid   chunk.StreamID
	mid   chunk.MID
	fsn   chunk.FSN
	flags string
	data  string
	err   error
}

// newIReassembly returns a Reassembly taking I-DATA on 4 streams.
func newIReassembly() *Reassembly {
	r := NewReassembly(4)
	r.SetIData(true)
	return r
}

// feedI adds every chunk, checks the errors and Buffered, pops after
// each chunk and returns everything delivered.
func feedI(t *testing.T, r *Reassembly, chunks []iin) []out {
	t.Helper()
	var got []out
	for i, c := range chunks {
		before := r.Buffered()
		d := &chunk.IData{StreamID: c.sid, MID: c.mid, FSN: c.fsn, Flags: fl(c.flags),
			PPID: chunk.PPID(c.sid), UserData: []byte(c.data)}
		got = append(got, checkAdded(t, r, i, before, r.AddI(c.tsn, d), c.err, d.UserData)...)
	}
	return got
}

func TestIReassemblyDelivery(t *testing.T) {
	tests := []struct {
		name   string
		chunks []iin
		want   []out
	}{{
		name:   "single chunk message",
		chunks: []iin{{tsn: 1, sid: 1, flags: "BE", data: "hi"}},
		want:   []out{whole(1, 0, "hi")},
	}, {
		// RFC 8260 Section 2.2.3: fragments are reassembled by FSN, and
		// "The receiver MUST NOT make any assumption about the TSN
		// assignments of the sender": two messages interleaved.
		name: "interleaved streams",
		chunks: []iin{
			{tsn: 1, sid: 1, flags: "B", data: "aa"},
			{tsn: 2, sid: 2, flags: "B", data: "xx"},
			{tsn: 3, sid: 1, fsn: 1, data: "bb"},
			{tsn: 4, sid: 2, fsn: 1, flags: "E", data: "yy"},
			{tsn: 5, sid: 1, fsn: 2, flags: "E", data: "cc"},
		},
		want: []out{whole(2, 0, "xxyy"), whole(1, 0, "aabbcc")},
	}, {
		name: "fragments reordered by FSN",
		chunks: []iin{
			{tsn: 3, fsn: 2, flags: "E", data: "cc"},
			{tsn: 2, fsn: 1, data: "bb"},
			{tsn: 1, flags: "B", data: "aa"},
		},
		want: []out{whole(0, 0, "aabbcc")},
	}, {
		// The MID orders ordered messages (RFC 8260 Section 2.1), its
		// lower 16 bits standing for the SSN (Section 4.1).
		name: "ordered by MID",
		chunks: []iin{
			{tsn: 3, mid: 1, flags: "BE", data: "m1"},
			{tsn: 4, mid: 2, flags: "B", data: "m2"},
			{tsn: 5, mid: 2, fsn: 1, flags: "E", data: "."},
			{tsn: 1, mid: 0, flags: "B", data: "m0"},
			{tsn: 2, mid: 0, fsn: 1, flags: "E", data: "."},
		},
		want: []out{whole(0, 0, "m0."), whole(0, 1, "m1"), whole(0, 2, "m2.")},
	}, {
		// Unordered and ordered MIDs are independent counters (RFC 8260
		// Section 2.1); an unordered message goes as soon as complete.
		name: "unordered beside ordered with the same MID",
		chunks: []iin{
			{tsn: 2, mid: 1, flags: "BE", data: "o1"},
			{tsn: 3, mid: 0, flags: "UB", data: "u0"},
			{tsn: 4, mid: 0, fsn: 1, flags: "UE", data: "."},
			{tsn: 1, mid: 0, flags: "BE", data: "o0"},
		},
		want: []out{unord(0, "u0."), whole(0, 0, "o0"), whole(0, 1, "o1")},
	}, {
		name: "fragments arriving before their first one",
		chunks: []iin{
			{tsn: 2, sid: 3, mid: 0, fsn: 1, flags: "U", data: "b"},
			{tsn: 3, sid: 3, mid: 0, fsn: 2, flags: "UE", data: "c"},
			{tsn: 1, sid: 3, mid: 0, flags: "UB", data: "a"},
		},
		want: []out{unord(3, "abc")},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newIReassembly()
			require.Equal(t, tt.want, feedI(t, r, tt.chunks))
			requireIEmpty(t, r)
		})
	}
}

// requireIEmpty checks that r holds nothing.
func requireIEmpty(t *testing.T, r *Reassembly) {
	t.Helper()
	require.Zero(t, r.Buffered())
	require.Zero(t, r.Chunks())
	require.Zero(t, r.Records())
	require.Zero(t, r.BusyStreams())
	require.Empty(t, r.imsgs)
	require.Empty(t, r.ifrags)
}

func TestIReassemblyMIDReported(t *testing.T) {
	r := newIReassembly()
	require.NoError(t, r.AddI(1, &chunk.IData{MID: 0, Flags: fl("BE"), UserData: []byte("x")}))
	m, ok := r.Pop()
	require.True(t, ok)
	require.Equal(t, chunk.MID(0), m.MID)
	require.NoError(t, r.AddI(2, &chunk.IData{MID: 1, Flags: fl("UBE"), UserData: []byte("y")}))
	m, ok = r.Pop()
	require.True(t, ok)
	require.Equal(t, chunk.MID(1), m.MID)
	require.True(t, m.Unordered)
}

func TestIReassemblyErrors(t *testing.T) {
	base := []iin{
		{tsn: 1, mid: 5, flags: "B", data: "a"},
		{tsn: 3, mid: 5, fsn: 2, flags: "E", data: "c"},
	}
	tests := []struct {
		name string
		c    iin
		err  error
	}{
		{"FSN held already", iin{tsn: 9, mid: 5, fsn: 2, data: "z"}, ErrInvalidFragment},
		{"B fragment twice", iin{tsn: 9, mid: 5, flags: "B", data: "z"}, ErrInvalidFragment},
		{"after the E fragment", iin{tsn: 9, mid: 5, fsn: 3, data: "z"}, ErrInvalidFragment},
		{"second E fragment", iin{tsn: 9, mid: 5, fsn: 1, flags: "E", data: "z"}, ErrInvalidFragment},
		{"FSN 0 without B", iin{tsn: 9, mid: 6, fsn: 0, data: "z"}, ErrInvalidFragment},
		{"FSN beyond the window", iin{tsn: 9, mid: 7, fsn: maxFSNAhead, data: "z"}, ErrInvalidFragment},
		{"invalid stream", iin{tsn: 9, sid: 4, flags: "BE", data: "z"}, ErrInvalidStream},
		{"no user data", iin{tsn: 9, flags: "BE"}, ErrEmptyMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newIReassembly()
			feedI(t, r, base)
			recs := r.Records()
			feedI(t, r, []iin{{tsn: tt.c.tsn, sid: tt.c.sid, mid: tt.c.mid, fsn: tt.c.fsn,
				flags: tt.c.flags, data: tt.c.data, err: tt.err}})
			require.Equal(t, recs, r.Records(), "state changed by a refused chunk")
			var fe *FragmentError
			if tt.err == ErrInvalidFragment {
				require.ErrorAs(t, r.AddI(tt.c.tsn, &chunk.IData{StreamID: tt.c.sid, MID: tt.c.mid,
					FSN: tt.c.fsn, Flags: fl(tt.c.flags), UserData: []byte(tt.c.data)}), &fe)
				require.Equal(t, tt.c.mid, fe.MID)
			}
			// The message still completes.
			got := feedI(t, r, []iin{{tsn: 2, mid: 5, fsn: 1, data: "b"}})
			require.Empty(t, got, "MID 5 waits for MID 0")
		})
	}
}

func TestIReassemblyCompleteMIDRepeated(t *testing.T) {
	r := newIReassembly()
	feedI(t, r, []iin{{tsn: 1, mid: 3, flags: "BE", data: "a"}})
	feedI(t, r, []iin{
		{tsn: 2, mid: 3, flags: "BE", data: "b", err: ErrInvalidFragment},
		{tsn: 3, mid: 0x10003, flags: "BE", data: "c", err: ErrInvalidFragment},
	})
}

func TestIReassemblyStale(t *testing.T) {
	r := newIReassembly()
	feedI(t, r, []iin{{tsn: 1, mid: 0, flags: "BE", data: "a"}, {tsn: 2, mid: 1, flags: "BE", data: "b"}})
	// A fragment of an ordered message before the next MID: delivered or
	// skipped, acknowledged and dropped by the association.
	feedI(t, r, []iin{{tsn: 3, mid: 1, fsn: 1, flags: "E", data: "z", err: ErrStaleMessage}})
	requireIEmpty(t, r)
}

// Once a stream's ordered MIDs have wrapped, so that its next SSN is 0
// again, a fragment of an old MID is stale: it was held as if nothing had
// been delivered, and the message of the same lower 16 bits that came
// 65536 MIDs later collided with it (ErrInvalidFragment, an abort).
func TestIReassemblyStaleAfterMIDWrap(t *testing.T) {
	r := newIReassembly()
	tsn := deliverOrdered(t, r, 1, 1<<16, 1)
	require.Zero(t, r.NextSSN(1))
	feedI(t, r, []iin{
		{tsn: tsn, sid: 1, mid: 65000, fsn: 1, data: "old", err: ErrStaleMessage},
		{tsn: tsn + 1, sid: 1, mid: 65535, flags: "B", data: "old", err: ErrStaleMessage},
	})
	requireIEmpty(t, r)
	require.Equal(t, []out{whole(1, 0, "new")}, feedI(t, r, []iin{
		{tsn: tsn + 2, sid: 1, mid: 1 << 16, flags: "BE", data: "new"},
	}))
	// A reset stream knows nothing delivered again.
	r.ResetSSNs([]chunk.StreamID{1})
	require.Equal(t, []out{whole(1, 0, "c")}, feedI(t, r, []iin{
		{tsn: tsn + 3, sid: 1, mid: 65535, flags: "B", data: "x"},
		{tsn: tsn + 4, sid: 1, mid: 0, flags: "BE", data: "c"},
	}))
}

func TestIReassemblyPartialDeliveryPerStream(t *testing.T) {
	r := newIReassembly()
	r.SetPartialDeliveryPoint(4)
	got := feedI(t, r, []iin{
		{tsn: 1, sid: 1, flags: "B", data: "aaaa"},
		{tsn: 2, sid: 2, flags: "B", data: "xxxx"},
		{tsn: 3, sid: 1, fsn: 1, data: "bb"},
		{tsn: 4, sid: 2, fsn: 1, flags: "E", data: "yy"},
		{tsn: 5, sid: 1, fsn: 2, flags: "E", data: "cc"},
	})
	require.Equal(t, []out{
		{sid: 1, data: "aaaa", partial: true},
		{sid: 2, data: "xxxx", partial: true},
		{sid: 1, data: "bb", partial: true},
		{sid: 2, data: "yy", partial: true, eom: true},
		{sid: 1, data: "cc", partial: true, eom: true},
	}, got)
	requireIEmpty(t, r)
}

func TestIReassemblyFragmentInterleaveLevel0(t *testing.T) {
	r := newIReassembly()
	r.SetPartialDeliveryPoint(4)
	require.True(t, r.SetFragmentInterleave(0))
	got := feedI(t, r, []iin{
		{tsn: 1, sid: 1, flags: "B", data: "aaaa"},
		{tsn: 2, sid: 2, flags: "BE", data: "xx"},
		{tsn: 3, sid: 1, fsn: 1, flags: "E", data: "bb"},
	})
	// RFC 6458 Section 8.1.20: once a partial delivery begins, nothing
	// else of the association is delivered before its end.
	require.Equal(t, []out{
		{sid: 1, data: "aaaa", partial: true},
		{sid: 1, data: "bb", partial: true, eom: true},
		whole(2, 0, "xx"),
	}, got)
	requireIEmpty(t, r)
}

func TestIReassemblyStartPartialDeliveries(t *testing.T) {
	r := newIReassembly()
	r.SetPartialDeliveryPoint(1 << 20)
	got := feedI(t, r, []iin{
		{tsn: 1, sid: 1, flags: "B", data: "aa"},
		{tsn: 2, sid: 2, flags: "UB", data: "xx"},
		{tsn: 3, sid: 3, mid: 1, flags: "B", data: "not next"},
	})
	require.Empty(t, got)
	require.Equal(t, 2, r.StartPartialDeliveries(10))
	require.Equal(t, []out{
		{sid: 1, data: "aa", partial: true},
		{sid: 2, u: true, data: "xx", partial: true},
	}, popAll(t, r))
	require.Zero(t, r.StartPartialDeliveries(10), "both are under partial delivery, the third waits for MID 0")
}

// A peer that keeps a partial delivery open on stream after stream, with
// one more message begun on another stream (its next MID), makes
// StartPartialDeliveries, which the association calls with every chunk
// while the buffer is nearly full, look at a few streams, not at every
// stream under partial delivery: it skips the pages of 256 streams whose
// busy streams all are, and stops at its limit. It looked at all of them,
// a walk over up to 65535 streams per chunk the peer sends.
func TestIReassemblyStartPartialDeliveriesSkipsStreamsUnderIt(t *testing.T) {
	const n = 8192
	r := NewReassembly(MaxStreams)
	r.SetIData(true)
	begin := func(sid chunk.StreamID, mid chunk.MID) {
		require.NoError(t, r.AddI(chunk.TSN(sid)<<8|chunk.TSN(mid), &chunk.IData{StreamID: sid, MID: mid,
			Flags: chunk.FlagBeginning, UserData: []byte("0123456789")}))
	}
	for sid := range chunk.StreamID(n) {
		begin(sid, 0)
		begin(sid, 1) // the next message of the stream, waiting behind
	}
	require.Equal(t, n, r.StartPartialDeliveries(n))
	requireIPDPages(t, r)
	before := r.steps
	require.Zero(t, r.StartPartialDeliveries(1), "every busy stream is under partial delivery")
	require.Equal(t, before, r.steps)
	begin(n+300, 0)
	require.Equal(t, 1, r.StartPartialDeliveries(1))
	require.LessOrEqual(t, r.steps-before, uint64(256), "streams looked at")
	requireIPDPages(t, r)
}

// requireIPDPages checks Reassembly.pdPages against the streams under
// partial delivery.
func requireIPDPages(t *testing.T, r *Reassembly) {
	t.Helper()
	n := max(len(r.streams.pages), len(r.pdPages))
	want, got := make([]uint16, n), make([]uint16, n)
	copy(got, r.pdPages)
	r.streams.each(0, func(id chunk.StreamID, s *recvStream) {
		if s.pd != nil {
			want[id>>8]++
		}
	})
	require.Equal(t, want, got)
}

func TestIReassemblyHostileManyMessagesBounded(t *testing.T) {
	// A peer that starts many messages and never finishes them: every
	// byte and record counts, for the association to hold them to its
	// receive buffer; ForwardI or AbortPartial frees them.
	r := newIReassembly()
	const n = 1000
	for i := range n {
		require.NoError(t, r.AddI(chunk.TSN(i), &chunk.IData{StreamID: chunk.StreamID(i % 4),
			MID: chunk.MID(i / 4), FSN: 1, UserData: []byte("0123456789")}))
	}
	require.Equal(t, 10*n, r.Buffered())
	require.Equal(t, n, r.Chunks())
	require.Equal(t, 2*n, r.Records(), "a message and a fragment held apart each")
	var skip []chunk.IForwardTSNStream
	for sid := range 4 {
		skip = append(skip, chunk.IForwardTSNStream{StreamID: chunk.StreamID(sid), MID: n/4 - 1})
	}
	r.ForwardI(skip, nil)
	requireIEmpty(t, r)
}

func TestIReassemblyForwardI(t *testing.T) {
	r := newIReassembly()
	feedI(t, r, []iin{
		{tsn: 2, mid: 1, flags: "BE", data: "o1"},        // complete, waits for MID 0
		{tsn: 4, mid: 2, flags: "B", data: "o2"},         // incomplete, skipped
		{tsn: 5, mid: 3, flags: "BE", data: "o3"},        // after the skip
		{tsn: 6, sid: 1, mid: 0, flags: "UB", data: "u"}, // unordered, skipped
		{tsn: 7, sid: 1, mid: 1, flags: "UB", data: "v"}, // unordered, kept
	})
	var dropped int
	pas := r.ForwardI([]chunk.IForwardTSNStream{
		{StreamID: 0, MID: 2},
		{StreamID: 1, Flags: chunk.IForwardTSNUnordered, MID: 0},
		{StreamID: 9, MID: 5}, // no such stream
	}, func(_, _ chunk.TSN) { dropped++ })
	require.Empty(t, pas)
	require.Equal(t, 2, dropped)
	require.Equal(t, []out{whole(0, 1, "o1"), whole(0, 3, "o3")}, popAll(t, r))
	// Later fragments of the skipped messages are stale.
	feedI(t, r, []iin{
		{tsn: 8, mid: 2, fsn: 1, flags: "E", data: "z", err: ErrStaleMessage},
		{tsn: 9, sid: 1, mid: 0, fsn: 1, flags: "UE", data: "z", err: ErrStaleMessage},
	})
	require.Equal(t, []out{unord(1, "vw")}, feedI(t, r, []iin{{tsn: 10, sid: 1, mid: 1, fsn: 1, flags: "UE", data: "w"}}))
	requireIEmpty(t, r)
}

func TestIReassemblyForwardIAbortsPartial(t *testing.T) {
	r := newIReassembly()
	r.SetPartialDeliveryPoint(2)
	feedI(t, r, []iin{{tsn: 1, mid: 0, flags: "B", data: "aa"}, {tsn: 2, mid: 0, fsn: 3, data: "d"}})
	pas := r.ForwardI([]chunk.IForwardTSNStream{{StreamID: 0, MID: 0}}, nil)
	require.Equal(t, []PartialAbort{{Stream: 0, SSN: 0, MID: 0, Delivered: 2}}, pas)
	requireIEmpty(t, r)
}

func TestIReassemblyResetSSNs(t *testing.T) {
	r := newIReassembly()
	feedI(t, r, []iin{{tsn: 1, mid: 0, flags: "BE", data: "a"}, {tsn: 2, mid: 1, flags: "BE", data: "b"}})
	r.ForwardI([]chunk.IForwardTSNStream{{StreamID: 0, Flags: chunk.IForwardTSNUnordered, MID: 7}}, nil)
	r.ResetSSNs([]chunk.StreamID{0})
	// RFC 8260 Section 2.3.2: both MID counters start again from 0.
	require.Equal(t, []out{whole(0, 0, "c"), unord(0, "d")}, feedI(t, r, []iin{
		{tsn: 3, mid: 0, flags: "BE", data: "c"},
		{tsn: 4, mid: 0, flags: "UBE", data: "d"},
	}))
}

func TestIReassemblyAbortPartialFreesHeldFragments(t *testing.T) {
	r := newIReassembly()
	r.SetPartialDeliveryPoint(2)
	feedI(t, r, []iin{{tsn: 1, flags: "B", data: "aa"}, {tsn: 3, fsn: 2, data: "cc"}})
	pas := r.AbortPartial()
	require.Len(t, pas, 1)
	requireIEmpty(t, r)
}

func TestIReassemblyForwardAll(t *testing.T) {
	// The association reset (Forward with I-DATA): complete messages are
	// delivered, incomplete ones dropped.
	r := newIReassembly()
	feedI(t, r, []iin{
		{tsn: 2, mid: 1, flags: "BE", data: "o1"},
		{tsn: 3, mid: 2, flags: "B", data: "o2"},
		{tsn: 4, sid: 1, mid: 4, flags: "UB", data: "u"},
	})
	r.Forward(10, 10, nil, nil)
	require.Equal(t, []out{whole(0, 1, "o1")}, popAll(t, r))
	requireIEmpty(t, r)
}

// The unordered MID an I-FORWARD-TSN skipped follows the stream's later
// unordered messages: MIDs are compared with serial number arithmetic
// (RFC 8260 Section 2.1), and a skip left behind made every unordered
// message from 2^31 MIDs after it on compare below it, dropped as stale
// for the next 2^31 messages.
func TestIReassemblyUnorderedSkipAfterMIDsWrap(t *testing.T) {
	r := newIReassembly()
	r.ForwardI([]chunk.IForwardTSNStream{{StreamID: 1, Flags: chunk.IForwardTSNUnordered, MID: 5}}, nil)
	var chunks []iin
	var want []out
	tsn := chunk.TSN(1)
	// The unordered MIDs the sender numbers after the skip, one message
	// in every 2^28 here (as many as the sender sends in between).
	for mid := chunk.MID(6); ; mid += 1 << 28 {
		chunks = append(chunks, iin{tsn: tsn, sid: 1, mid: mid, flags: "UBE", data: "m"})
		want = append(want, unord(1, "m"))
		tsn++
		if mid.GT(5 + 1<<31) {
			break
		}
	}
	require.Equal(t, want, feedI(t, r, chunks))
	requireIEmpty(t, r)
}

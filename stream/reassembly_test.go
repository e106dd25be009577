package stream

import (
	"errors"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// Rules pinned here:
//
//	https://www.rfc-editor.org/rfc/rfc9260#section-6.6
//	https://www.rfc-editor.org/rfc/rfc9260#section-6.9
//	https://www.rfc-editor.org/rfc/rfc9260#section-3.3.1
func TestReassemblyDelivery(t *testing.T) {
	tests := []struct {
		name   string
		chunks []in
		want   []out
	}{
		{
			name:   "single chunk message",
			chunks: []in{{tsn: 10, sid: 1, ssn: 0, flags: "BE", data: "hello"}},
			want:   []out{whole(1, 0, "hello")},
		},
		{
			// RFC 9260 Section 6.9: "the B/E bits of the first DATA chunk
			// in the series to 10, the B/E bits of the last DATA chunk in
			// the series to 01, and the B/E bits of all other DATA chunks
			// in the series to 00."
			name: "fragmented in order",
			chunks: []in{
				{tsn: 10, flags: "B", data: "ab"},
				{tsn: 11, data: "cd"},
				{tsn: 12, flags: "E", data: "ef"},
			},
			want: []out{whole(0, 0, "abcdef")},
		},
		{
			// RFC 9260 Section 6.9: "An endpoint MUST recognize fragmented
			// DATA chunks by examining the B/E bits in each of the
			// received DATA chunks and queue the fragmented DATA chunks
			// for reassembly."
			name: "fragments reordered",
			chunks: []in{
				{tsn: 13, flags: "E", data: "gh"},
				{tsn: 11, data: "cd"},
				{tsn: 10, flags: "B", data: "ab"},
				{tsn: 12, data: "ef"},
			},
			want: []out{whole(0, 0, "abcdefgh")},
		},
		{
			name: "fragments across the TSN wrap",
			chunks: []in{
				{tsn: 0xffffffff, data: "cd"},
				{tsn: 0, flags: "E", data: "ef"},
				{tsn: 0xfffffffe, flags: "B", data: "ab"},
			},
			want: []out{whole(0, 0, "abcdef")},
		},
		{
			// RFC 9260 Section 6.6: "If DATA chunks arrive out of order of
			// their Stream Sequence Number, the endpoint MUST hold the
			// received DATA chunks from delivery to the ULP until they are
			// reordered."
			name: "ordered messages held until reordered",
			chunks: []in{
				{tsn: 3, ssn: 2, flags: "BE", data: "two"},
				{tsn: 2, ssn: 1, flags: "BE", data: "one"},
				{tsn: 1, ssn: 0, flags: "BE", data: "zero"},
			},
			want: []out{whole(0, 0, "zero"), whole(0, 1, "one"), whole(0, 2, "two")},
		},
		{
			// RFC 9260 Section 3.3.1: "After reassembly (if necessary),
			// unordered DATA chunks MUST be dispatched to the upper layer
			// by the receiver without any attempt to reorder."
			name: "unordered overtakes ordered on the same stream",
			chunks: []in{
				{tsn: 2, ssn: 1, flags: "BE", data: "ord1"},
				{tsn: 3, ssn: 77, flags: "UBE", data: "oob"},
				{tsn: 1, ssn: 0, flags: "BE", data: "ord0"},
			},
			want: []out{unord(0, "oob"), whole(0, 0, "ord0"), whole(0, 1, "ord1")},
		},
		{
			name: "unordered fragments need no SSN agreement",
			chunks: []in{
				{tsn: 5, ssn: 9, flags: "UE", data: "yz"},
				{tsn: 4, ssn: 3, flags: "UB", data: "wx"},
			},
			want: []out{unord(0, "wxyz")},
		},
		{
			// Streams are independent: a gap on stream 1 does not block
			// stream 2.
			name: "interleaved streams",
			chunks: []in{
				{tsn: 1, sid: 1, ssn: 0, flags: "B", data: "a"},
				{tsn: 3, sid: 2, ssn: 0, flags: "BE", data: "s2m0"},
				{tsn: 4, sid: 1, ssn: 1, flags: "BE", data: "s1m1"},
				{tsn: 5, sid: 2, ssn: 1, flags: "B", data: "s2"},
				{tsn: 6, sid: 2, ssn: 1, flags: "E", data: "m1"},
				{tsn: 2, sid: 1, ssn: 0, flags: "E", data: "b"},
			},
			want: []out{whole(2, 0, "s2m0"), whole(2, 1, "s2m1"), whole(1, 0, "ab"), whole(1, 1, "s1m1")},
		},
		{
			name: "delivery order across streams is completion order",
			chunks: []in{
				{tsn: 1, sid: 3, ssn: 0, flags: "B", data: "x"},
				{tsn: 3, sid: 1, ssn: 0, flags: "BE", data: "one"},
				{tsn: 2, sid: 3, ssn: 0, flags: "E", data: "y"},
				{tsn: 4, sid: 2, ssn: 0, flags: "BE", data: "two"},
			},
			want: []out{whole(1, 0, "one"), whole(3, 0, "xy"), whole(2, 0, "two")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReassembly(8)
			require.Equal(t, tt.want, feed(t, r, tt.chunks))
			require.Zero(t, r.Buffered())
			require.Zero(t, r.Chunks())
			require.Zero(t, r.Len())
		})
	}
}

// RFC 9260 Section 6.5: "In particular, when the Stream Sequence Number
// reaches the value 65535, the next Stream Sequence Number MUST be set to
// 0." Ordering uses serial number arithmetic across the wrap.
func TestReassemblySSNWrap(t *testing.T) {
	r := NewReassembly(1)
	tsn := chunk.TSN(1000)
	one := []byte{1}
	for ssn := range 65534 {
		require.NoError(t, r.Add(tsn, &chunk.Data{SSN: chunk.SSN(ssn), Flags: fl("BE"), UserData: one}))
		m, ok := r.Pop()
		require.True(t, ok)
		require.Equal(t, chunk.SSN(ssn), m.SSN)
		r.Release(m.Data)
		tsn++
	}
	got := feed(t, r, []in{
		{tsn: tsn + 3, ssn: 1, flags: "BE", data: "1"},
		{tsn: tsn + 2, ssn: 0, flags: "BE", data: "0"},
		{tsn: tsn + 1, ssn: 65535, flags: "BE", data: "65535"},
		{tsn: tsn + 4, ssn: 65533, flags: "BE", data: "old", err: ErrInvalidFragment},
		{tsn: tsn, ssn: 65534, flags: "BE", data: "65534"},
	})
	require.Equal(t, []out{whole(0, 65534, "65534"), whole(0, 65535, "65535"), whole(0, 0, "0"), whole(0, 1, "1")}, got)
}

// Once a stream's SSNs have wrapped, so that its next SSN is 0 again, a
// fragment of an old SSN is refused as delivered: it was held as if
// nothing had been delivered on the stream.
func TestReassemblyStaleAfterSSNWrap(t *testing.T) {
	r := NewReassembly(2)
	tsn := deliverOrdered(t, r, 1, 1<<16, 1000)
	require.Zero(t, r.NextSSN(1))
	feed(t, r, []in{{tsn: tsn + 1, sid: 1, ssn: 65000, flags: "B", data: "old", err: ErrInvalidFragment}})
	require.Equal(t, []out{whole(1, 0, "new")}, feed(t, r, []in{{tsn: tsn, sid: 1, ssn: 0, flags: "BE", data: "new"}}))
	require.Zero(t, r.Buffered())
}

func TestReassemblyErrors(t *testing.T) {
	tests := []struct {
		name   string
		chunks []in
		reason string // of the last chunk's FragmentError
	}{
		{
			// RFC 9260 Section 6.5: "If an endpoint receives a DATA chunk
			// with an invalid stream identifier, it SHOULD acknowledge
			// the reception ..., immediately send an ERROR chunk with
			// cause set to "Invalid Stream Identifier" ..., and discard
			// the DATA chunk."
			name:   "stream out of range",
			chunks: []in{{tsn: 1, sid: 8, flags: "BE", data: "x", err: ErrInvalidStream}},
		},
		{
			// RFC 9260 Section 3.3.1: "L MUST be greater than 0".
			name:   "no user data",
			chunks: []in{{tsn: 1, flags: "BE", err: ErrEmptyMessage}},
		},
		{
			name: "duplicate SSN of a held message",
			chunks: []in{
				{tsn: 2, ssn: 1, flags: "BE", data: "a"},
				{tsn: 3, ssn: 1, flags: "BE", data: "b", err: ErrInvalidFragment},
			},
			reason: "SSN used by another message",
		},
		{
			name: "duplicate SSN of an incomplete message",
			chunks: []in{
				{tsn: 2, ssn: 1, flags: "B", data: "a"},
				{tsn: 5, ssn: 1, flags: "B", data: "b", err: ErrInvalidFragment},
			},
			reason: "SSN used by another message",
		},
		{
			name: "SSN already delivered",
			chunks: []in{
				{tsn: 1, ssn: 0, flags: "BE", data: "a"},
				{tsn: 2, ssn: 0, flags: "BE", data: "b", err: ErrInvalidFragment},
			},
			reason: "SSN already delivered",
		},
		{
			name: "TSN already held",
			chunks: []in{
				{tsn: 1, ssn: 0, flags: "B", data: "a"},
				{tsn: 1, ssn: 0, flags: "B", data: "a", err: ErrInvalidFragment},
			},
			reason: "TSN already held",
		},
		{
			name: "TSN inside a held run",
			chunks: []in{
				{tsn: 2, data: "a"},
				{tsn: 3, data: "b"},
				{tsn: 4, data: "c"},
				{tsn: 3, data: "b", err: ErrInvalidFragment},
			},
			reason: "TSN already held",
		},
		{
			name: "B bit while the previous message is open",
			chunks: []in{
				{tsn: 1, flags: "B", data: "a"},
				{tsn: 2, ssn: 1, flags: "BE", data: "b", err: ErrInvalidFragment},
			},
			reason: "B bit before the end of the previous message",
		},
		{
			name: "no B bit after a message end",
			chunks: []in{
				{tsn: 1, ssn: 0, flags: "E", data: "a"},
				{tsn: 2, ssn: 1, flags: "E", data: "b", err: ErrInvalidFragment},
			},
			reason: "no B bit after the end of a message",
		},
		{
			name: "no E bit before a message start",
			chunks: []in{
				{tsn: 2, ssn: 1, flags: "B", data: "a"},
				{tsn: 1, ssn: 0, flags: "B", data: "b", err: ErrInvalidFragment},
			},
			reason: "no E bit before the start of a message",
		},
		{
			name: "E bit before a continuation",
			chunks: []in{
				{tsn: 2, ssn: 0, data: "a"},
				{tsn: 1, ssn: 0, flags: "BE", data: "b", err: ErrInvalidFragment},
			},
			reason: "E bit before the next fragment of the message",
		},
		{
			// RFC 9260 Section 3.3.1: "If an unordered user message is
			// fragmented, each fragment of the message MUST have its U
			// bit set to 1."
			name: "U bit differs between fragments",
			chunks: []in{
				{tsn: 1, flags: "UB", data: "a"},
				{tsn: 2, flags: "E", data: "b", err: ErrInvalidFragment},
			},
			reason: "U bit differs from the adjacent fragment",
		},
		{
			// RFC 9260 Section 3.3.1: "the same Stream Sequence Number
			// MUST be carried in each of the fragments of the message."
			name: "SSN differs between fragments",
			chunks: []in{
				{tsn: 1, ssn: 0, flags: "B", data: "a"},
				{tsn: 2, ssn: 1, flags: "E", data: "b", err: ErrInvalidFragment},
			},
			reason: "SSN differs from the adjacent fragment",
		},
		{
			name: "stream differs between fragments",
			chunks: []in{
				{tsn: 3, sid: 1, flags: "E", data: "b"},
				{tsn: 2, sid: 2, flags: "B", data: "a", err: ErrInvalidFragment},
			},
			reason: "stream differs from the adjacent fragment",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReassembly(8)
			feed(t, r, tt.chunks)
			if tt.reason == "" {
				return
			}
			last := tt.chunks[len(tt.chunks)-1]
			err := r.Add(last.tsn, &chunk.Data{StreamID: last.sid, SSN: last.ssn,
				Flags: fl(last.flags), UserData: []byte(last.data)})
			var fe *FragmentError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, tt.reason, fe.Reason)
			require.Equal(t, last.tsn, fe.TSN)
			require.Contains(t, fe.Error(), tt.reason)
		})
	}
}

// A refused chunk leaves no trace: the message it broke completes with the
// right chunk.
func TestReassemblyErrorLeavesStateIntact(t *testing.T) {
	r := NewReassembly(2)
	got := feed(t, r, []in{
		{tsn: 1, ssn: 0, flags: "B", data: "ab"},
		{tsn: 2, ssn: 1, flags: "E", data: "xx", err: ErrInvalidFragment},
		{tsn: 2, sid: 1, ssn: 0, flags: "E", data: "xx", err: ErrInvalidFragment},
		{tsn: 2, ssn: 0, flags: "UE", data: "xx", err: ErrInvalidFragment},
		{tsn: 2, ssn: 0, flags: "E", data: "cd"},
	})
	require.Equal(t, []out{whole(0, 0, "abcd")}, got)
}

func TestReassemblySetStreams(t *testing.T) {
	r := NewReassembly(1)
	require.Equal(t, 1, r.Streams())
	require.ErrorIs(t, r.Add(1, &chunk.Data{StreamID: 1, Flags: fl("BE"), UserData: []byte("x")}), ErrInvalidStream)
	r.SetStreams(2)
	require.NoError(t, r.Add(1, &chunk.Data{StreamID: 1, Flags: fl("BE"), UserData: []byte("x")}))
	r.SetStreams(-5)
	require.Zero(t, r.Streams())
	r.SetStreams(1 << 20)
	require.Equal(t, MaxStreams, r.Streams())
	require.ErrorIs(t, r.Add(2, nil), ErrEmptyMessage)
}

// Stream sequence numbers compare in serial number arithmetic (RFC 9260
// Section 6.5, RFC 1982): an ordered message up to half the SSN space
// ahead of the next one expected is held for later; one more is behind it,
// already delivered, and refused (the association discards it before if
// its TSN is a duplicate, and aborts otherwise). The association keeps the
// TSNs a peer can have in flight below 2^15, so a peer's genuine SSNs are
// always less than half the space ahead.
func TestReassemblySSNHalfSpace(t *testing.T) {
	r := NewReassembly(1)
	got := feed(t, r, []in{
		{tsn: 100, ssn: 0, flags: "BE", data: "0"},
		{tsn: 102, ssn: 0x8000, flags: "BE", data: "ahead"},
		{tsn: 103, ssn: 0x8001, flags: "BE", data: "half"},
		{tsn: 104, ssn: 0x8002, flags: "BE", data: "behind", err: ErrInvalidFragment},
		{tsn: 101, ssn: 1, flags: "BE", data: "1"},
	})
	require.Equal(t, []out{whole(0, 0, "0"), whole(0, 1, "1")}, got)
	require.Equal(t, 2, r.Chunks(), "the two messages ahead are held")
}

var reassemblySink *Reassembly

// A Reassembly that has not held a chunk (an idle association's) is one
// allocation: its maps, and its buffer pool when no shared one was given
// (SetPool), come with the first chunk and the first buffer released.
func TestNewReassemblyAllocatesOnce(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { reassemblySink = NewReassembly(MaxStreams) })
	require.Equal(t, 1.0, allocs)
	r := reassemblySink
	require.Nil(t, r.byFirst)
	require.Nil(t, r.ordered)
	require.Nil(t, r.pool)
	r.Release(make([]byte, 64))
	require.NotNil(t, r.pool.free)
}

// A nil Reassembly is an empty one to its queries, Pop, Renege,
// AbortPartial and Release; a nil SendQueue to Buffered and DiscardAll.
func TestNilIsEmpty(t *testing.T) {
	var r *Reassembly
	require.Zero(t, r.Buffered()+r.Chunks()+r.Records()+r.BusyStreams()+r.Len())
	_, ok := r.Pop()
	require.False(t, ok)
	_, _, ok = r.Renege(1, 10)
	require.False(t, ok)
	require.Nil(t, r.AbortPartial())
	r.Release(make([]byte, 64))
	var q *SendQueue
	require.Zero(t, q.Buffered())
	require.Nil(t, q.DiscardAll())
}

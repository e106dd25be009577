package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// piece is the expected delivery of a partial delivery piece.
func piece(sid chunk.StreamID, ssn chunk.SSN, u bool, data string, eom bool) out {
	if u {
		ssn = 0
	}
	return out{sid: sid, ssn: ssn, u: u, data: data, partial: true, eom: eom}
}

// Partial delivery (RFC 9260 Section 6.9: "If the data receiver runs out
// of buffer space while still waiting for more fragments to complete the
// reassembly of the message, it SHOULD dispatch part of its inbound
// message through a partial delivery API"), with the point of RFC 6458
// Section 8.1.21.
//
//	https://www.rfc-editor.org/rfc/rfc9260#section-6.9
//	https://www.rfc-editor.org/rfc/rfc6458#section-8.1.21
func TestReassemblyPartialDelivery(t *testing.T) {
	tests := []struct {
		name   string
		point  int
		chunks []in
		want   []out
	}{
		{
			name:  "pieces then end of message",
			point: 4,
			chunks: []in{
				{tsn: 1, flags: "B", data: "abc"},
				{tsn: 2, data: "de"},
				{tsn: 4, data: "h"},
				{tsn: 3, data: "fg"},
				{tsn: 5, flags: "E", data: "i"},
			},
			want: []out{piece(0, 0, false, "abcde", false), piece(0, 0, false, "fgh", false), piece(0, 0, false, "i", true)},
		},
		{
			// RFC 6458 Section 8.1.21: "any single message having a length
			// smaller than or equal to the SCTP partial delivery point will
			// be delivered in a single read call".
			name:  "message at the point is whole",
			point: 6,
			chunks: []in{
				{tsn: 1, flags: "B", data: "abc"},
				{tsn: 2, flags: "E", data: "def"},
			},
			want: []out{whole(0, 0, "abcdef")},
		},
		{
			name:  "bytes after a gap do not count",
			point: 4,
			chunks: []in{
				{tsn: 1, flags: "B", data: "ab"},
				{tsn: 3, data: "efgh"},
				{tsn: 4, flags: "E", data: "ijkl"},
				{tsn: 2, data: "cd"},
			},
			want: []out{whole(0, 0, "abcdefghijkl")},
		},
		{
			name:  "nothing of the stream overtakes a partial delivery",
			point: 2,
			chunks: []in{
				{tsn: 1, ssn: 0, flags: "B", data: "aa"},
				{tsn: 3, ssn: 1, flags: "BE", data: "next"},
				{tsn: 4, ssn: 9, flags: "UBE", data: "oob"},
				{tsn: 5, sid: 1, ssn: 0, flags: "BE", data: "other stream"},
				{tsn: 2, ssn: 0, flags: "E", data: "z"},
			},
			want: []out{
				piece(0, 0, false, "aa", false), whole(1, 0, "other stream"),
				piece(0, 0, false, "z", true), unord(0, "oob"), whole(0, 1, "next"),
			},
		},
		{
			name:  "ordered message starts when it reaches the head",
			point: 3,
			chunks: []in{
				{tsn: 3, ssn: 1, flags: "B", data: "long"},
				{tsn: 1, ssn: 0, flags: "B", data: "x"},
				{tsn: 2, ssn: 0, flags: "E", data: "y"},
				{tsn: 4, ssn: 1, flags: "E", data: "er"},
			},
			want: []out{whole(0, 0, "xy"), piece(0, 1, false, "long", false), piece(0, 1, false, "er", true)},
		},
		{
			name:  "unordered messages take turns",
			point: 2,
			chunks: []in{
				{tsn: 1, flags: "UB", data: "aa"},
				{tsn: 4, flags: "UB", data: "bb"},
				{tsn: 2, flags: "UE", data: "A"},
				{tsn: 5, flags: "UE", data: "B"},
			},
			want: []out{
				piece(0, 0, true, "aa", false), piece(0, 0, true, "A", true),
				piece(0, 0, true, "bb", false), piece(0, 0, true, "B", true),
			},
		},
		{
			name:  "complete on arrival is whole",
			point: 1,
			chunks: []in{
				{tsn: 2, ssn: 0, flags: "E", data: "b"},
				{tsn: 1, ssn: 0, flags: "B", data: "a"},
			},
			want: []out{whole(0, 0, "ab")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReassembly(2)
			r.SetPartialDeliveryPoint(tt.point)
			require.Equal(t, tt.point, r.PartialDeliveryPoint())
			require.Equal(t, tt.want, feed(t, r, tt.chunks))
			require.Zero(t, r.Buffered())
			require.Zero(t, r.Chunks())
		})
	}
}

// Pieces carry the TSNs of their fragments, and a piece queued before more
// fragments arrive grows to include them.
func TestReassemblyPartialPieces(t *testing.T) {
	r := NewReassembly(1)
	r.SetPartialDeliveryPoint(2)
	add := func(tsn chunk.TSN, flags, data string) {
		require.NoError(t, r.Add(tsn, &chunk.Data{Flags: fl(flags), UserData: []byte(data)}))
	}
	add(100, "B", "ab")
	add(101, "", "cd")
	m, ok := r.Pop()
	require.True(t, ok)
	require.Equal(t, InMessage{Data: m.Data, FirstTSN: 100, LastTSN: 101, Partial: true}, m)
	require.Equal(t, "abcd", string(m.Data))
	_, ok = r.Pop()
	require.False(t, ok)
	add(102, "", "e")
	add(103, "E", "f")
	require.Equal(t, 1, r.Len())
	m, ok = r.Pop()
	require.True(t, ok)
	require.Equal(t, "ef", string(m.Data))
	require.Equal(t, chunk.TSN(102), m.FirstTSN)
	require.Equal(t, chunk.TSN(103), m.LastTSN)
	require.True(t, m.Partial)
	require.True(t, m.EndOfMessage)
}

// Lowering the point starts partial deliveries that are due at once.
func TestReassemblySetPartialDeliveryPointLater(t *testing.T) {
	r := NewReassembly(3)
	got := feed(t, r, []in{
		{tsn: 1, sid: 2, flags: "UB", data: "unordered"},
		{tsn: 5, sid: 1, ssn: 0, flags: "B", data: "ordered"},
		{tsn: 9, sid: 1, ssn: 1, flags: "B", data: "not yet"},
	})
	require.Empty(t, got)
	r.SetPartialDeliveryPoint(5)
	require.Equal(t, []out{piece(1, 0, false, "ordered", false), piece(2, 0, true, "unordered", false)}, popAll(t, r))
	r.SetPartialDeliveryPoint(0)
	require.Zero(t, r.PartialDeliveryPoint())
	// Partial deliveries in progress go on.
	require.Equal(t, []out{piece(1, 0, false, "!", false)}, feed(t, r, []in{{tsn: 6, sid: 1, ssn: 0, data: "!"}}))
}

// RFC 6458 Section 6.1.7: "This indicates that the partial delivery of a
// user message has been aborted. This happens, for example, if an
// association is aborted while a partial delivery is going on".
func TestReassemblyAbortPartial(t *testing.T) {
	r := NewReassembly(4)
	require.Nil(t, r.AbortPartial())
	r.SetPartialDeliveryPoint(2)
	got := feed(t, r, []in{
		{tsn: 1, sid: 0, ssn: 0, flags: "B", data: "s0"},
		{tsn: 3, sid: 0, ssn: 1, flags: "BE", data: "s0m1"},
		{tsn: 4, sid: 0, ssn: 5, flags: "UBE", data: "s0u"},
		{tsn: 10, sid: 3, flags: "UB", data: "u3"},
	})
	require.Equal(t, []out{piece(0, 0, false, "s0", false), piece(3, 0, true, "u3", false)}, got)
	require.NoError(t, r.Add(11, &chunk.Data{StreamID: 3, Flags: fl("U"), UserData: []byte("queued")}))
	require.Equal(t, len("s0m1s0uqueued"), r.Buffered())

	aborted := r.AbortPartial()
	require.Equal(t, []PartialAbort{
		{Stream: 0, SSN: 0, Delivered: 2},
		{Stream: 3, Unordered: true, Delivered: 2},
	}, aborted)
	require.Equal(t, []out{unord(0, "s0u"), whole(0, 1, "s0m1")}, popAll(t, r))
	require.Zero(t, r.Buffered())
	require.Zero(t, r.Chunks())
	// The ordered stream skipped the dropped SSN.
	require.ErrorIs(t, r.Add(2, &chunk.Data{Flags: fl("E"), UserData: []byte("late")}), ErrInvalidFragment)
}

// The SSN field of an unordered message is ignored: its partial delivery
// ending does not disturb the ordered message with the same SSN (found by
// FuzzReassembly).
func TestReassemblyUnorderedPartialSameSSN(t *testing.T) {
	r := NewReassembly(1)
	r.SetPartialDeliveryPoint(2)
	got := feed(t, r, []in{
		{tsn: 10, ssn: 1, flags: "B", data: "x"},
		{tsn: 11, ssn: 1, flags: "E", data: "y"},
		{tsn: 20, ssn: 1, flags: "UB", data: "uu"},
		{tsn: 21, ssn: 1, flags: "UE", data: "v"},
		{tsn: 1, ssn: 0, flags: "BE", data: "zero"},
	})
	require.Equal(t, []out{piece(0, 1, true, "uu", false), piece(0, 1, true, "v", true),
		whole(0, 0, "zero"), whole(0, 1, "xy")}, got)
}

// RFC 6458 Section 8.1.20, level 0: "when a partial delivery begins, no
// other messages will be received except the message being partially
// delivered."
func TestReassemblyFragmentInterleave(t *testing.T) {
	r := NewReassembly(3)
	require.Equal(t, 2, r.FragmentInterleave())
	require.False(t, r.SetFragmentInterleave(3))
	require.False(t, r.SetFragmentInterleave(-1))
	require.True(t, r.SetFragmentInterleave(0))
	r.SetPartialDeliveryPoint(2)
	got := feed(t, r, []in{
		{tsn: 1, sid: 1, flags: "B", data: "aa"},
		{tsn: 5, sid: 2, flags: "BE", data: "blocked"},
		{tsn: 2, sid: 1, data: "b"},
	})
	require.Equal(t, []out{piece(1, 0, false, "aa", false), piece(1, 0, false, "b", false)}, got)
	require.Zero(t, r.Len())
	require.NoError(t, r.Add(3, &chunk.Data{StreamID: 1, UserData: []byte("c")}))
	require.Equal(t, 1, r.Len())

	// Back to level 2: the stream 2 message, ready first, flows.
	require.True(t, r.SetFragmentInterleave(2))
	require.Equal(t, 2, r.Len())
	require.Equal(t, []out{whole(2, 0, "blocked"), piece(1, 0, false, "c", false)}, popAll(t, r))

	require.True(t, r.SetFragmentInterleave(1))
	got = feed(t, r, []in{
		{tsn: 6, sid: 2, ssn: 1, flags: "BE", data: "x"},
		{tsn: 4, sid: 1, flags: "E", data: "d"},
	})
	require.Equal(t, []out{whole(2, 1, "x"), piece(1, 0, false, "d", true)}, got)
	require.Zero(t, r.Buffered())
}

// AbortPartial clears the partial delivery that blocks the association.
func TestReassemblyAbortPartialBlocking(t *testing.T) {
	r := NewReassembly(3)
	r.SetFragmentInterleave(0)
	r.SetPartialDeliveryPoint(1)
	got := feed(t, r, []in{
		{tsn: 1, sid: 1, flags: "UB", data: "a"},
		{tsn: 5, sid: 2, flags: "BE", data: "next"},
		{tsn: 2, sid: 1, flags: "U", data: "b"},
	})
	require.Equal(t, []out{piece(1, 0, true, "a", false), piece(1, 0, true, "b", false)}, got)
	require.NoError(t, r.Add(3, &chunk.Data{StreamID: 1, Flags: fl("U"), UserData: []byte("c")}))
	require.Equal(t, []PartialAbort{{Stream: 1, Unordered: true, Delivered: 2}}, r.AbortPartial())
	require.Equal(t, []out{whole(2, 0, "next")}, popAll(t, r))
	require.Zero(t, r.Buffered())
}

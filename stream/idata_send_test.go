package stream

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

func TestStampIData(t *testing.T) {
	q := NewSendQueue(2)
	for _, m := range []*OutMessage{
		{Stream: 0, Data: []byte("aaaaa"), PPID: 7},
		{Stream: 0, Data: []byte("b"), Unordered: true},
		{Stream: 0, Data: []byte("cc")},
		{Stream: 1, Data: []byte("d")},
	} {
		require.NoError(t, q.Enqueue(m))
	}
	type got struct {
		sid   chunk.StreamID
		mid   chunk.MID
		fsn   chunk.FSN
		flags chunk.DataFlags
	}
	var gots []got
	for {
		f, ok := q.Next(2)
		if !ok {
			break
		}
		q.StampIData(&f)
		gots = append(gots, got{f.Stream, f.MID, f.FSN, f.Flags})
	}
	// RFC 8260 Section 2.1: one MID counter for ordered and one for
	// unordered messages per stream, FSN from 0 per message.
	require.Equal(t, []got{
		{0, 0, 0, fl("B")}, {0, 0, 1, 0}, {0, 0, 2, fl("E")},
		{1, 0, 0, fl("BE")},
		{0, 0, 0, fl("UBE")},
		{0, 1, 0, fl("BE")},
	}, gots)
	require.Equal(t, chunk.MID(2), q.NextMID(0, false))
	require.Equal(t, chunk.MID(1), q.NextMID(0, true))
	// RFC 8260 Section 2.3.2: a stream reset resets both counters.
	q.ResetSSNs([]chunk.StreamID{0})
	require.Zero(t, q.NextMID(0, false))
	require.Zero(t, q.NextMID(0, true))
	require.Equal(t, chunk.MID(1), q.NextMID(1, false))
}

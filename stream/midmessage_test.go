package stream

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// MidMessage holds from a message's first fragment handed out to its
// last, and never on a nil or empty queue.
func TestSendQueueMidMessage(t *testing.T) {
	var nilQ *SendQueue
	require.False(t, nilQ.MidMessage())
	q := NewSendQueue(2)
	require.False(t, q.MidMessage())
	require.NoError(t, q.Enqueue(&OutMessage{Stream: 1, Data: []byte("abcdef")}))
	require.False(t, q.MidMessage(), "queued, not begun")
	_, ok := q.Next(4)
	require.True(t, ok)
	require.True(t, q.MidMessage(), "first fragment out")
	f, ok := q.Next(4)
	require.True(t, ok)
	require.Equal(t, "ef", string(f.Data))
	require.False(t, q.MidMessage(), "last fragment out")
}

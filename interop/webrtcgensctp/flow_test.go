package webrtcgensctp

import (
	"context"
	"encoding/binary"
	"runtime"
	"testing"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

// The sizes of TestBufferedAmountLow: flowTotal bytes in flowMessage
// messages, at most flowLimit buffered.
const (
	flowTotal   = 64 << 20
	flowMessage = 64 << 10
	flowLimit   = 1 << 20
	// flowHeapBound is the bound on the heap while sending flowTotal:
	// half of it.
	flowHeapBound = flowTotal / 2
)

// TestBufferedAmountLow sends 64 MiB in 64 KiB messages, waiting for
// OnBufferedAmountLow (threshold 512 KiB) whenever more than 1 MiB is
// buffered: the callback fires, the buffered amount stays within the
// limit and a message, the heap stays under half of what was sent, and
// every message arrives in order.
func TestBufferedAmountLow(t *testing.T) {
	ctx := context.Background()
	var dc *webrtc.DataChannel
	var got <-chan *webrtc.DataChannel
	_, _ = newPair(t, false, func(a, b *webrtc.PeerConnection) {
		got = accepted(b, 1)
		var err error
		dc, err = a.CreateDataChannel("flow", nil)
		require.NoError(t, err)
	})
	open := opened(dc)
	rx := wait(ctx, t, got, "accept")
	const count = flowTotal / flowMessage
	done := make(chan error, 1)
	next := uint32(0)
	rx.OnMessage(func(m webrtc.DataChannelMessage) {
		if len(m.Data) != flowMessage || binary.BigEndian.Uint32(m.Data) != next {
			done <- errMismatch(int(next), len(m.Data))
			return
		}
		if next++; next == count {
			done <- nil
		}
	})
	wait(ctx, t, open, "open")
	p := newPacer(dc, flowLimit)
	msg := make([]byte, flowMessage)
	var peakHeap uint64
	var ms runtime.MemStats
	for i := range uint32(count) {
		binary.BigEndian.PutUint32(msg, i)
		p.send(ctx, t, msg)
		if i%64 == 0 {
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapAlloc)
		}
	}
	require.NoError(t, wait(ctx, t, done, "all messages"))
	t.Logf("OnBufferedAmountLow %d times, buffered at most %d bytes, heap at most %d bytes",
		p.lows.Load(), p.peak, peakHeap)
	require.Positive(t, p.lows.Load())
	require.LessOrEqual(t, p.peak, uint64(flowLimit+flowMessage))
	require.Less(t, peakHeap, uint64(flowHeapBound))
}

package webrtcgensctp

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

// benchPair connects two PeerConnections with a reliable channel, the
// offerer's end and the answerer's.
func benchPair(b *testing.B) (a, bb *peer, tx, rx *webrtc.DataChannel) {
	ctx := context.Background()
	var got <-chan *webrtc.DataChannel
	a, bb = newPair(b, false, func(pa, pb *webrtc.PeerConnection) {
		got = accepted(pb, 1)
		var err error
		tx, err = pa.CreateDataChannel("bench", nil)
		require.NoError(b, err)
	})
	open := opened(tx)
	rx = wait(ctx, b, got, "accept")
	wait(ctx, b, open, "open")
	return a, bb, tx, rx
}

// BenchmarkThroughput sends 64 KiB messages on a reliable ordered
// channel, at most 1 MiB buffered (OnBufferedAmountLow), until the
// receiver has them all.
func BenchmarkThroughput(b *testing.B) {
	ctx := context.Background()
	const size = 64 << 10
	_, _, tx, rx := benchPair(b)
	done := make(chan struct{}, 1)
	var n int
	rx.OnMessage(func(webrtc.DataChannelMessage) {
		if n++; n == b.N {
			done <- struct{}{}
		}
	})
	p := newPacer(tx, 1<<20)
	msg := make([]byte, size)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		p.send(ctx, b, msg)
	}
	wait(ctx, b, done, "all messages")
}

// BenchmarkRoundTrip64 sends a 64-byte message and waits for its echo.
func BenchmarkRoundTrip64(b *testing.B) {
	ctx := context.Background()
	_, _, tx, rx := benchPair(b)
	rx.OnMessage(func(m webrtc.DataChannelMessage) {
		if err := rx.Send(m.Data); err != nil {
			b.Errorf("echo: %v", err)
		}
	})
	echo := make(chan struct{}, 1)
	tx.OnMessage(func(webrtc.DataChannelMessage) { echo <- struct{}{} })
	msg := make([]byte, 64)
	b.ResetTimer()
	for range b.N {
		require.NoError(b, tx.Send(msg))
		wait(ctx, b, echo, "echo")
	}
}

// memChannels is the number of channels BenchmarkMemoryPerChannel opens.
const memChannels = 200

// BenchmarkMemoryPerChannel opens 200 channels and reports the heap they
// take, both ends together, per channel (B/channel, after a collection).
func BenchmarkMemoryPerChannel(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		a, _, _, _ := benchPair(b)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		chans := make([]*webrtc.DataChannel, memChannels)
		for i := range chans {
			dc, err := a.pc.CreateDataChannel(fmt.Sprintf("m%d", i), nil)
			require.NoError(b, err)
			wait(ctx, b, opened(dc), "open")
			chans[i] = dc
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/memChannels, "B/channel")
		runtime.KeepAlive(chans)
		require.NoError(b, a.pc.Close())
		b.StartTimer()
	}
}

package webrtcgensctp

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

// reliableMessages is the number of messages TestReliableOrdered sends.
const reliableMessages = 10000

// maxMessage is the largest message sent: pion/webrtc's default
// max-message-size (RFC 8841 Section 6).
const maxMessage = 256 << 10

// messageSizes are n seeded sizes from 1 byte to maxMessage, spread
// evenly over the powers of two (most small, some large), the first 1
// and the second maxMessage.
func messageSizes(n int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, seed))
	sizes := make([]int, n)
	for i := range sizes {
		sizes[i] = 1 + rng.IntN(1<<rng.IntN(19))
	}
	sizes[0], sizes[1] = 1, maxMessage
	return sizes
}

// TestReliableOrdered sends 10,000 messages of 1 B to 256 KiB on a
// reliable ordered channel and checks that they arrive in order with
// their exact data.
func TestReliableOrdered(t *testing.T) {
	ctx := context.Background()
	var dc *webrtc.DataChannel
	var got <-chan *webrtc.DataChannel
	_, _ = newPair(t, false, func(a, b *webrtc.PeerConnection) {
		got = accepted(b, 1)
		var err error
		dc, err = a.CreateDataChannel("reliable", nil)
		require.NoError(t, err)
	})
	open := opened(dc)
	rx := wait(ctx, t, got, "accept")
	sizes := messageSizes(reliableMessages, 13)
	data := make([]byte, 2*maxMessage)
	_, _ = rand.NewChaCha8([32]byte{7}).Read(data)
	// Message i is data[i%maxMessage:][:sizes[i]].
	msg := func(i int) []byte { return data[i%maxMessage:][:sizes[i]] }
	done := make(chan error, 1)
	next := 0
	rx.OnMessage(func(m webrtc.DataChannelMessage) {
		if next >= len(sizes) || !bytes.Equal(m.Data, msg(next)) {
			done <- errMismatch(next, len(m.Data))
			return
		}
		next++
		if next == len(sizes) {
			done <- nil
		}
	})
	wait(ctx, t, open, "open")
	p := newPacer(dc, 1<<20)
	for i := range sizes {
		p.send(ctx, t, msg(i))
	}
	require.NoError(t, wait(ctx, t, done, "all messages"))
}

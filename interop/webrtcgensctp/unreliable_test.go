package webrtcgensctp

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

// lossyMessages is the number of messages sent under random loss.
const lossyMessages = 500

// blackoutMessages is the number of messages sent during a blackout.
const blackoutMessages = 100

// lossPercent is the share of datagrams each peer drops under loss.
const lossPercent = 5

// endMark is the payload that ends a lossy run: sent after the messages
// until it arrives.
const endMark = "end"

// lossyRun is a channel, made with init, under loss, and its receiver's
// record of the messages that arrived.
type lossyRun struct {
	a, b *peer
	dc   *webrtc.DataChannel
	p    *pacer
	nums chan uint32
	end  chan struct{}
}

// newLossyRun connects a and b on lossy sockets (no loss yet) with a
// channel made with init, whose receiver checks each numbered message.
func newLossyRun(t *testing.T, init *webrtc.DataChannelInit) *lossyRun {
	ctx := context.Background()
	r := &lossyRun{nums: make(chan uint32, lossyMessages+blackoutMessages), end: make(chan struct{})}
	var got <-chan *webrtc.DataChannel
	r.a, r.b = newPair(t, true, func(a, b *webrtc.PeerConnection) {
		got = accepted(b, 1)
		var err error
		r.dc, err = a.CreateDataChannel("unreliable", init)
		require.NoError(t, err)
	})
	open := opened(r.dc)
	wait(ctx, t, got, "accept").OnMessage(func(m webrtc.DataChannelMessage) { r.receive(t, m.Data) })
	wait(ctx, t, open, "open")
	// More than all the messages: no waiting for OnBufferedAmountLow,
	// which pion/sctp does not call for abandoned messages.
	r.p = newPacer(r.dc, 1<<20)
	return r
}

// receive checks and records message m.
func (r *lossyRun) receive(t *testing.T, m []byte) {
	if string(m) == endMark {
		select {
		case <-r.end:
		default:
			close(r.end)
		}
		return
	}
	n := binary.BigEndian.Uint32(m)
	for i, c := range m[4:] {
		if c != byte(int(n)+i) || len(m) != blackoutSize {
			t.Errorf("message %d corrupted", n)
			return
		}
	}
	select {
	case <-r.end:
		t.Errorf("message %d after the end mark", n)
	case r.nums <- n:
	default:
		t.Errorf("message %d beyond those sent", n)
	}
}

// send sends the messages numbered from to to-1.
func (r *lossyRun) send(t *testing.T, from, to uint32) {
	for n := from; n < to; n++ {
		msg := make([]byte, blackoutSize)
		binary.BigEndian.PutUint32(msg, n)
		for i := range msg[4:] {
			msg[4+i] = byte(int(n) + i)
		}
		r.p.send(context.Background(), t, msg)
	}
}

// finish sends endMark until it arrives, lifts the loss, and returns the
// numbers received before the mark, in order of arrival.
func (r *lossyRun) finish(t *testing.T) []uint32 {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for done := false; !done; {
		require.NoError(t, r.dc.SendText(endMark))
		select {
		case <-r.end:
			done = true
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal("end mark not received")
		}
	}
	setLoss(r.a, r.b, 0)
	t.Logf("dropped %d and %d datagrams", r.a.conn.dropped.Load(), r.b.conn.dropped.Load())
	close(r.nums)
	var out []uint32
	for n := range r.nums {
		out = append(out, n)
	}
	return out
}

// TestUnorderedMaxRetransmitsZeroUnderLoss checks an unordered channel
// with maxRetransmits 0 under 5% loss each way: messages arrive intact
// at most once and the lost ones are never retransmitted (fewer arrive
// than were sent).
func TestUnorderedMaxRetransmitsZeroUnderLoss(t *testing.T) {
	ordered, zero := false, uint16(0)
	r := newLossyRun(t, &webrtc.DataChannelInit{Ordered: &ordered, MaxRetransmits: &zero})
	setLoss(r.a, r.b, lossPercent)
	r.send(t, 0, lossyMessages)
	nums := r.finish(t)
	seen := map[uint32]bool{}
	for _, n := range nums {
		require.False(t, seen[n], "message %d twice", n)
		seen[n] = true
	}
	t.Logf("%d of %d arrived", len(nums), lossyMessages)
	require.NotEmpty(t, nums)
	require.Less(t, len(nums), lossyMessages)
}

// TestMaxPacketLifeTimeUnderLoss checks an ordered channel with a
// maxPacketLifeTime of 50 ms: under 5% loss each way, messages arrive
// intact, in order, at most once; then the DATA of 100 more messages is
// lost (a blackout that lasts beyond their lifetime): none of them
// arrives, whether sent and lost or expired unsent, and the channel goes
// on past them (the end mark arrives).
func TestMaxPacketLifeTimeUnderLoss(t *testing.T) {
	life := uint16(50)
	r := newLossyRun(t, &webrtc.DataChannelInit{MaxPacketLifeTime: &life})
	setLoss(r.a, r.b, lossPercent)
	r.send(t, 0, lossyMessages)
	r.a.conn.blackout.Store(true)
	r.send(t, lossyMessages, lossyMessages+blackoutMessages)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for r.a.conn.blacked.Load() == 0 {
		select {
		case <-ctx.Done():
			t.Fatal("no DATA of the blackout sent")
		case <-time.After(time.Millisecond):
		}
	}
	// Every message of the blackout expires before it ends.
	time.Sleep(3 * time.Duration(life) * time.Millisecond)
	r.a.conn.blackout.Store(false)
	nums := r.finish(t)
	for i := 1; i < len(nums); i++ {
		require.Greater(t, nums[i], nums[i-1], "out of order")
	}
	t.Logf("%d of %d arrived", len(nums), lossyMessages+blackoutMessages)
	for _, n := range nums {
		require.Less(t, n, uint32(lossyMessages), "a message of the blackout arrived")
	}
}

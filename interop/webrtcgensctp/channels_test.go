package webrtcgensctp

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

// channelCount is the number of channels TestOpenClose100Channels opens.
const channelCount = 100

// idTracker is the answerer's record of the stream ids of its channels:
// an id opened again before the channel that had it closed (its stream
// reset done) is an error.
type idTracker struct {
	mu     sync.Mutex
	open   map[uint16]string
	chans  map[string]*webrtc.DataChannel
	reused int
	errs   []error
	got    chan string
	closed chan string
}

// newIDTracker tracks the channels b accepts; each echoes its label's
// message back into got and reports its close into closed.
func newIDTracker(b *webrtc.PeerConnection) *idTracker {
	tr := &idTracker{open: map[uint16]string{}, chans: map[string]*webrtc.DataChannel{},
		got: make(chan string, 2*channelCount), closed: make(chan string, 2*channelCount)}
	b.OnDataChannel(func(dc *webrtc.DataChannel) {
		id, label := *dc.ID(), dc.Label()
		tr.mu.Lock()
		if prev, ok := tr.open[id]; ok {
			tr.errs = append(tr.errs, fmt.Errorf("stream %d of %s reused by %s before its reset", id, prev, label))
		}
		tr.open[id] = label
		tr.chans[label] = dc
		tr.mu.Unlock()
		dc.OnMessage(func(m webrtc.DataChannelMessage) {
			if string(m.Data) != label {
				tr.mu.Lock()
				tr.errs = append(tr.errs, fmt.Errorf("%q on channel %s", m.Data, label))
				tr.mu.Unlock()
			}
			tr.got <- label
		})
		dc.OnClose(func() {
			tr.mu.Lock()
			if tr.open[id] == label {
				delete(tr.open, id)
			}
			tr.mu.Unlock()
			tr.closed <- label
		})
	})
	return tr
}

// closeAt closes the answerer's channel label.
func (tr *idTracker) closeAt(label string) error {
	tr.mu.Lock()
	dc := tr.chans[label]
	tr.mu.Unlock()
	if dc == nil {
		return fmt.Errorf("no channel %s at the answerer", label)
	}
	return dc.Close()
}

// TestOpenClose100Channels opens 100 channels one after another, sends a
// message on each and closes it (the offerer closing one, the answerer
// the next), a stream reset each (RFC 8831 Section 6.7). The first half
// waits until both ends saw the close before opening the next; the second
// half opens the next at once, so that the offerer may choose the id of a
// channel whose reset is still under way. Each message arrives on its
// channel, both ends see every close, and no id opens again at the
// answerer before the channel that had it closed there.
func TestOpenClose100Channels(t *testing.T) {
	ctx := context.Background()
	var first *webrtc.DataChannel
	var tr *idTracker
	a, _ := newPair(t, false, func(a, b *webrtc.PeerConnection) {
		tr = newIDTracker(b)
		var err error
		first, err = a.CreateDataChannel("first", nil)
		require.NoError(t, err)
	})
	wait(ctx, t, opened(first), "open first")
	ids := map[uint16]int{}
	closedA := make(chan string, channelCount)
	for i := range channelCount {
		label := fmt.Sprintf("c%d", i)
		dc, err := a.pc.CreateDataChannel(label, nil)
		require.NoError(t, err)
		dc.OnClose(func() { closedA <- label })
		wait(ctx, t, opened(dc), "open "+label)
		ids[*dc.ID()]++
		require.NoError(t, dc.SendText(label))
		require.Equal(t, label, wait(ctx, t, tr.got, "message on "+label))
		if i%2 == 0 {
			require.NoError(t, dc.Close())
		} else {
			require.NoError(t, tr.closeAt(label))
		}
		if i < channelCount/2 {
			require.Equal(t, label, wait(ctx, t, closedA, "close of "+label+" at the offerer"))
			require.Equal(t, label, wait(ctx, t, tr.closed, "close of "+label+" at the answerer"))
		}
	}
	for range channelCount / 2 {
		wait(ctx, t, closedA, "closes at the offerer")
		wait(ctx, t, tr.closed, "closes at the answerer")
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	require.Empty(t, tr.errs)
	// pion/webrtc v4.2.27 never gives an id out twice in a
	// PeerConnection (SCTPTransport.dataChannelIDsUsed):
	// TestNegotiatedIDReusedAfterReset reuses one.
	t.Logf("%d channels on %d stream ids", channelCount, len(ids))
}

// reuseRounds is the number of times TestNegotiatedIDReusedAfterReset
// opens its stream id.
const reuseRounds = 20

// TestNegotiatedIDReusedAfterReset opens a negotiated channel on stream
// id 10 at both ends, sends a message each way, closes it (a stream reset;
// the offerer closing in one round, the answerer in the next) and, once
// both ends saw the close, opens id 10 again, 20 times: every message
// arrives on the channel of its round, none of an earlier round.
func TestNegotiatedIDReusedAfterReset(t *testing.T) {
	ctx := context.Background()
	var first *webrtc.DataChannel
	a, b := newPair(t, false, func(a, _ *webrtc.PeerConnection) {
		var err error
		first, err = a.CreateDataChannel("first", nil)
		require.NoError(t, err)
	})
	wait(ctx, t, opened(first), "open first")
	negotiated, id := true, uint16(10)
	for i := range reuseRounds {
		label := fmt.Sprintf("r%d", i)
		var ends [2]*webrtc.DataChannel
		got := make(chan string, 2)
		closed := make(chan struct{}, 2)
		for j, p := range []*peer{a, b} {
			dc, err := p.pc.CreateDataChannel(label, &webrtc.DataChannelInit{Negotiated: &negotiated, ID: &id})
			require.NoError(t, err)
			dc.OnMessage(func(m webrtc.DataChannelMessage) { got <- string(m.Data) })
			dc.OnClose(func() { closed <- struct{}{} })
			open := opened(dc)
			ends[j] = dc
			wait(ctx, t, open, "open "+label)
		}
		for _, dc := range ends {
			require.NoError(t, dc.SendText(label))
		}
		for range ends {
			require.Equal(t, label, wait(ctx, t, got, "message on "+label))
		}
		require.NoError(t, ends[i%2].Close())
		for range ends {
			wait(ctx, t, closed, "close of "+label)
		}
	}
}

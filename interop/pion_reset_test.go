//go:build linux

package interop

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/association"
	"github.com/pion/sctp"
)

// A pion Stream.Close (an Outgoing SSN Reset Request, RFC 6525) against
// us completes, as a WebRTC data channel close does (RFC 8831 Section
// 6.7): we deliver the message sent before it, then the incoming stream
// reset event; our user resets its outgoing stream in turn
// (ResetStreams), which pion performs (its stream reads io.EOF) and
// answers, and our user gets the outgoing reset event. Before RE-CONFIG
// was answered, pion sent its request again and again, unanswered.
func TestPionStreamClose(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	n := newNodeOn(t, []api.Option{api.LocalUDPPort(udpPort()), api.Port(pionPort), api.RemoteUDPPort(udpPort()),
		api.SCTPEvents(api.EventSubscribe{StreamResetEvent: api.True})})
	n.listen()
	a := pionClient(ctx, t, n)
	id := n.accepted(ctx)
	s, err := a.OpenStream(1, sctp.PayloadTypeWebRTCBinary)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteSCTP([]byte("before close"), sctp.PayloadTypeWebRTCBinary); err != nil {
		t.Fatal(err)
	}
	readDone := make(chan error, 1)
	go func() {
		buf := make([]byte, 64)
		_, err := s.Read(buf)
		readDone <- err
	}()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	resetWith := func(flags association.StreamResetFlags) func() bool {
		return func() bool {
			for _, e := range n.events {
				if ev, ok := e.ev.(*api.StreamResetEvent); ok && e.id == id && ev.Flags == flags &&
					slices.Equal(ev.Streams, []uint16{1}) {
					return true
				}
			}
			return false
		}
	}
	n.wait(ctx, "the incoming stream reset event", resetWith(association.StreamResetIncoming))
	n.mu.Lock()
	msgs := slices.Clone(n.msgs)
	n.mu.Unlock()
	if len(msgs) != 1 || string(msgs[0].data) != "before close" || msgs[0].stream != 1 {
		t.Fatalf("messages before the reset: %+v", msgs)
	}
	if err := n.s.ResetStreams(id, 1); err != nil {
		t.Fatalf("ResetStreams: %v", err)
	}
	n.wait(ctx, "the outgoing stream reset event", resetWith(association.StreamResetOutgoing))
	select {
	case err := <-readDone:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("pion's stream read: %v, want io.EOF once we reset our side", err)
		}
	case <-ctx.Done():
		t.Fatal("pion's stream was not closed by our reset")
	}
}

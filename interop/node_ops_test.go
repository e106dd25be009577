//go:build linux

package interop

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gensctp/gensctp/api"
)

// The operations of a node: associations, events, sending, closing.

// connect sets up an association to the peer at 127.0.0.1, SCTP port
// peerPort (its UDP port is the node's RemoteUDPPort), and returns it.
func (n *node) connect(ctx context.Context, peerPort uint16) api.AssocID {
	n.t.Helper()
	id, err := n.connectErr(ctx, peerPort)
	if err != nil {
		n.t.Fatal(err)
	}
	return id
}

// connectListening is connect to a usrsctp program that may not listen
// yet: it binds its UDP port before it turns off ABORTs for out of the
// blue packets (usrsctp_sysctl_set_sctp_blackhole) and listens, and an
// INIT arriving in between is answered with an ABORT (RFC 9260 Section 8.4
// rule 8): CantAssoc, and we try again.
func (n *node) connectListening(ctx context.Context, peerPort uint16) api.AssocID {
	n.t.Helper()
	id, err := n.connectListeningErr(ctx, peerPort, n.t.Logf)
	if err != nil {
		n.t.Fatal(err)
	}
	return id
}

func (n *node) connectListeningErr(ctx context.Context, peerPort uint16, logf func(string, ...any)) (api.AssocID, error) {
	for try := 1; ; try++ {
		id, err := n.connectErr(ctx, peerPort)
		if err == nil || try == 5 || !errors.Is(err, errCantAssoc) {
			return id, err
		}
		logf("attempt %d: %v; trying again", try, err)
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// errCantAssoc marks a CantAssoc outcome of connectErr.
var errCantAssoc = errors.New("cant_assoc")

// connectErr is connect returning its failure. Connect takes the
// association's AssocChange (comm_up or the failure): it is recorded
// first among the association's events.
func (n *node) connectErr(ctx context.Context, peerPort uint16) (api.AssocID, error) {
	ac, err := n.s.Connect(ctx, loopback, peerPort)
	var ee *api.EventError
	if errors.As(err, &ee) {
		if fail, ok := ee.Event.(*api.AssocChange); ok {
			n.recordFirst(fail)
			err = fmt.Errorf("gensctp: got AssocChange %v (cause %v), want comm_up; events: %s", fail.State, fail.Error, n.eventSummary())
			if fail.State == api.CantAssoc {
				err = fmt.Errorf("%w: %w", errCantAssoc, err)
			}
			return fail.AssocID, err
		}
	}
	if err != nil {
		return 0, fmt.Errorf("gensctp: connect to port %d: %w", peerPort, err)
	}
	n.recordFirst(ac)
	return ac.AssocID, nil
}

// recordFirst records ac before the other events of its association.
func (n *node) recordFirst(ac *api.AssocChange) {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := slices.IndexFunc(n.events, func(e nodeEvent) bool { return e.id == ac.AssocID })
	if i < 0 {
		i = len(n.events)
	}
	n.events = slices.Insert(n.events, i, nodeEvent{ac.AssocID, ac})
	n.changedLocked()
}

// accepted waits for an association to come up and returns it.
func (n *node) accepted(ctx context.Context) api.AssocID {
	n.t.Helper()
	var id api.AssocID
	n.wait(ctx, "an association (CommUp)", func() bool {
		for _, e := range n.events {
			if ac, ok := e.ev.(*api.AssocChange); ok && ac.State == api.CommUp {
				id = e.id
				return true
			}
		}
		return false
	})
	return id
}

// waitState waits for an AssocChange event of the association with the
// given state, failing at once on another terminal one.
func (n *node) waitState(ctx context.Context, id api.AssocID, state api.AssocState) *api.AssocChange {
	n.t.Helper()
	var got *api.AssocChange
	n.wait(ctx, "AssocChange "+state.String(), func() bool {
		for _, e := range n.events {
			ac, ok := e.ev.(*api.AssocChange)
			if !ok || e.id != id {
				continue
			}
			if ac.State == state || ac.State != api.CommUp && ac.State != api.Restart {
				got = ac
				return true
			}
		}
		return false
	})
	if got.State != state {
		n.t.Fatalf("gensctp: got AssocChange %v (cause %v), want %v; events: %s", got.State, got.Error, state, n.eventSummary())
	}
	return got
}

// eventKinds returns the association's events as short names, in order:
// "comm_up", "shutdown_event", "shutdown_comp", ...
func (n *node) eventKinds(id api.AssocID) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, e := range n.events {
		if e.id == id {
			out = append(out, eventName(e.ev))
		}
	}
	return out
}

func eventName(ev api.Event) string {
	switch e := ev.(type) {
	case *api.AssocChange:
		return e.State.String()
	case *api.ShutdownEvent:
		return "shutdown_event"
	case *api.PaddrChange:
		return "paddr_" + e.State.String()
	case *api.SendFailed:
		return "send_failed"
	case *api.RemoteError:
		return fmt.Sprintf("remote_error_%d", e.Error)
	case *api.AdaptationEvent:
		return "adaptation"
	case *api.PdapiEvent:
		return "pdapi"
	}
	return fmt.Sprintf("%T", ev)
}

// eventSummary lists every recorded event, for failure messages.
func (n *node) eventSummary() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var b strings.Builder
	for _, e := range n.events {
		fmt.Fprintf(&b, "[%d %s] ", e.id, eventName(e.ev))
	}
	return b.String()
}

// send queues a message on stream with ppid, waiting while the send
// buffer is full.
func (n *node) send(ctx context.Context, id api.AssocID, stream uint16, ppid uint32, data []byte) {
	n.t.Helper()
	if err := n.s.SendInfoContext(ctx, api.SndRcvInfo{AssocID: id, Stream: stream, PPID: ppid}, data); err != nil {
		n.t.Fatalf("gensctp: send: %v; events: %s", err, n.eventSummary())
	}
}

// received returns the messages recorded so far (copies of the slice
// headers).
func (n *node) received() []nodeMsg {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.msgs)
}

// stats returns the counters of the association.
func (n *node) stats(id api.AssocID) api.AssocStats {
	n.t.Helper()
	st, err := n.s.AssocStats(id)
	if err != nil {
		n.t.Fatalf("gensctp: stats: %v", err)
	}
	return st
}

// shutdown starts a graceful shutdown of the association (eof).
func (n *node) shutdown(id api.AssocID) {
	n.t.Helper()
	if err := n.s.Eof(id); err != nil {
		n.t.Fatalf("gensctp: shutdown: %v", err)
	}
}

// abort aborts the association with a reason: the User-Initiated Abort
// cause carries it (a send with the abort flag, gen_sctp send/3).
func (n *node) abort(id api.AssocID, reason string) {
	n.t.Helper()
	if err := n.s.SendInfo(api.SndRcvInfo{AssocID: id, Flags: api.Abort}, []byte(reason)); err != nil {
		n.t.Fatalf("gensctp: abort: %v", err)
	}
}

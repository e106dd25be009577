//go:build linux

package interop

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

// The operations of a node: associations, events, sending, closing.

// connect starts an association to the peer and waits for CommUp.
func (n *node) connect(ctx context.Context, peer netip.AddrPort, peerPort uint16) endpoint.AssocID {
	n.t.Helper()
	id, err := n.connectErr(ctx, peer, peerPort)
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
func (n *node) connectListening(ctx context.Context, peer netip.AddrPort, peerPort uint16) endpoint.AssocID {
	n.t.Helper()
	id, err := n.connectListeningErr(ctx, peer, peerPort, n.t.Logf)
	if err != nil {
		n.t.Fatal(err)
	}
	return id
}

func (n *node) connectListeningErr(ctx context.Context, peer netip.AddrPort, peerPort uint16, logf func(string, ...any)) (endpoint.AssocID, error) {
	for try := 1; ; try++ {
		id, err := n.connectErr(ctx, peer, peerPort)
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

func (n *node) connectErr(ctx context.Context, peer netip.AddrPort, peerPort uint16) (endpoint.AssocID, error) {
	var id endpoint.AssocID
	if err := n.s.Do(func(now timer.Time) error {
		var err error
		id, err = n.ep.Connect(now, []netip.AddrPort{peer}, peerPort, nil)
		return err
	}); err != nil {
		return 0, fmt.Errorf("gensctp: connect to %v port %d: %w", peer, peerPort, err)
	}
	ac, err := n.waitStateErr(ctx, id, association.CommUp)
	if err != nil && ac != nil && ac.State == association.CantAssoc {
		err = fmt.Errorf("%w: %w", errCantAssoc, err)
	}
	return id, err
}

// accepted waits for an association to come up and returns it.
func (n *node) accepted(ctx context.Context) endpoint.AssocID {
	n.t.Helper()
	var id endpoint.AssocID
	n.wait(ctx, "an association (CommUp)", func(timer.Time) bool {
		for _, e := range n.events {
			if ac, ok := e.ev.(*association.AssocChange); ok && ac.State == association.CommUp {
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
func (n *node) waitState(ctx context.Context, id endpoint.AssocID, state association.AssocChangeState) *association.AssocChange {
	n.t.Helper()
	ac, err := n.waitStateErr(ctx, id, state)
	if err != nil {
		n.t.Fatal(err)
	}
	return ac
}

func (n *node) waitStateErr(ctx context.Context, id endpoint.AssocID, state association.AssocChangeState) (*association.AssocChange, error) {
	var got *association.AssocChange
	err := n.waitErr(ctx, "AssocChange "+state.String(), func(timer.Time) bool {
		for _, e := range n.events {
			ac, ok := e.ev.(*association.AssocChange)
			if !ok || e.id != id {
				continue
			}
			if ac.State == state || ac.State != association.CommUp && ac.State != association.Restart {
				got = ac
				return true
			}
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if got.State != state {
		return got, fmt.Errorf("gensctp: got AssocChange %v (cause %v), want %v; events: %s", got.State, got.Error, state, n.eventSummary())
	}
	return got, nil
}

// eventKinds returns the association's events as short names, in order:
// "comm_up", "shutdown_event", "shutdown_comp", ...
func (n *node) eventKinds(id endpoint.AssocID) []string {
	var out []string
	_ = n.s.Do(func(timer.Time) error {
		for _, e := range n.events {
			if e.id == id {
				out = append(out, eventName(e.ev))
			}
		}
		return nil
	})
	return out
}

func eventName(ev association.Event) string {
	switch e := ev.(type) {
	case *association.AssocChange:
		return e.State.String()
	case *association.ShutdownEvent:
		return "shutdown_event"
	case *association.PaddrChange:
		return "paddr_" + e.State.String()
	case *association.SendFailed:
		return "send_failed"
	case *association.RemoteError:
		return fmt.Sprintf("remote_error_%d", e.Error)
	case *association.AdaptationEvent:
		return "adaptation"
	case *association.PDAPIEvent:
		return "pdapi"
	}
	return fmt.Sprintf("%T", ev)
}

// eventSummary lists every recorded event (without the lock: for failure
// messages after the waits returned).
func (n *node) eventSummary() string {
	var b strings.Builder
	_ = n.s.Do(func(timer.Time) error {
		for _, e := range n.events {
			fmt.Fprintf(&b, "[%d %s] ", e.id, eventName(e.ev))
		}
		return nil
	})
	return b.String()
}

// assoc runs fn on the association with the stack locked.
func (n *node) assoc(id endpoint.AssocID, fn func(now timer.Time, a *association.Association) error) error {
	return n.s.Do(func(now timer.Time) error {
		a, ok := n.ep.Assoc(id)
		if !ok {
			return fmt.Errorf("association %d is gone", id)
		}
		return fn(now, a)
	})
}

// send queues a message, waiting while the send buffer is full.
func (n *node) send(ctx context.Context, id endpoint.AssocID, info association.SendInfo, data []byte) {
	n.t.Helper()
	if err := n.sendErr(ctx, id, info, data); err != nil {
		n.t.Fatal(err)
	}
}

func (n *node) sendErr(ctx context.Context, id endpoint.AssocID, info association.SendInfo, data []byte) error {
	var err error
	werr := n.waitErr(ctx, "send-buffer space", func(now timer.Time) bool {
		a, ok := n.ep.Assoc(id)
		if !ok {
			err = fmt.Errorf("association %d is gone", id)
			return true
		}
		err = a.Send(now, info, data)
		return !errors.Is(err, association.ErrWouldBlock)
	})
	if werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("gensctp: send: %w", err)
	}
	return nil
}

// received returns the messages recorded so far (copies of the slice
// headers).
func (n *node) received() []nodeMsg {
	var out []nodeMsg
	_ = n.s.Do(func(timer.Time) error { out = append(out, n.msgs...); return nil })
	return out
}

// shutdown starts a graceful shutdown of the association.
func (n *node) shutdown(id endpoint.AssocID) {
	n.t.Helper()
	if err := n.assoc(id, func(now timer.Time, a *association.Association) error { return a.Shutdown(now) }); err != nil {
		n.t.Fatalf("gensctp: shutdown: %v", err)
	}
}

// abort aborts the association with a reason.
func (n *node) abort(id endpoint.AssocID, reason string) {
	n.t.Helper()
	if err := n.assoc(id, func(now timer.Time, a *association.Association) error {
		a.Abort(now, []byte(reason))
		return nil
	}); err != nil {
		n.t.Fatalf("gensctp: abort: %v", err)
	}
}

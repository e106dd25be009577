//go:build linux

package interop

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
)

// node is gensctp's side of an interop test: a stack on 127.0.0.1 with one
// endpoint. What the endpoint delivers is recorded (or echoed back) by
// pump, which runs only inside the stack's Do and Wait callbacks, so the
// recorded fields are guarded by the stack's lock.
type node struct {
	t  *testing.T
	s  *stack.Stack
	ep *endpoint.Endpoint

	ctx    context.Context // ends when the test cleans up
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// Guarded by the stack's lock.
	events []nodeEvent
	msgs   []nodeMsg
	echo   bool
	queued []nodeMsg // echoes waiting for send-buffer space
	echoed int
	err    error // the first unexpected error of a callback
}

type nodeEvent struct {
	id endpoint.AssocID
	ev association.Event
}

type nodeMsg struct {
	id endpoint.AssocID
	m  association.Message
}

// nodeConfig is the association template of the tests' endpoints.
func nodeConfig() association.Config {
	return association.Config{
		Rand:    stack.CryptoSource(),
		NoDelay: true,
		// Only 127.0.0.1: usrsctp lists ::1 too, which this stack (bound
		// to one IPv4 address) could not reach.
		LocalAddrs: []netip.Addr{loopback},
	}
}

// newNode starts a stack on 127.0.0.1:udpPort with an endpoint on SCTP
// port sctpPort. The stack closes when the test ends.
func newNode(t *testing.T, udpPort int, sctpPort uint16) *node {
	t.Helper()
	return newNodeWith(t, udpConfig(udpPort), endpoint.Config{Port: sctpPort, Assoc: nodeConfig()})
}

// udpConfig is the UDP configuration of the tests' stacks: 127.0.0.1 on
// port.
func udpConfig(port int) udpencap.Config {
	return udpencap.Config{
		LocalAddrs:  []netip.Addr{loopback},
		Port:        port,
		ReadBuffer:  4 << 20,
		WriteBuffer: 4 << 20,
	}
}

func newNodeWith(t *testing.T, udp udpencap.Config, cfg endpoint.Config) *node {
	t.Helper()
	s, err := stack.New(stack.Config{UDP: udp})
	if err != nil {
		t.Fatalf("stack on UDP port %d: %v", udp.Port, err)
	}
	n := &node{t: t, s: s}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	t.Cleanup(func() {
		n.cancel()
		_ = s.Close()
		n.wg.Wait()
	})
	if n.ep, err = s.AddEndpoint(cfg); err != nil {
		t.Fatalf("endpoint on SCTP port %d: %v", cfg.Port, err)
	}
	return n
}

// addr returns the stack's UDP address.
func (n *node) addr() netip.AddrPort { return n.s.LocalAddrs()[0] }

// listen accepts associations.
func (n *node) listen() {
	_ = n.s.Do(func(timer.Time) error { n.ep.Listen(true); return nil })
}

// serveEcho sends every message received back on its stream, in the
// background until the test ends, honouring back-pressure: a message that
// does not fit in the send buffer waits, and nothing more is polled
// meanwhile.
func (n *node) serveEcho() {
	_ = n.s.Do(func(timer.Time) error { n.echo = true; return nil })
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		_ = n.s.Wait(n.ctx, func(now timer.Time) bool {
			n.pump(now)
			return false
		})
	}()
}

// pump drains the endpoint's deliveries into the record (or echoes
// messages back). Called with the stack locked.
func (n *node) pump(now timer.Time) {
	for {
		for len(n.queued) > 0 {
			q := n.queued[0]
			if a, ok := n.ep.Assoc(q.id); ok {
				err := a.Send(now, association.SendInfo{Stream: q.m.Stream, PPID: q.m.PPID, Unordered: q.m.Unordered}, q.m.Data)
				if errors.Is(err, association.ErrWouldBlock) {
					return
				}
				if err != nil && n.err == nil && a.State() == association.StateEstablished {
					n.err = fmt.Errorf("echo: %w", err)
				}
				if err == nil {
					n.echoed++
				}
			}
			n.queued = n.queued[1:]
		}
		id, d, ok := n.ep.Poll()
		if !ok {
			return
		}
		switch {
		case d.Event != nil:
			n.events = append(n.events, nodeEvent{id, d.Event})
		case n.echo:
			n.queued = append(n.queued, nodeMsg{id, d.Message})
		default:
			n.msgs = append(n.msgs, nodeMsg{id, d.Message})
		}
	}
}

// wait pumps until cond (called with the stack locked) holds, failing the
// test when ctx ends first.
func (n *node) wait(ctx context.Context, what string, cond func(now timer.Time) bool) {
	n.t.Helper()
	if err := n.waitErr(ctx, what, cond); err != nil {
		n.t.Fatal(err)
	}
}

// waitErr is wait returning its failure, for goroutines other than the
// test's.
func (n *node) waitErr(ctx context.Context, what string, cond func(now timer.Time) bool) error {
	err := n.s.Wait(ctx, func(now timer.Time) bool {
		n.pump(now)
		return n.err != nil || cond(now)
	})
	if err == nil {
		err = n.lockedErr()
	}
	if err != nil {
		return fmt.Errorf("gensctp: waiting for %s: %w; events: %s", what, err, n.eventSummary())
	}
	return nil
}

func (n *node) lockedErr() error {
	var err error
	_ = n.s.Do(func(timer.Time) error { err = n.err; return nil })
	return err
}

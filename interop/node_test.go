//go:build linux

package interop

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/gensctp/gensctp/api"
)

// node is gensctp's side of an interop test: a one-to-many socket of the
// public api package on 127.0.0.1 (or the wildcard address). A goroutine
// reads it for the whole test (Recv) and records what arrives, or echoes
// the messages back (serveEcho), honouring back-pressure: while an echo
// waits for send-buffer space, nothing more is read.
type node struct {
	t *testing.T
	s *api.Socket

	ctx    context.Context // ends when the test cleans up
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu sync.Mutex // guards what follows
	// changed is closed and replaced when the record changed.
	changed chan struct{}
	events  []nodeEvent
	msgs    []nodeMsg
	echo    bool
	echoed  int
	err     error  // the first unexpected error of the reader
	pace    func() // if set, called after each message recorded: a slow user
}

type nodeEvent struct {
	id api.AssocID
	ev api.Event
}

// nodeMsg is a message received (whole: api gathers the pieces of a
// message delivered in parts).
type nodeMsg struct {
	id     api.AssocID
	stream uint16
	ppid   uint32
	ssn    uint16
	data   []byte
}

// newNode opens a socket on 127.0.0.1:udpPort with SCTP port sctpPort,
// closed when the test ends. Its associations list only 127.0.0.1:
// usrsctp lists ::1 too, which this socket (bound to one IPv4 address)
// could not reach. opts come last (RemoteUDPPort for a client).
func newNode(t *testing.T, udpPort int, sctpPort uint16, opts ...api.Option) *node {
	t.Helper()
	return newNodeOn(t, append([]api.Option{api.IP(loopback), api.LocalUDPPort(udpPort), api.Port(sctpPort)}, opts...))
}

// newNodeOn opens a node's socket with opts (the address and ports
// included): Nagle off, adaptation layer events delivered, Close aborts.
func newNodeOn(t *testing.T, opts []api.Option) *node {
	t.Helper()
	opts = append([]api.Option{api.SCTPNodelay(true), api.Linger(true, 0),
		api.SCTPEvents(api.EventSubscribe{AdaptationLayerEvent: api.True})}, opts...)
	s, err := api.Open(opts...)
	if err != nil {
		t.Fatalf("gensctp socket: %v", err)
	}
	n := &node{t: t, s: s, changed: make(chan struct{})}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	t.Cleanup(func() {
		n.cancel()
		_ = s.Close()
		n.wg.Wait()
	})
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.read()
	}()
	return n
}

// addr returns the socket's UDP address.
func (n *node) addr() netip.AddrPort { return netip.AddrPortFrom(loopback, uint16(n.s.UDPPort())) }

// listen accepts associations.
func (n *node) listen() {
	n.t.Helper()
	if err := n.s.Listen(true); err != nil {
		n.t.Fatalf("gensctp: listen: %v", err)
	}
}

// serveEcho sends every message received from now on back on its
// stream with its PPID.
func (n *node) serveEcho() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.echo = true
}

// read records (or echoes) what the socket delivers until the test ends.
func (n *node) read() {
	for {
		d, err := n.s.Recv(n.ctx)
		var ee *api.EventError
		if errors.As(err, &ee) { // error-class events are events here
			d, err = api.Delivery{Kind: api.KindError, Event: ee.Event}, nil
		}
		if err != nil {
			return // the test ends: the socket closed
		}
		n.mu.Lock()
		echo := n.echo && d.Event == nil
		switch {
		case d.Event != nil:
			n.events = append(n.events, nodeEvent{d.Assoc(), d.Event})
		case !echo:
			n.msgs = append(n.msgs, nodeMsg{d.Info.AssocID, d.Info.Stream, d.Info.PPID, d.Info.SSN, d.Data})
		}
		n.changedLocked()
		pace := n.pace
		n.mu.Unlock()
		if echo {
			n.echoBack(d)
		}
		if pace != nil && d.Event == nil {
			pace()
		}
	}
}

// echoBack sends message d back, waiting while the send buffer is full.
func (n *node) echoBack(d api.Delivery) {
	info := api.SndRcvInfo{AssocID: d.Info.AssocID, Stream: d.Info.Stream, PPID: d.Info.PPID,
		Flags: d.Info.Flags & api.Unordered}
	err := n.s.SendInfoContext(n.ctx, info, d.Data)
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case err == nil:
		n.echoed++
	case n.ctx.Err() == nil && !errors.Is(err, api.ErrAssociationClosed) && n.err == nil:
		n.err = fmt.Errorf("echo: %w", err) // not an association ending
	}
	n.changedLocked()
}

// changedLocked wakes the waits.
func (n *node) changedLocked() {
	close(n.changed)
	n.changed = make(chan struct{})
}

// wait waits until cond (called with n.mu held) holds, failing the test
// when ctx ends first.
func (n *node) wait(ctx context.Context, what string, cond func() bool) {
	n.t.Helper()
	if err := n.waitErr(ctx, what, cond); err != nil {
		n.t.Fatal(err)
	}
}

// waitErr is wait returning its failure, for goroutines other than the
// test's.
func (n *node) waitErr(ctx context.Context, what string, cond func() bool) error {
	for {
		n.mu.Lock()
		err, done, ch := n.err, cond(), n.changed
		n.mu.Unlock()
		if err == nil && done {
			return nil
		}
		if err == nil {
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		return fmt.Errorf("gensctp: waiting for %s: %w; events: %s", what, err, n.eventSummary())
	}
}

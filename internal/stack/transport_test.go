package stack

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/gensctp/gensctp/timer"
	"github.com/pion/logging"
	"github.com/stretchr/testify/require"
)

// pipeStacks returns two stacks over the ends of an in-memory packet
// pipe, and the ends.
func pipeStacks(t *testing.T) (a, b *Stack, ca, cb *packetiotest.PipeConn) {
	t.Helper()
	ca, cb = packetiotest.Pipe()
	a, err := New(Config{Transport: packetio.NewConn(ca)})
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	b, err = New(Config{Transport: packetio.NewConn(cb)})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return a, b, ca, cb
}

// lastEvent waits for an AssocChange of association id of ep other than
// comm_up and returns it.
func lastEvent(t *testing.T, ctx context.Context, s *Stack, ep *Endpoint, id endpoint.AssocID) *association.AssocChange {
	t.Helper()
	var ev *association.AssocChange
	require.NoError(t, s.Wait(ctx, func(timer.Time) bool {
		for {
			got, d, ok := ep.Poll()
			if !ok {
				return false
			}
			if ac, isAC := d.Event.(*association.AssocChange); isAC && got == id && ac.State != association.CommUp {
				ev = ac
				return true
			}
		}
	}))
	return ev
}

// A stack runs on any packet transport: here two stacks over the ends of
// an in-memory pipe (packetio.Conn: one peer, its address implied) set up
// an association and carry a message. When one end of the pipe closes
// under its stack, both associations end (nothing can be sent any more):
// CommLost carrying ErrTransportClosed and the transport's error (the
// closed pipe on one side, io.EOF, the peer's close, on the other).
func TestStackOverConnectedTransport(t *testing.T) {
	srv, cli, _, cc := pipeStacks(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sep, err := srv.AddEndpoint(epConfig(5000))
	require.NoError(t, err)
	require.NoError(t, srv.Do(func(timer.Time) error { sep.Listen(true); return nil }))
	cep, err := cli.AddEndpoint(epConfig(5000))
	require.NoError(t, err)
	peer := cli.Transport().(packetio.Connected).Peer()
	var id endpoint.AssocID
	require.NoError(t, cli.Do(func(now timer.Time) error {
		id, err = cep.Connect(now, []netip.AddrPort{peer}, 5000, nil)
		return err
	}))
	require.Equal(t, association.CommUp, waitOutcome(t, ctx, cli, cep, id, false))

	require.NoError(t, cli.Do(func(now timer.Time) error {
		a, _ := cep.Assoc(id)
		return a.Send(now, association.SendInfo{Stream: 1}, []byte("over the pipe"))
	}))
	var sid endpoint.AssocID
	var got []byte
	require.NoError(t, srv.Wait(ctx, func(timer.Time) bool {
		for got == nil {
			id, d, ok := sep.Poll()
			if !ok {
				return false
			}
			if d.Event == nil {
				sid, got = id, d.Message.Data
			}
		}
		return true
	}))
	require.Equal(t, "over the pipe", string(got))

	require.NoError(t, cc.Close())
	ev := lastEvent(t, ctx, cli, cep, id)
	require.Equal(t, association.CommLost, ev.State)
	require.ErrorIs(t, ev.Err, ErrTransportClosed)
	require.ErrorIs(t, ev.Err, io.ErrClosedPipe)
	ev = lastEvent(t, ctx, srv, sep, sid)
	require.Equal(t, association.CommLost, ev.State)
	require.ErrorIs(t, ev.Err, ErrTransportClosed)
	require.ErrorIs(t, ev.Err, io.EOF)
	require.ErrorIs(t, cli.Do(func(now timer.Time) error {
		_, err := cep.Connect(now, []netip.AddrPort{peer}, 5000, nil)
		return err
	}), endpoint.ErrClosed, "the endpoint is closed with its transport")
	_, err = cli.AddEndpoint(epConfig(5001))
	require.ErrorIs(t, err, ErrTransportClosed)
}

// When the transport closes under the stack, each watcher is called once
// with no changes, for callers that wait for something other than an
// association (a listener without any), and Failed says why.
func TestTransportClosedTellsWatchers(t *testing.T) {
	ca, cb := packetiotest.Pipe()
	s, err := New(Config{Transport: packetio.NewConn(ca)})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	ep, err := s.AddEndpoint(epConfig(5000))
	require.NoError(t, err)
	var q WaitQueue
	told := 0
	require.NoError(t, s.Watch(ep, func(_ timer.Time, cs []endpoint.Change) {
		if len(cs) == 0 {
			told++
			q.Wake()
		}
	}))
	var failed error
	done := make(chan error, 1)
	go func() {
		done <- s.WaitOn(waitCtx(t), &q, func(timer.Time) bool {
			failed = s.Failed()
			return failed != nil
		})
	}()
	require.Eventually(t, func() bool { return queued(s, &q) == 1 }, 10*time.Second, time.Millisecond)
	require.NoError(t, cb.Close()) // the peer closes the connection
	require.NoError(t, <-done)
	require.ErrorIs(t, failed, ErrTransportClosed)
	require.ErrorIs(t, failed, io.EOF)
	_ = s.Do(func(timer.Time) error { require.Equal(t, 1, told); return nil })
}

// An association being set up when the transport closes fails with
// CantAssoc, carrying the error.
func TestTransportClosedDuringHandshake(t *testing.T) {
	// Nobody reads the other end of the pipe: the INIT goes unanswered.
	// (A stack there, even without an endpoint, would answer it with an
	// out-of-the-blue ABORT, RFC 9260 Section 8.4, racing with the close.)
	ca, cb := packetiotest.Pipe()
	t.Cleanup(func() { cb.Close() })
	cli, err := New(Config{Transport: packetio.NewConn(ca)})
	require.NoError(t, err)
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cep, err := cli.AddEndpoint(epConfig(5000))
	require.NoError(t, err)
	var id endpoint.AssocID
	require.NoError(t, cli.Do(func(now timer.Time) error {
		id, err = cep.Connect(now, []netip.AddrPort{cli.Transport().(packetio.Connected).Peer()}, 5000, nil)
		return err
	}))
	require.NoError(t, ca.Close())
	ev := lastEvent(t, ctx, cli, cep, id)
	require.Equal(t, association.CantAssoc, ev.State)
	require.ErrorIs(t, ev.Err, ErrTransportClosed)
	require.ErrorIs(t, ev.Err, net.ErrClosed)
}

// failingTransport is a transport whose WriteBatch refuses the packets
// that fail says, one at a time, as the Transport contract has it.
type failingTransport struct {
	packetio.Transport
	fail    func(b []byte) bool
	written []string
}

func (f *failingTransport) WriteBatch(msgs []packetio.OutMessage) (int, error) {
	for i, m := range msgs {
		if f.fail(m.Data) {
			return i, errors.New("refused")
		}
		f.written = append(f.written, string(m.Data))
	}
	return len(msgs), nil
}

// A packet the transport refuses is dropped (a loss to SCTP) and the
// packets after it in the batch still go out; a closed transport stops
// the batch.
func TestWriteGoesOnAfterARefusal(t *testing.T) {
	f := &failingTransport{fail: func(b []byte) bool { return string(b) == "b" || string(b) == "d" }}
	s := &Stack{conn: f}
	out := []packetio.OutMessage{{Data: []byte("a")}, {Data: []byte("b")}, {Data: []byte("c")}, {Data: []byte("d")}, {Data: []byte("e")}}
	s.write(out)
	require.Equal(t, []string{"a", "c", "e"}, f.written)

	closed := &closedTransport{}
	s = &Stack{conn: closed}
	s.write(out)
	require.Equal(t, 1, closed.calls, "no retry once the transport is closed")
}

// closedTransport fails every write with net.ErrClosed.
type closedTransport struct {
	packetio.Transport
	calls int
}

func (c *closedTransport) WriteBatch([]packetio.OutMessage) (int, error) {
	c.calls++
	return 0, net.ErrClosed
}

// The peer closing a connected transport (io.EOF: how SCTP over DTLS
// ends, RFC 8261 Section 6) is logged at INFO, not as an ERROR.
func TestTransportClosedLogLevel(t *testing.T) {
	var buf syncBuffer
	ca, cb := packetiotest.Pipe()
	s, err := New(Config{Transport: packetio.NewConn(ca), LoggerFactory: &logging.DefaultLoggerFactory{
		Writer: &buf, DefaultLogLevel: logging.LogLevelInfo}})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, cb.Close())
	require.NoError(t, s.Wait(waitCtx(t), func(timer.Time) bool { return s.Failed() != nil }))
	require.Eventually(t, func() bool { return strings.Contains(buf.String(), "every association ends") },
		10*time.Second, time.Millisecond)
	require.Contains(t, buf.String(), "sctp-stack INFO")
	require.NotContains(t, buf.String(), "ERROR")
}

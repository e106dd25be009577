package api

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// The gen_sctp documentation: after peeloff, the association's data and events
// arrive only on the new socket, which inherits the options; the parent
// keeps its other associations; closing the parent does not affect the
// peeled-off association.
func TestPeeloff(t *testing.T) {
	noLeak(t)
	srv := server(t, SCTPDefaultSendParam(SndRcvInfo{PPID: 5}))
	c1, c2 := clientOf(t, srv), clientOf(t, srv)
	a1, a2 := connect(t, c1, srv), connect(t, c2, srv)
	up1 := recvEvent[*AssocChange](t, srv)
	up2 := recvEvent[*AssocChange](t, srv)
	// Data already waiting for the association moves with it.
	require.NoError(t, c1.Send(a1.AssocID, 0, []byte("before")))
	require.Eventually(t, func() bool {
		n := 0
		_ = srv.do(func(timer.Time) error {
			for _, id := range []AssocID{up1.AssocID, up2.AssocID} {
				if a, ok := srv.share.ep.Assoc(id); ok {
					n += a.Pending()
				}
			}
			return nil
		})
		return n > 0
	}, 5*time.Second, time.Millisecond)

	// Peel off c1's association (which one came first is not fixed).
	id1 := up1.AssocID
	peerOf := func(id AssocID) uint16 {
		p, err := srv.PeerNames(id)
		require.NoError(t, err)
		return p[0].Port()
	}
	if peerOf(id1) != c1.Port() {
		id1 = up2.AssocID
	}
	p, err := srv.Peeloff(id1)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	require.Equal(t, Stream, p.Type())
	require.Equal(t, srv.Port(), p.Port())

	require.NoError(t, c1.Send(a1.AssocID, 0, []byte("to peeled")))
	require.NoError(t, c2.Send(a2.AssocID, 0, []byte("to parent")))
	got := recvData(t, p)
	require.Equal(t, "before", string(got.Data))
	require.Equal(t, id1, got.Info.AssocID, "same association id")
	require.Equal(t, "to peeled", string(recvData(t, p).Data))
	require.Equal(t, "to parent", string(recvData(t, srv).Data))

	// Inherited options; send with assoc 0 on the one-to-one socket.
	require.NoError(t, p.Send(0, 0, []byte("reply")))
	r := recvData(t, c1)
	require.Equal(t, uint32(5), r.Info.PPID)
	// The parent no longer has it.
	require.ErrorIs(t, srv.Send(id1, 0, []byte("x")), ErrNoAssociation)
	_, err = srv.Peeloff(id1)
	require.ErrorIs(t, err, ErrNoAssociation)
	_, err = p.Peeloff(id1)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Enotsup, e.Reason)

	// Closing the parent leaves the peeled-off association alone.
	require.NoError(t, srv.Close())
	recvEvent[*ShutdownEvent](t, c2)
	require.NoError(t, c1.Send(a1.AssocID, 0, []byte("still here")))
	require.Equal(t, "still here", string(recvData(t, p).Data))
	// Closing the peeled socket shuts its association down.
	require.NoError(t, c1.Eof(a1.AssocID))
	recvEvent[*ShutdownEvent](t, p)
	require.Equal(t, ShutdownComp, recvEvent[*AssocChange](t, p).State)
	_, err = p.Recv(testCtx(t))
	require.ErrorIs(t, err, ErrNotConnected, "the association is over")
}

// A parent that keeps reading while a peeled-off socket does not read:
// the parent's deliveries keep coming and nothing of the peeled-off
// association is held for it (the association is detached from the
// endpoint: its unread data stays in its receive window).
func TestPeeloffSlowReader(t *testing.T) {
	noLeak(t)
	srv := server(t)
	c1, c2 := clientOf(t, srv, SCTPNodelay(true)), clientOf(t, srv, SCTPNodelay(true))
	a1, a2 := connect(t, c1, srv), connect(t, c2, srv)
	up1 := recvEvent[*AssocChange](t, srv)
	up2 := recvEvent[*AssocChange](t, srv)
	var id1 AssocID
	for _, id := range []AssocID{up1.AssocID, up2.AssocID} {
		if p, err := srv.PeerNames(id); err == nil && p[0].Port() == c1.Port() {
			id1 = id
		}
	}
	p, err := srv.Peeloff(id1)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	done := make(chan error, 1)
	go func() {
		for i := range 300 {
			if err := c1.Send(a1.AssocID, 0, []byte{byte(i)}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := range 300 {
		require.NoError(t, c2.Send(a2.AssocID, 0, []byte{byte(i)}))
		require.Equal(t, []byte{byte(i)}, recvData(t, srv).Data)
		n := 0
		require.NoError(t, srv.do(func(timer.Time) error { n = p.stash.len(); return nil }))
		require.Zero(t, n)
	}
	require.NoError(t, <-done)
	for i := range 300 {
		require.Equal(t, []byte{byte(i)}, recvData(t, p).Data, "in order")
	}
}

// Accept on a one-to-one listener hands out one socket per association
// (an addition: gen_sctp has no accept).
func TestAcceptStream(t *testing.T) {
	noLeak(t)
	srv := server(t, Type(Stream))
	cli := clientOf(t, srv, Type(Stream))
	ac := connect(t, cli, srv)
	conn, err := srv.Accept(testCtx(t))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	up := recvEvent[*AssocChange](t, conn)
	require.Equal(t, CommUp, up.State)
	require.NoError(t, cli.Send(0, 0, []byte("ping")))
	require.Equal(t, "ping", string(recvData(t, conn).Data))
	require.NoError(t, conn.Send(0, 0, []byte("pong")))
	d := recvData(t, cli)
	require.Equal(t, "pong", string(d.Data))
	require.Equal(t, ac.AssocID, d.Info.AssocID)
	_, err = cli.Connect(testCtx(t), lo, srv.Port())
	require.ErrorIs(t, err, ErrAlreadyConnected)
	_, err = srv.PeerNames(0)
	require.ErrorIs(t, err, ErrNotConnected)
	names, err := conn.PeerNames(0)
	require.NoError(t, err)
	require.Equal(t, cli.Port(), names[0].Port())
}

// Linux's sctp_peeloff fails with EINVAL for an association that has
// ended: it is gone, and its last events wait on the parent's queue.
// Peeloff of an association that was aborted before its last event was
// read does the same instead of returning a socket for nothing: an error
// with reason einval wrapping ErrAssociationClosed, and the events stay on
// this socket, where Recv reads them.
func TestPeeloffAborted(t *testing.T) {
	noLeak(t)
	srv := server(t)
	c := clientOf(t, srv)
	a := connect(t, c, srv)
	up := recvEvent[*AssocChange](t, srv)
	require.NoError(t, c.Abort(a.AssocID))
	require.Eventually(t, func() bool {
		closed := false
		_ = srv.do(func(timer.Time) error {
			if x, ok := srv.share.ep.Assoc(up.AssocID); ok {
				closed = x.State() == association.StateClosed
			}
			return nil
		})
		return closed
	}, 5*time.Second, time.Millisecond)
	p, err := srv.Peeloff(up.AssocID)
	require.Nil(t, p)
	require.ErrorIs(t, err, ErrAssociationClosed)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Einval, e.Reason)
	require.Equal(t, "peeloff", e.Op)
	require.Equal(t, CommLost, recvEvent[*AssocChange](t, srv).State, "the event stays on the parent")
}

// A Send blocked on an association (its peer reads nothing: the send
// buffer is full) is woken when the association moves to another socket,
// and fails with ErrNoAssociation (from then on Send goes through that
// socket): by Peeloff on a one-to-many socket, and by Accept on a
// one-to-one listener that sent on an association of its backlog.
func TestMovedAssociationWakesBlockedSend(t *testing.T) {
	noLeak(t)
	t.Run("peeloff", func(t *testing.T) {
		// Closed with an ABORT: their queued data would never be read.
		srv := server(t, Recbuf(4000), Linger(true, 0))
		cli := clientOf(t, srv, Sndbuf(4000), SCTPNodelay(true), Linger(true, 0))
		ac := connect(t, cli, srv)
		blocked := sendUntilBlocked(t, cli, ac.AssocID)
		child, err := cli.Peeloff(ac.AssocID)
		require.NoError(t, err)
		defer child.Close()
		require.ErrorIs(t, result(t, blocked), ErrNoAssociation)
	})
	t.Run("accept", func(t *testing.T) {
		srv := server(t, Type(Stream), Sndbuf(4000), SCTPNodelay(true), Linger(true, 0))
		cli := clientOf(t, srv, Type(Stream), Recbuf(4000), Linger(true, 0))
		connect(t, cli, srv)
		var id AssocID // the association in srv's backlog
		require.Eventually(t, func() bool {
			_ = srv.do(func(timer.Time) error {
				if ids := srv.share.ep.Associations(); len(ids) == 1 {
					id = ids[0]
				}
				return nil
			})
			return id != 0
		}, 10*time.Second, time.Millisecond)
		blocked := sendUntilBlocked(t, srv, id)
		acc, err := srv.Accept(testCtx(t))
		require.NoError(t, err)
		defer acc.Close()
		require.ErrorIs(t, result(t, blocked), ErrNoAssociation)
	})
}

// RecvBuffer returned the first 1000 bytes of a 5000-byte message of an
// association that is then peeled off: the rest comes out of the new
// socket, not the parent.
func TestPeeloffKeepsRest(t *testing.T) {
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	id := recvEvent[*AssocChange](t, srv).AssocID
	msg := bytes.Repeat([]byte("0123456789"), 500)
	require.NoError(t, cli.Send(ac.AssocID, 0, msg))
	require.True(t, recvBuf(t, srv, make([]byte, 1000)).Partial)
	child, err := srv.Peeloff(id)
	require.NoError(t, err)
	t.Cleanup(func() { child.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	d, err := srv.RecvBuffer(ctx, make([]byte, 8192))
	require.ErrorIs(t, err, context.DeadlineExceeded, "the parent no longer owns the association: got %d bytes", len(d.Data))
	got := recvBuf(t, child, make([]byte, 8192))
	require.Equal(t, msg[1000:], got.Data)
	require.False(t, got.Partial)
	require.Same(t, child, got.Socket)
}

package api

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// The gen_sctp documentation: a timeout gives {error, timeout}: here the read
// deadline or the context.
func TestRecvTimeout(t *testing.T) {
	noLeak(t)
	s := open(t)
	require.NoError(t, s.SetReadDeadline(time.Now().Add(20*time.Millisecond)))
	_, err := s.Recv(context.Background())
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne net.Error
	require.True(t, errors.As(err, &ne))
	require.True(t, ne.Timeout())
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Timeout, e.Reason)
	// An expired deadline fails at once; clearing it allows waiting again.
	_, err = s.Recv(context.Background())
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.NoError(t, s.SetReadDeadline(time.Time{}))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = s.Recv(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.True(t, errors.As(err, &ne) && ne.Timeout())

	// Moving the deadline moves it for a pending Recv (net.Conn).
	require.NoError(t, s.SetReadDeadline(time.Now().Add(time.Hour)))
	done := make(chan error, 1)
	go func() { _, err := s.Recv(context.Background()); done <- err }()
	time.AfterFunc(20*time.Millisecond, func() { s.SetReadDeadline(time.Now()) })
	select {
	case err := <-done:
		require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	case <-time.After(10 * time.Second):
		t.Fatal("pending Recv not unblocked by the new deadline")
	}
}

// The gen_sctp documentation (test recv_close): closing the socket while a recv is
// blocked returns {error, closed}; so for a blocked Send, Connect and
// Accept, and for every call afterwards.
func TestCloseUnblocks(t *testing.T) {
	noLeak(t)
	srv := server(t, Recbuf(1500))
	cli := clientOf(t, srv, Sndbuf(1000), Linger(true, 0))
	ac := connect(t, cli, srv)
	lis := open(t, Type(Stream))
	require.NoError(t, lis.Listen(true))

	errs := make(chan error, 4)
	go func() { _, err := cli.Recv(context.Background()); errs <- err }()
	go func() {
		for {
			if err := cli.Send(ac.AssocID, 0, make([]byte, 1000)); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() { _, err := lis.Accept(context.Background()); errs <- err }()
	// Let the sender fill its buffer and block.
	require.Eventually(t, func() bool {
		full := false
		_ = cli.do(func(timer.Time) error {
			a, ok := cli.share.ep.Assoc(ac.AssocID)
			full = ok && a.Buffered() > 0
			return nil
		})
		return full
	}, 5*time.Second, time.Millisecond)
	require.NoError(t, cli.Close())
	require.NoError(t, lis.Close())
	for range 3 {
		select {
		case err := <-errs:
			require.ErrorIs(t, err, net.ErrClosed)
			var e *Error
			require.True(t, errors.As(err, &e))
			require.Equal(t, Closed, e.Reason)
		case <-time.After(10 * time.Second):
			t.Fatal("a call stayed blocked")
		}
	}
	_, err := cli.Recv(context.Background())
	require.ErrorIs(t, err, net.ErrClosed)
	require.ErrorIs(t, cli.Send(ac.AssocID, 0, []byte("x")), net.ErrClosed)
	_, err = cli.Connect(context.Background(), lo, 1)
	require.ErrorIs(t, err, net.ErrClosed)
	require.ErrorIs(t, cli.SetOpts(NonBlockSend(true)), net.ErrClosed)
}

// The gen_sctp documentation buffer: messages larger than the buffers are delivered
// whole: the pieces of a partial delivery are gathered.
func TestLargeMessagesWhole(t *testing.T) {
	noLeak(t)
	srv := server(t, Recbuf(8192)) // partial delivery point 4096
	cli := clientOf(t, srv, SCTPNodelay(true))
	ac := connect(t, cli, srv)
	r := rand.New(rand.NewPCG(1, 2))
	var sent [][]byte
	for i, n := range []int{100, 5000, 70000, 3, 200000} {
		m := make([]byte, n)
		for j := range m {
			m[j] = byte(r.Uint32())
		}
		sent = append(sent, m)
		require.NoError(t, cli.Send(ac.AssocID, uint16(i%2), m))
	}
	// Messages keep their order within a stream only: after a loss, a
	// later message of the other stream may be delivered first (RFC 9260
	// Section 6.6).
	var next [2]int // per stream, the index in sent of the message due
	next[1] = 1
	for range sent {
		d := recvData(t, srv)
		st := d.Info.Stream
		require.Less(t, st, uint16(2))
		i := next[st]
		require.Less(t, i, len(sent), "more messages on stream %d than sent", st)
		require.True(t, bytes.Equal(sent[i], d.Data), "message %d (%d bytes) whole, in its stream's order", i, len(sent[i]))
		next[st] += 2
	}
	st, err := srv.Stats()
	require.NoError(t, err)
	require.Equal(t, uint64(5), st.RecvCnt)
	require.Equal(t, uint64(200000), st.RecvMax)
}

// A message beyond MaxMessageSize aborts the association and is reported
// as an aborted partial delivery.
func TestMessageTooLarge(t *testing.T) {
	noLeak(t)
	srv := server(t, Recbuf(4096), MaxMessageSize(10000))
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	recvEvent[*AssocChange](t, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, make([]byte, 50000)))
	_, err := srv.Recv(testCtx(t))
	var ee *EventError
	require.True(t, errors.As(err, &ee))
	require.IsType(t, &PdapiEvent{}, ee.Event)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Atom("sctp_pdapi_event"), e.Reason)
	require.ErrorIs(t, err, ErrMessageTooLarge, "the reason, named")
	require.Contains(t, err.Error(), "MaxMessageSize")
	require.Equal(t, CommLost, recvEvent[*AssocChange](t, srv).State)
	recvState(t, cli, CommLost)
}

// MaxMessageSize bounds every message Recv delivers, also one the
// association delivers whole (below its partial delivery point, half the
// default 1 MiB receive buffer): a message up to the limit arrives whole,
// a larger one aborts the association and is reported as an aborted
// partial delivery, then comm_lost on both sides.
func TestMessageTooLargeWhole(t *testing.T) {
	noLeak(t)
	const limit = 64 << 10
	srv := server(t, MaxMessageSize(limit))
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	up := recvEvent[*AssocChange](t, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, make([]byte, limit)))
	require.NoError(t, cli.Send(ac.AssocID, 1, make([]byte, 256<<10)))
	require.Len(t, recvData(t, srv).Data, limit, "at the limit: delivered whole")
	_, err := srv.Recv(testCtx(t))
	var ee *EventError
	require.ErrorAs(t, err, &ee)
	pd, ok := ee.Event.(*PdapiEvent)
	require.True(t, ok, "%v", ee.Event)
	require.Equal(t, PartialDeliveryAborted, pd.Indication)
	require.Equal(t, uint16(1), pd.Stream)
	require.Equal(t, up.AssocID, pd.AssocID)
	require.ErrorIs(t, err, ErrMessageTooLarge)
	require.Contains(t, err.Error(), "above MaxMessageSize (65536 bytes)")
	require.Equal(t, CommLost, recvEvent[*AssocChange](t, srv).State)
	recvState(t, cli, CommLost)
}

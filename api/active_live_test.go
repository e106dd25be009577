package api

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// {active, N} on a live socket: every delivery counts, events included;
// at 0 the socket turns passive and sends {sctp_passive, S}; what comes
// next is read with Recv. Recv on an active socket is einval.
func TestActiveCountLive(t *testing.T) {
	noLeak(t)
	srv := server(t, Active(ActiveCount(3)))
	cli := clientOf(t, srv, SCTPNodelay(true))
	ac := connect(t, cli, srv)

	_, err := srv.Recv(testCtx(t))
	require.ErrorIs(t, err, ErrActive)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Einval, e.Reason)

	up := next(t, srv.Deliveries())
	require.Equal(t, KindEvent, up.Kind, "comm_up counts")
	require.Equal(t, CommUp, up.Event.(*AssocChange).State)
	for _, m := range []string{"one", "two", "three"} {
		require.NoError(t, cli.Send(ac.AssocID, 0, []byte(m)))
	}
	require.Equal(t, "one", string(next(t, srv.Deliveries()).Data))
	require.Equal(t, "two", string(next(t, srv.Deliveries()).Data))
	p := next(t, srv.Deliveries())
	require.Equal(t, KindPassive, p.Kind)
	require.Same(t, srv, p.Socket)
	require.Equal(t, "false", srv.activeValue(t))
	require.Equal(t, "three", string(recvData(t, srv).Data))
	require.Empty(t, srv.Deliveries())

	// Back to active: the next delivery goes to the channel again.
	require.NoError(t, srv.SetOpts(Active(ActiveOnce)))
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("four")))
	require.Equal(t, "four", string(next(t, srv.Deliveries()).Data))
	require.Equal(t, "false", srv.activeValue(t), "once: passive again, no notice")
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("five")))
	require.Equal(t, "five", string(recvData(t, srv).Data))
	require.Empty(t, srv.Deliveries())
}

// open([{active, 0}]) sends the passive notice at once; so does
// {active, 0} on a passive socket.
func TestActiveZeroNotice(t *testing.T) {
	noLeak(t)
	s := open(t, Active(ActiveCount(0)))
	require.Equal(t, KindPassive, next(t, s.Deliveries()).Kind)
	require.NoError(t, s.SetOpts(Active(ActiveCount(0))))
	require.Equal(t, KindPassive, next(t, s.Deliveries()).Kind)
	// From a count to true: no notice.
	require.NoError(t, s.SetOpts(Active(ActiveCount(5)), Active(ActiveTrue)))
	require.Empty(t, s.Deliveries())
}

// Error-class events go to the channel as KindError ({sctp_error, ...}):
// aborting an association with unsent data hands the messages back as
// SendFailed events.
func TestActiveErrorEvents(t *testing.T) {
	noLeak(t)
	srv := server(t, Recbuf(1500)) // never read: the window closes
	cli := clientOf(t, srv, Active(ActiveTrue), NonBlockSend(true))
	ac := connect(t, cli, srv)
	msg := make([]byte, 1000)
	n := 0
	for ; n < 1000; n++ {
		if err := cli.Send(ac.AssocID, 0, msg); err != nil {
			require.ErrorIs(t, err, ErrWouldBlock)
			break
		}
	}
	require.NoError(t, cli.Abort(ac.AssocID))
	var failed int
	for {
		d := next(t, cli.Deliveries())
		if d.Kind == KindError {
			sf, ok := d.Event.(*SendFailed)
			require.True(t, ok)
			require.Equal(t, ac.AssocID, sf.AssocID)
			require.Len(t, sf.Data, 1000)
			err := d.Err()
			var ee *EventError
			require.True(t, errors.As(err, &ee))
			require.Same(t, d.Event, ee.Event)
			var e *Error
			require.True(t, errors.As(err, &e))
			require.Equal(t, Atom("sctp_send_failed"), e.Reason)
			failed++
			continue
		}
		if ac2, ok := d.Event.(*AssocChange); ok && ac2.State == CommLost {
			break
		}
	}
	require.NotZero(t, failed)
}

// A slow reader in active mode: the socket stops reading its associations
// while the channel is full, so the peer's window closes and its sends
// block (gen_sctp's mailbox would grow instead).
func TestActiveSlowReaderBackPressure(t *testing.T) {
	noLeak(t)
	srv := server(t, Active(ActiveTrue), Recbuf(4000))
	cli := clientOf(t, srv, NonBlockSend(true), Sndbuf(4000), SCTPNodelay(true))
	ac := connect(t, cli, srv)
	msg := make([]byte, 500)
	n := 0
	var err error
	for ; n < 10000; n++ {
		if err = cli.Send(ac.AssocID, 0, msg); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, ErrWouldBlock, "the sender was stopped")
	// What was accepted fits in the send buffer, the receive window, the
	// channel and the one delivery in hand (plus a packet of slack).
	bound := 4000 + 4000 + (DefaultDeliveryBuffer+1)*500 + 1500
	require.LessOrEqual(t, n*500, bound)
	require.LessOrEqual(t, len(srv.Deliveries()), DefaultDeliveryBuffer)
	// Reading the channel lets the data flow again.
	for len(srv.Deliveries()) > 0 {
		<-srv.Deliveries()
	}
}

// Active mode delivers no message beyond MaxMessageSize either: the
// association is aborted and the error-class delivery says why.
func TestActiveMessageTooLarge(t *testing.T) {
	noLeak(t)
	srv := server(t, MaxMessageSize(64<<10), Active(ActiveTrue))
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, make([]byte, 256<<10)))
	for range 10 {
		d := next(t, srv.Deliveries())
		require.NotEqual(t, KindData, d.Kind, "the message is not delivered")
		if d.Kind == KindError {
			require.IsType(t, &PdapiEvent{}, d.Event)
			require.ErrorIs(t, d.Err(), ErrMessageTooLarge)
			return
		}
	}
	t.Fatal("no error delivery")
}

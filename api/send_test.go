package api

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// The gen_sctp documentation: send/4 uses sctp_default_send_param of its association
// (assoc 0: the socket's); test def_sndrcvinfo of gen_sctp_SUITE.
func TestDefaultSendParamsPerAssociation(t *testing.T) {
	noLeak(t)
	srv := server(t)
	srv2, err := Open(IP(lo), LocalUDPPort(srv.UDPPort()))
	require.NoError(t, err)
	t.Cleanup(func() { srv2.Close() })
	require.NoError(t, srv2.Listen(true))
	cli := clientOf(t, srv, SCTPDefaultSendParam(SndRcvInfo{PPID: 7, Context: 1}))
	a1 := connect(t, cli, srv)
	a2, err := cli.Connect(testCtx(t), lo, srv2.Port())
	require.NoError(t, err)

	require.NoError(t, cli.SetOpts(SCTPDefaultSendParam(SndRcvInfo{AssocID: a2.AssocID, PPID: 42, Flags: Unordered})))
	require.NoError(t, cli.Send(a1.AssocID, 1, []byte("a")))
	require.NoError(t, cli.Send(a2.AssocID, 1, []byte("b")))
	d1, d2 := recvData(t, srv), recvData(t, srv2)
	require.Equal(t, uint32(7), d1.Info.PPID, "the socket's default")
	require.Zero(t, d1.Info.Flags)
	require.Equal(t, uint32(42), d2.Info.PPID, "the association's own")
	require.Equal(t, Unordered, d2.Info.Flags)
	require.Equal(t, uint16(1), d2.Info.Stream)

	// Connect-style merging keeps the fields left zero.
	require.NoError(t, cli.do(func(now timer.Time) error {
		return cli.setOptsLocked(now, modeConnect, []Option{SCTPDefaultSendParam(SndRcvInfo{AssocID: a2.AssocID, Context: 9})})
	}))
	require.NoError(t, cli.do(func(timer.Time) error {
		p := cli.st.sendParams(a2.AssocID)
		require.Equal(t, uint32(42), p.PPID)
		require.Equal(t, uint32(9), p.Context)
		return nil
	}))

	// An association that does not exist.
	err = cli.SetOpts(SCTPDefaultSendParam(SndRcvInfo{AssocID: 999}))
	require.ErrorIs(t, err, ErrNoAssociation)
}

// The gen_sctp client example: with 5 outbound streams, stream 5 fails
// (the OS returns EINVAL, the gen_sctp documentation).
func TestSendInvalidStream(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv, SCTPInitMsg(InitMsg{NumOstreams: 5}))
	require.Equal(t, uint16(5), ac.OutboundStreams)
	require.NoError(t, cli.Send(ac.AssocID, 4, []byte("Test 4")))
	err := cli.Send(ac.AssocID, 5, []byte("Test 5"))
	require.ErrorIs(t, err, ErrInvalidStream)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, Einval, e.Reason)
	require.Equal(t, 5, e.Stream)
	require.Equal(t, ac.AssocID, e.Assoc)

	require.ErrorIs(t, cli.Send(ac.AssocID+100, 0, []byte("x")), ErrNoAssociation)
	require.ErrorIs(t, cli.Send(ac.AssocID, 0, nil), ErrEmptyMessage)
}

// Send copies: the caller may reuse its buffer at once.
func TestSendCopies(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	buf := []byte("first")
	require.NoError(t, cli.Send(ac.AssocID, 0, buf))
	copy(buf, "XXXXX")
	require.NoError(t, cli.Send(ac.AssocID, 0, buf))
	require.Equal(t, "first", string(recvData(t, srv).Data))
	require.Equal(t, "XXXXX", string(recvData(t, srv).Data))
}

// The gen_sctp documentation "Blocking": send blocks while the send buffer is full
// and completes once the peer reads; with non_block_send it returns
// eagain instead.
func TestSendBackPressure(t *testing.T) {
	noLeak(t)
	srv := server(t, Recbuf(1500))
	cli := clientOf(t, srv, Sndbuf(4000), SCTPNodelay(true))
	ac := connect(t, cli, srv)
	msg := make([]byte, 1000)

	// Fill the peer's window and the send buffer.
	require.NoError(t, cli.SetOpts(NonBlockSend(true)))
	sent := 0
	for ; sent < 100; sent++ {
		if err := cli.Send(ac.AssocID, 0, msg); err != nil {
			require.ErrorIs(t, err, ErrWouldBlock)
			var e *Error
			require.True(t, errors.As(err, &e))
			require.Equal(t, Eagain, e.Reason)
			require.True(t, e.Temporary())
			break
		}
	}
	require.Less(t, sent, 100, "the buffers filled up")

	// Blocking: bounded by the context (zero-window probes may still
	// free some room: send until a Send blocks), then by the write
	// deadline.
	require.NoError(t, cli.SetOpts(NonBlockSend(false)))
	var err error
	for range 100 {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err = cli.SendContext(ctx, ac.AssocID, 0, msg)
		cancel()
		if err != nil {
			break
		}
		sent++
	}
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// A zero-window probe may again free room within the deadline: send
	// until a Send fails.
	for range 100 {
		require.NoError(t, cli.SetWriteDeadline(time.Now().Add(20*time.Millisecond)))
		if err = cli.Send(ac.AssocID, 0, msg); err != nil {
			break
		}
		sent++
	}
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne interface{ Timeout() bool }
	require.True(t, errors.As(err, &ne) && ne.Timeout())
	require.NoError(t, cli.SetWriteDeadline(time.Time{}))

	// A blocked Send completes once the server reads.
	// (A probe may free room once more: a Send that completes at once
	// counts as sent, and the next one must block.)
	done := make(chan error, 1)
	blocked := false
	for range 10 {
		go func() { done <- cli.Send(ac.AssocID, 0, []byte("last")) }()
		select {
		case err := <-done:
			require.NoError(t, err)
			sent++
			continue
		case <-time.After(50 * time.Millisecond):
			blocked = true
		}
		break
	}
	require.True(t, blocked, "a Send blocked on the full buffer")
	for got := 0; got < sent; {
		d := recv(t, srv)
		if d.Kind == KindData {
			got++
		}
	}
	require.NoError(t, <-done)
	require.Equal(t, "last", string(recvData(t, srv).Data))
	st, err := cli.Stats()
	require.NoError(t, err)
	require.Equal(t, uint64(sent+1), st.SendCnt)
	require.Equal(t, uint64(1000), st.SendMax)
}

// MaxMessageSize bounds the messages the socket sends: a larger one
// fails with ErrMessageTooLarge (reason emsgsize) and nothing of it is
// sent; one at the limit goes out.
func TestSendTooLarge(t *testing.T) {
	noLeak(t)
	const limit = 64 << 10
	srv := server(t)
	cli := clientOf(t, srv, MaxMessageSize(limit))
	ac := connect(t, cli, srv)
	err := cli.Send(ac.AssocID, 0, make([]byte, 256<<10))
	require.ErrorIs(t, err, ErrMessageTooLarge)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, Emsgsize, e.Reason)
	require.Contains(t, err.Error(), "MaxMessageSize")
	err = cli.SendInfo(SndRcvInfo{AssocID: ac.AssocID, Flags: EOF}, make([]byte, limit+1))
	require.ErrorIs(t, err, ErrMessageTooLarge, "no EOF either")
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("small")))
	require.NoError(t, cli.Send(ac.AssocID, 0, make([]byte, limit)))
	require.Equal(t, "small", string(recvData(t, srv).Data), "nothing of the refused ones")
	require.Len(t, recvData(t, srv).Data, limit)
	st, err := cli.Status(ac.AssocID)
	require.NoError(t, err)
	require.Equal(t, StatusState(association.StateEstablished), st.State, "the refused EOF did not shut down")
}

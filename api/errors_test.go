package api

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// joinErrors is errors.Join on one line: errors.Is sees every error,
// Error separates them with ": ".
func TestJoinErrors(t *testing.T) {
	require.NoError(t, joinErrors(nil, nil))
	other := errors.New("other")
	err := joinErrors(ErrBadAddress, nil, other)
	require.Equal(t, "sctp: bad address: other", err.Error())
	require.ErrorIs(t, err, ErrBadAddress)
	require.ErrorIs(t, err, other)
}

// The errors of the typical paths of a first hour with the package print
// on one line, so that a log line stays one line: bad addresses and
// options, a port in use, a refused and an unanswered connect, sends that
// cannot go, an expired deadline, a closed and a nil socket.
func TestErrorsOneLine(t *testing.T) {
	noLeak(t)
	ctx := testCtx(t)
	var errs []error
	add := func(err error) {
		t.Helper()
		require.Error(t, err)
		errs = append(errs, err)
	}
	for _, a := range []string{"127.0.0.1", "127.0.0.1:http", "127.0.0.1:0", ":5000", "[::1]:5000"} {
		_, err := Dial(ctx, "sctp4", a)
		add(err)
	}
	_, err := Dial(ctx, "tcp", "127.0.0.1:5000")
	add(err)
	_, err = Listen("sctp", "127.0.0.1")
	add(err)
	_, err = Open(MaxMessageSize(0))
	add(err)

	srv := server(t)
	_, err = Open(IP(lo), LocalUDPPort(srv.UDPPort()), Port(srv.Port()))
	add(err)
	add(srv.SetOpts(Recbuf(1)))
	_, err = srv.GetOpts(OptionQuery{Name: "no_such_option"})
	add(err)

	cli := clientOf(t, srv, MaxMessageSize(1000))
	_, err = cli.Connect(ctx, lo, srv.Port()+1) // refused: nothing listens there
	add(err)
	_, err = cli.ConnectxInit(ctx, nil, srv.Port())
	add(err)
	ac := connect(t, cli, srv)
	add(cli.Send(ac.AssocID, 99, []byte("x")))
	add(cli.Send(ac.AssocID, 0, make([]byte, 1001)))
	add(cli.Send(ac.AssocID+100, 0, []byte("x")))
	add(cli.Send(ac.AssocID, 0, nil))
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	_, err = cli.Recv(short)
	add(err)

	lost := open(t, RemoteUDPPort(holeUDPPort(t)), fastRTO, SCTPInitMsg(InitMsg{MaxAttempts: 1}))
	_, err = lost.Connect(ctx, lo, 5000)
	add(err)
	quick, cancelQuick := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancelQuick()
	_, err = Dial(quick, "sctp", "127.0.0.1:5000", IP(lo), RemoteUDPPort(holeUDPPort(t)))
	add(err)

	require.NoError(t, lost.Close())
	_, err = lost.Recv(ctx)
	add(err)
	var nilSocket *Socket
	add(nilSocket.Send(1, 0, []byte("x")))
	var nilConn *Conn
	_, err = nilConn.Read(make([]byte, 1))
	add(err)

	for _, err := range errs {
		require.NotContains(t, err.Error(), "\n")
	}
}

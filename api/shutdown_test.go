package api

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The gen_sctp documentation eof/2: the peer sees #sctp_shutdown_event{} then
// shutdown_comp; the local side sees shutdown_comp with error 0.
func TestEofEvents(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	up := recvEvent[*AssocChange](t, srv)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("flushed first")))
	require.NoError(t, cli.Eof(ac.AssocID))

	require.Equal(t, "flushed first", string(recvData(t, srv).Data))
	se := recvEvent[*ShutdownEvent](t, srv)
	require.Equal(t, up.AssocID, se.AssocID)
	comp := recvEvent[*AssocChange](t, srv)
	require.Equal(t, ShutdownComp, comp.State)
	require.Equal(t, up.AssocID, comp.AssocID)

	mine := recvEvent[*AssocChange](t, cli)
	require.Equal(t, ShutdownComp, mine.State)
	require.Zero(t, mine.Error)
	require.Equal(t, ac.AssocID, mine.AssocID)

	// The association is gone; the socket stays open.
	require.ErrorIs(t, cli.Send(ac.AssocID, 0, []byte("x")), ErrNoAssociation)
	connect(t, cli, srv)
}

// The gen_sctp documentation abort/2: the peer sees comm_lost; so does the aborting
// side (as on Linux).
func TestAbortEvents(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	recvEvent[*AssocChange](t, srv)
	require.NoError(t, cli.Abort(ac.AssocID))
	lost := recvEvent[*AssocChange](t, srv)
	require.Equal(t, CommLost, lost.State)
	require.Equal(t, CauseCode(12), lost.Error, "User Initiated Abort")
	require.Equal(t, "User Initiated Abort", ErrorString(int(lost.Error)))
	mine := recvEvent[*AssocChange](t, cli)
	require.Equal(t, CommLost, mine.State)
}

// send/3 with the abort and eof flags (the gen_sctp documentation: eof and abort are
// empty messages with those flags).
func TestSendInfoFlags(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	recvEvent[*AssocChange](t, srv)
	require.NoError(t, cli.SendInfo(SndRcvInfo{AssocID: ac.AssocID, Flags: EOF}, []byte("bye")))
	require.Equal(t, "bye", string(recvData(t, srv).Data))
	recvEvent[*ShutdownEvent](t, srv)
	require.Equal(t, ShutdownComp, recvEvent[*AssocChange](t, srv).State)

	ac = connect(t, cli, srv)
	recvEvent[*AssocChange](t, srv)
	require.NoError(t, cli.SendInfo(SndRcvInfo{AssocID: ac.AssocID, Flags: Abort}, []byte("reason")))
	lost := recvEvent[*AssocChange](t, srv)
	require.Equal(t, CommLost, lost.State)
	require.Len(t, lost.Causes, 1)
}

// The gen_sctp documentation close/1: all associations are shut down gracefully;
// peers see a shutdown event followed by shutdown_comp. With linger
// {true, 0} they are aborted.
func TestCloseEndsAssociations(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	connect(t, cli, srv)
	connect(t, clientOf(t, srv), srv) // another association, not affected
	recvEvent[*AssocChange](t, srv)
	recvEvent[*AssocChange](t, srv)
	require.NoError(t, cli.Close())
	require.NoError(t, cli.Close(), "idempotent")
	recvEvent[*ShutdownEvent](t, srv)
	require.Equal(t, ShutdownComp, recvEvent[*AssocChange](t, srv).State)

	cli2 := clientOf(t, srv, Linger(true, 0))
	connect(t, cli2, srv)
	recvEvent[*AssocChange](t, srv)
	require.NoError(t, cli2.Close())
	require.Equal(t, CommLost, recvEvent[*AssocChange](t, srv).State)
}

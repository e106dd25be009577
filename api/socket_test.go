package api

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// gen_sctp basics: connect returns comm_up with the negotiated streams;
// the server sees comm_up, then the message with its sndrcvinfo; the
// reply comes back on the same stream.
func TestConnectSendRecv(t *testing.T) {
	noLeak(t)
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	require.NotZero(t, ac.AssocID)
	require.Equal(t, uint16(10), ac.OutboundStreams)

	up := recvEvent[*AssocChange](t, srv)
	require.Equal(t, CommUp, up.State)
	require.NoError(t, cli.Send(ac.AssocID, 3, []byte("hello")))
	d := recvData(t, srv)
	require.Equal(t, "hello", string(d.Data))
	require.True(t, d.HasInfo)
	require.Equal(t, uint16(3), d.Info.Stream)
	require.Equal(t, up.AssocID, d.Info.AssocID)
	require.Equal(t, lo, d.From.Addr())
	require.Equal(t, cli.Port(), d.From.Port())

	require.NoError(t, srv.SendInfo(SndRcvInfo{AssocID: up.AssocID, Stream: 3, PPID: 99}, []byte("world")))
	r := recvData(t, cli)
	require.Equal(t, "world", string(r.Data))
	require.Equal(t, uint32(99), r.Info.PPID)
	require.Equal(t, srv.Port(), r.From.Port())
}

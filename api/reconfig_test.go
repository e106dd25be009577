package api

import (
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// ResetStreams over loopback: the client resets stream 2 after a
// message; the server gets the message, then the incoming reset event,
// the client the outgoing one; sends to the stream fail meanwhile, and
// the next message on it arrives with SSN 0. The server's packets are
// held back until the checks of the reset in progress are done, so that
// its answer cannot complete the reset before them.
func TestResetStreams(t *testing.T) {
	noLeak(t)
	ev := SCTPEvents(EventSubscribe{StreamResetEvent: True})
	srv := server(t, ev)
	cli := clientOf(t, srv, ev)
	ac := connect(t, cli, srv)
	var hold atomic.Bool
	hold.Store(true)
	require.NoError(t, srv.SetUDPHook(func(dir udpencap.Direction, _, _ netip.AddrPort, _ []byte) udpencap.Verdict {
		if dir == udpencap.Out && hold.Load() {
			return udpencap.Drop
		}
		return udpencap.Pass
	}))
	for _, m := range []string{"one", "two"} {
		require.NoError(t, cli.Send(ac.AssocID, 2, []byte(m)))
	}
	require.NoError(t, cli.ResetStreams(ac.AssocID, 2))
	err := cli.Send(ac.AssocID, 2, []byte("too early"))
	require.ErrorIs(t, err, association.ErrStreamResetting)
	require.ErrorIs(t, cli.ResetStreams(ac.AssocID), association.ErrReconfigInProgress)
	require.ErrorIs(t, cli.ResetStreams(ac.AssocID, 60000), ErrInvalidStream)
	hold.Store(false)
	for i, m := range []string{"one", "two"} {
		d := recvData(t, srv)
		require.Equal(t, m, string(d.Data))
		require.Equal(t, uint16(i), d.Info.SSN)
	}
	in := recvEvent[*StreamResetEvent](t, srv)
	require.Equal(t, association.StreamResetIncoming, in.Flags)
	require.Equal(t, []uint16{2}, in.Streams)
	out := recvEvent[*StreamResetEvent](t, cli)
	require.Equal(t, association.StreamResetOutgoing, out.Flags)
	require.Equal(t, ac.AssocID, out.AssocID)
	require.NoError(t, cli.Send(ac.AssocID, 2, []byte("again")))
	d := recvData(t, srv)
	require.Equal(t, "again", string(d.Data))
	require.Equal(t, uint16(0), d.Info.SSN)
}

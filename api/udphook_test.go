package api

import (
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// SetUDPHook puts a fault-injection hook under a socket: the first DATA
// datagram the client sends is dropped (counted in TransportStats), the
// message still arrives (retransmitted), and once the hook is removed
// nothing more is dropped. On a transport of its own the socket has no
// UDP socket to hook: ErrNotSupported; closed, net.ErrClosed.
func TestSetUDPHook(t *testing.T) {
	srv := server(t)
	cli := clientOf(t, srv)
	ac := connect(t, cli, srv)
	var dropped atomic.Int32
	require.NoError(t, cli.SetUDPHook(func(dir udpencap.Direction, _, _ netip.AddrPort, b []byte) udpencap.Verdict {
		if dir == udpencap.Out && dropped.CompareAndSwap(0, 1) {
			return udpencap.Drop
		}
		return udpencap.Pass
	}))
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("through loss")))
	require.Equal(t, "through loss", string(recvData(t, srv).Data))
	ts, err := cli.TransportStats()
	require.NoError(t, err)
	require.Equal(t, uint64(1), ts.UDP.HookDropsOut)

	require.NoError(t, cli.SetUDPHook(nil))
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("no hook")))
	require.Equal(t, "no hook", string(recvData(t, srv).Data))
	ts, err = cli.TransportStats()
	require.NoError(t, err)
	require.Equal(t, uint64(1), ts.UDP.HookDropsOut)

	a, b := packetiotest.Pipe()
	over, _, _ := pipePair(t, a, b)
	require.True(t, errors.Is(over.SetUDPHook(nil), ErrNotSupported))
	require.NoError(t, cli.Close())
	require.True(t, errors.Is(cli.SetUDPHook(nil), net.ErrClosed))
}

package api

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

var lo2 = netip.MustParseAddr("127.0.0.2")

// Repeated IP options bind several addresses (the gen_sctp documentation); a
// multihomed Connect lists the peer's addresses; PeerNames and SockNames
// report them with the SCTP ports.
func TestMultihomedSockets(t *testing.T) {
	noLeak(t)
	srv := multihomedServer(t)
	names, err := srv.SockNames(0)
	require.NoError(t, err)
	require.ElementsMatch(t, []netip.AddrPort{netip.AddrPortFrom(lo, srv.Port()), netip.AddrPortFrom(lo2, srv.Port())}, names)

	cli, err := Open(IP(lo), IP(lo2), LocalUDPPort(0), RemoteUDPPort(srv.UDPPort()))
	require.NoError(t, err)
	t.Cleanup(func() { cli.Close() })
	ac, err := cli.ConnectAddrs(testCtx(t), []netip.Addr{lo, lo2}, srv.Port())
	require.NoError(t, err)
	peers, err := cli.PeerNames(ac.AssocID)
	require.NoError(t, err)
	require.Equal(t, netip.AddrPortFrom(lo, srv.Port()), peers[0], "the primary first")
	require.ElementsMatch(t, []netip.AddrPort{netip.AddrPortFrom(lo, srv.Port()), netip.AddrPortFrom(lo2, srv.Port())}, peers)
	_, err = cli.PeerNames(0)
	require.ErrorIs(t, err, ErrNotConnected)
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("x")))
	d := recvData(t, srv)
	require.Equal(t, "x", string(d.Data))
	require.Equal(t, netip.AddrPortFrom(lo, cli.Port()), d.From, "the primary path's source")
	// With the client's primary moved to the server's second address, the
	// messages come from the client's address on that path, and the
	// server reports it as their FromIP.
	require.NoError(t, cli.SetOpts(SCTPPrimaryAddr(Prim{AssocID: ac.AssocID, Addr: netip.AddrPortFrom(lo2, srv.Port())})))
	require.NoError(t, cli.Send(ac.AssocID, 0, []byte("y")))
	d = recvData(t, srv)
	require.Equal(t, "y", string(d.Data))
	require.Equal(t, netip.AddrPortFrom(lo2, cli.Port()), d.From, "the second path's source")
}

// Without LocalUDPPort, sockets use the RFC 6951 port 9899 and share it.
func TestDefaultUDPPort(t *testing.T) {
	noLeak(t)
	a, err := Open(IP(lo))
	if errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, ErrAddrInUse) {
		t.Skip("UDP port 9899 is in use")
	}
	require.NoError(t, err)
	defer a.Close()
	require.Equal(t, 9899, a.UDPPort())
	b, err := Open(IP(lo))
	require.NoError(t, err)
	defer b.Close()
	require.Equal(t, 9899, b.UDPPort())
	require.NoError(t, b.Listen(true))
	ac, err := a.Connect(testCtx(t), lo, b.Port())
	require.NoError(t, err)
	require.Equal(t, CommUp, ac.State)
}

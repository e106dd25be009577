package api

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBindxRemoveFreesUDPPort: once the peer acknowledged the deletion of
// 127.0.0.2 (BindxRemove) and no association uses it, the stack closes
// its UDP socket(s): the UDP port on 127.0.0.2 is free for another
// socket, the association carries on on 127.0.0.1 (the closed socket's
// reader ended quietly, no transport failure), and BindxAdd binds
// 127.0.0.2 again, which the peer then adds.
func TestBindxRemoveFreesUDPPort(t *testing.T) {
	canBindLo2(t)
	srv := server(t, asconfOpts...)
	c := clientOf(t, srv, append([]Option{IP(lo2)}, asconfOpts...)...)
	ac := connect(t, c, srv)
	sac := recvState(t, srv, CommUp)
	udp2 := net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo2, uint16(c.UDPPort())))
	_, err := net.ListenUDP("udp4", udp2)
	require.Error(t, err, "bound by the client's stack")

	require.NoError(t, c.BindxRemove(lo2))
	waitPaddr(t, srv, AddrRemoved, lo2)
	free := false
	for range 500 { // the ASCONF-ACK is on its way back to the client
		if u, err := net.ListenUDP("udp4", udp2); err == nil {
			require.NoError(t, u.Close())
			free = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.True(t, free, "the UDP port on 127.0.0.2 stays bound")

	require.NoError(t, c.Send(ac.AssocID, 0, []byte("there")))
	require.Equal(t, []byte("there"), recvData(t, srv).Data)
	require.NoError(t, srv.Send(sac.AssocID, 0, []byte("back")))
	require.Equal(t, []byte("back"), recvData(t, c).Data)

	require.NoError(t, c.BindxAdd(lo2))
	_, err = net.ListenUDP("udp4", udp2)
	require.Error(t, err, "bound again")
	waitPaddr(t, srv, AddrAdded, lo2)
	var names []netip.AddrPort
	for range 500 { // the client adds it with the ASCONF-ACK
		names, err = c.SockNames(ac.AssocID)
		require.NoError(t, err)
		if len(names) == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.ElementsMatch(t, []netip.Addr{lo, lo2}, addrsOf(names))
}

// waitPaddr reads s until the peer address event st for addr arrives.
func waitPaddr(t *testing.T, s *Socket, st PaddrState, addr netip.Addr) {
	t.Helper()
	for range 100 {
		d := recv(t, s)
		if e, ok := d.Event.(*PaddrChange); ok && e.State == st && e.Addr.Addr() == addr {
			return
		}
	}
	t.Fatalf("no %v event for %v", st, addr)
}

// TestBindxRemoveKeepsSharedUDPSocket: the UDP socket of an address stays
// while another socket sharing the UDP port (another SCTP port) binds it,
// and closes once none does; without associations the address is
// released at once.
func TestBindxRemoveKeepsSharedUDPSocket(t *testing.T) {
	canBindLo2(t)
	s1 := open(t, IP(lo2))
	s2, err := Open(IP(lo2), LocalUDPPort(s1.UDPPort()))
	require.NoError(t, err)
	t.Cleanup(func() { s2.Close() })
	udp2 := net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo2, uint16(s1.UDPPort())))
	require.NoError(t, s1.BindxRemove(lo2))
	_, err = net.ListenUDP("udp4", udp2)
	require.Error(t, err, "bound by the other socket of the UDP port")
	require.NoError(t, s2.BindxAdd(lo))
	require.NoError(t, s2.BindxRemove(lo2))
	u, err := net.ListenUDP("udp4", udp2)
	require.NoError(t, err, "no socket binds 127.0.0.2 any more")
	require.NoError(t, u.Close())
	// The sockets still work on 127.0.0.1.
	require.NoError(t, s1.Listen(true))
	c := clientOf(t, s1)
	connect(t, c, s1)
}

// An ABORT that arrives on the client's socket of 127.0.0.1, retired by
// BindxRemove but kept by the association until then, ends the last user
// of the address: its UDP socket closes, although the goroutine that
// handled the ABORT is that socket's own reader (which, pushing its
// datagrams to the stack within one wait of the poller, holds the
// socket: the close is left to another goroutine), and Close returns.
func TestBindxRemoveAbortOnRetiredAddress(t *testing.T) {
	canBindLo2(t)
	srv := server(t)
	c := clientOf(t, srv)
	connect(t, c, srv)
	sac := recvState(t, srv, CommUp)
	require.NoError(t, c.BindxAdd(lo2))
	require.NoError(t, c.BindxRemove(lo)) // retired: the association keeps it
	udp1 := net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, uint16(c.UDPPort())))
	_, err := net.ListenUDP("udp4", udp1)
	require.Error(t, err, "still bound: the association uses it")

	require.NoError(t, srv.Abort(sac.AssocID))
	require.Eventually(t, func() bool {
		u, err := net.ListenUDP("udp4", udp1)
		if err == nil {
			u.Close()
		}
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "127.0.0.1's UDP port freed")
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs")
	}
}

package api

import (
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// needPktinfo skips the test where a wildcard socket does not learn the
// destination address of each datagram (Linux and macOS, see udpencap).
func needPktinfo(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skipf("no IP_PKTINFO on %s", runtime.GOOS)
	}
}

// TestSockNamesArePeerNames checks gen_sctp's invariant on wildcard
// sockets: the socket names of an association at one end are the peer
// names at the other, real addresses and never the wildcard; here with a
// client connecting to the server's 127.0.0.2, and over ::1 on inet6.
func TestSockNamesArePeerNames(t *testing.T) {
	noLeak(t)
	needLoopbacks(t)
	needPktinfo(t)
	for _, tc := range []struct {
		to   netip.Addr
		opts []Option
	}{{lo2, nil}, {lo, nil}, {lo6, []Option{Inet6()}}} {
		srv, err := Open(append([]Option{LocalUDPPort(0)}, tc.opts...)...)
		require.NoError(t, err)
		require.NoError(t, srv.Listen(true))
		cli, err := Open(append([]Option{LocalUDPPort(0), RemoteUDPPort(srv.UDPPort())}, tc.opts...)...)
		require.NoError(t, err)
		ac, err := cli.Connect(testCtx(t), tc.to, srv.Port())
		require.NoError(t, err)
		sac := recvEvent[*AssocChange](t, srv)
		names := func(s *Socket, id AssocID, f func(*Socket, AssocID) ([]netip.AddrPort, error)) []netip.AddrPort {
			n, err := f(s, id)
			require.NoError(t, err)
			return n
		}
		srvNames := names(srv, sac.AssocID, (*Socket).SockNames)
		require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(tc.to, srv.Port())}, srvNames,
			"the server's address is the one the client sent to")
		require.Equal(t, srvNames, names(cli, ac.AssocID, (*Socket).PeerNames))
		cliNames := names(cli, ac.AssocID, (*Socket).SockNames)
		require.Equal(t, cliNames, names(srv, sac.AssocID, (*Socket).PeerNames))
		for _, n := range append(srvNames, cliNames...) {
			require.False(t, n.Addr().IsUnspecified(), "%v", n)
		}
		cli.Close()
		srv.Close()
	}
}

// TestWildcardRepliesFromDestination checks that a wildcard server
// answers from the address its peer sent to: the INIT ACK, the COOKIE
// ACK and the SACK of a raw peer's packets to 127.0.0.2 (which the
// kernel would send from 127.0.0.1) come from 127.0.0.2.
func TestWildcardRepliesFromDestination(t *testing.T) {
	noLeak(t)
	needLoopbacks(t)
	needPktinfo(t)
	srv, err := Open(LocalUDPPort(0))
	require.NoError(t, err)
	defer srv.Close()
	require.NoError(t, srv.Listen(true))
	uc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: lo.AsSlice()})
	require.NoError(t, err)
	defer uc.Close()
	dst := netip.AddrPortFrom(lo2, uint16(srv.UDPPort()))
	p := &rawPeer{t: t, uc: uc, to: net.UDPAddrFromAddrPort(dst), dst: srv.Port()}
	reply := func(ty chunk.Type) []byte {
		buf := make([]byte, 1<<16)
		require.NoError(t, uc.SetReadDeadline(time.Now().Add(5*time.Second)))
		n, from, err := uc.ReadFromUDPAddrPort(buf)
		require.NoError(t, err)
		require.Equal(t, dst, from, "the source of the %v", ty)
		pkt, err := packet.Parse(buf[:n], packet.Options{})
		require.NoError(t, err)
		it := pkt.Chunks()
		r, ok := it.Next()
		require.True(t, ok)
		require.Equal(t, ty, r.Type)
		return append([]byte(nil), r.Bytes...)
	}
	p.send(0, &chunk.Init{InitiateTag: 0x11223344, ARwnd: 1 << 20, OutboundStreams: 10, InboundStreams: 10, InitialTSN: 1})
	var ack chunk.InitAck
	_, err = ack.Parse(reply(chunk.TypeInitAck))
	require.NoError(t, err)
	p.tag = ack.InitiateTag
	p.send(p.tag, &chunk.CookieEcho{Cookie: ack.StateCookie().Cookie})
	reply(chunk.TypeCookieAck)
	p.data(1, 0, chunk.FlagBeginning|chunk.FlagEnd, 0, []byte("x"))
	reply(chunk.TypeSACK)
	// The raw peer answers no SHUTDOWN: abort rather than linger.
	require.NoError(t, srv.Abort(recvEvent[*AssocChange](t, srv).AssocID))
}

// TestSockNamesInet6Order checks that an inet6 socket lists its IPv6
// addresses first: the wildcard [::] before 0.0.0.0, and ::1 before
// 127.0.0.1 when bound to both (given IPv4 first); an inet socket lists
// only the IPv4 wildcard.
func TestSockNamesInet6Order(t *testing.T) {
	noLeak(t)
	needLoopbacks(t)
	for _, tc := range []struct {
		opts []Option
		want []netip.Addr
	}{
		{[]Option{Inet6()}, []netip.Addr{netip.IPv6Unspecified(), netip.IPv4Unspecified()}},
		{[]Option{Inet6(), IPv6V6Only(true)}, []netip.Addr{netip.IPv6Unspecified()}},
		{[]Option{IP(lo), IP(lo6)}, []netip.Addr{lo6, lo}},
		{nil, []netip.Addr{netip.IPv4Unspecified()}},
	} {
		s, err := Open(append([]Option{LocalUDPPort(0)}, tc.opts...)...)
		require.NoError(t, err)
		names, err := s.SockNames(0)
		require.NoError(t, err)
		var want []netip.AddrPort
		for _, a := range tc.want {
			want = append(want, netip.AddrPortFrom(a, s.Port()))
		}
		require.Equal(t, want, names)
		s.Close()
	}
}

// TestConnLocalAddrWildcard checks that a Conn accepted on a wildcard
// Listener reports as its LocalAddr the address the client dialled
// (127.0.0.2), which is the client's RemoteAddr, not the wildcard.
func TestConnLocalAddrWildcard(t *testing.T) {
	noLeak(t)
	needLoopbacks(t)
	needPktinfo(t)
	l, err := Listen("sctp", ":0", LocalUDPPort(0))
	require.NoError(t, err)
	defer l.Close()
	a := l.Addr().(*Addr)
	c, err := Dial(testCtx(t), "sctp", netip.AddrPortFrom(lo2, a.Port).String(), RemoteUDPPort(a.UDPPort))
	require.NoError(t, err)
	defer abort(c)
	sc, err := l.AcceptSCTP(testCtx(t))
	require.NoError(t, err)
	defer abort(sc)
	local := sc.LocalAddr().(*Addr)
	require.Equal(t, lo2, local.IP)
	require.Equal(t, c.RemoteAddr().(*Addr).IP, local.IP)
	require.Equal(t, c.LocalAddr().(*Addr).IP, sc.RemoteAddr().(*Addr).IP)
}

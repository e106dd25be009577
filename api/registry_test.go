package api

import (
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// needLoopbacks skips the test when 127.0.0.2 or ::1 cannot be bound.
func needLoopbacks(t *testing.T) {
	t.Helper()
	for _, a := range []netip.Addr{lo2, lo6} {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(a, 0)))
		if err != nil {
			t.Skipf("cannot bind %v: %v", a, err)
		}
		_ = c.Close()
	}
}

// bothFamiliesPort opens a socket whose stack holds the IPv4 and the IPv6
// wildcard of one ephemeral UDP port, bound together (udpencap.Listen
// takes another port when one family's is taken), for sockets of both
// families to join; close it once they have: the stack keeps its UDP
// sockets while one of them is open. A port the system picked for one
// family alone may be held in the other by any socket of the machine
// (another test's on 127.0.0.1, say), and a socket of that family
// opened on it then fails with EADDRINUSE.
func bothFamiliesPort(t *testing.T) *Socket {
	t.Helper()
	s, err := Open(LocalUDPPort(0), Inet6())
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSocketsShareUDPPort opens two sockets on one UDP port with every
// combination of bound addresses the kernel allows for two SCTP ports
// (the wildcard given or not, specific addresses of either family, and
// the two together, in either order) and checks that both are reachable
// at each of their addresses from a client on another UDP port.
func TestSocketsShareUDPPort(t *testing.T) {
	noLeak(t)
	needLoopbacks(t)
	any4 := IfAddr(netip.IPv4Unspecified())
	for _, tc := range []struct {
		name          string
		first, second []Option
		reach1, reach []netip.Addr // addresses to connect to, of each socket
	}{
		{"none/explicit wildcard", nil, []Option{any4}, []netip.Addr{lo, lo2}, []netip.Addr{lo, lo2}},
		{"explicit wildcard/none", []Option{any4}, nil, []netip.Addr{lo2}, []netip.Addr{lo}},
		{"none/specific", nil, []Option{IP(lo)}, []netip.Addr{lo2}, []netip.Addr{lo}},
		{"specific/none", []Option{IP(lo)}, nil, []netip.Addr{lo}, []netip.Addr{lo, lo2}},
		{"specific/specific", []Option{IP(lo)}, []Option{IP(lo2)}, []netip.Addr{lo}, []netip.Addr{lo2}},
		{"specific/inet6 wildcard", []Option{IP(lo)}, []Option{Inet6()}, []netip.Addr{lo}, []netip.Addr{lo6, lo2}},
		{"inet6 wildcard/specific6", []Option{Inet6()}, []Option{IP(lo6)}, []netip.Addr{lo6, lo}, []netip.Addr{lo6}},
		{"specific6/inet6 wildcard", []Option{IP(lo6)}, []Option{Inet6()}, []netip.Addr{lo6}, []netip.Addr{lo6, lo2}},
		{"multihomed/specific", []Option{IP(lo), IP(lo6)}, []Option{IP(lo2)}, []netip.Addr{lo, lo6}, []netip.Addr{lo2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, err := Open(append([]Option{LocalUDPPort(0)}, tc.first...)...)
			require.NoError(t, err)
			defer first.Close()
			second, err := Open(append([]Option{LocalUDPPort(first.UDPPort())}, tc.second...)...)
			require.NoError(t, err, "the second socket on the first's UDP port")
			defer second.Close()
			require.Equal(t, first.UDPPort(), second.UDPPort())
			require.NotEqual(t, first.Port(), second.Port())
			for _, s := range []struct {
				s     *Socket
				reach []netip.Addr
			}{{first, tc.reach1}, {second, tc.reach}} {
				require.NoError(t, s.s.Listen(true))
				for _, a := range s.reach {
					cli, err := Open(LocalUDPPort(0), Inet6(), RemoteUDPPort(first.UDPPort()))
					require.NoError(t, err)
					ac, err := cli.Connect(testCtx(t), a, s.s.Port())
					require.NoError(t, err, "connect to %v", a)
					require.Equal(t, CommUp, ac.State)
					cli.Close()
				}
			}
		})
	}
}

// TestSharedUDPPortAddrInUse checks what stays forbidden: two sockets on
// one SCTP port with overlapping addresses on one UDP port (the same
// address, or the wildcard and a specific one) fail with ErrAddrInUse,
// as the kernel refuses them; and a socket bound to a specific address
// does not take the packets sent to the other addresses of a UDP port it
// shares with a wildcard socket: an INIT there is out of the blue and
// the association is refused.
func TestSharedUDPPortAddrInUse(t *testing.T) {
	noLeak(t)
	needLoopbacks(t)
	for _, tc := range []struct {
		name          string
		first, second []Option
	}{
		{"same address", []Option{IP(lo)}, []Option{IP(lo)}},
		{"wildcard then specific", nil, []Option{IP(lo)}},
		{"specific then wildcard", []Option{IP(lo)}, []Option{IfAddr(netip.IPv4Unspecified())}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, err := Open(append([]Option{LocalUDPPort(0)}, tc.first...)...)
			require.NoError(t, err)
			defer first.Close()
			_, err = Open(append([]Option{LocalUDPPort(first.UDPPort()), Port(first.Port())}, tc.second...)...)
			require.ErrorIs(t, err, ErrAddrInUse)
		})
	}
	wild, err := Open(LocalUDPPort(0))
	require.NoError(t, err)
	defer wild.Close()
	specific, err := Open(IP(lo), LocalUDPPort(wild.UDPPort()))
	require.NoError(t, err)
	defer specific.Close()
	require.NoError(t, specific.Listen(true))
	cli, err := Open(LocalUDPPort(0), RemoteUDPPort(wild.UDPPort()))
	require.NoError(t, err)
	defer cli.Close()
	_, err = cli.Connect(testCtx(t), lo2, specific.Port())
	require.Error(t, err, "127.0.0.2 is not the socket's address")
	ac, err := cli.Connect(testCtx(t), lo, specific.Port())
	require.NoError(t, err)
	require.Equal(t, CommUp, ac.State)
}

// TestSameSCTPPortDisjointAddrs checks that two sockets share an SCTP
// port on one UDP port when their addresses are disjoint, as the kernel
// allows: each gets the associations to its own address.
func TestSameSCTPPortDisjointAddrs(t *testing.T) {
	noLeak(t)
	needLoopbacks(t)
	a, err := Open(IP(lo), LocalUDPPort(0))
	require.NoError(t, err)
	defer a.Close()
	b, err := Open(IP(lo2), LocalUDPPort(a.UDPPort()), Port(a.Port()))
	require.NoError(t, err)
	defer b.Close()
	require.Equal(t, a.Port(), b.Port())
	_, err = Open(IP(lo2), IP(lo), LocalUDPPort(a.UDPPort()), Port(a.Port()))
	require.ErrorIs(t, err, ErrAddrInUse, "overlapping both")
	cli, err := Open(LocalUDPPort(0), RemoteUDPPort(a.UDPPort()))
	require.NoError(t, err)
	defer cli.Close()
	connectEach(t, cli, []*Socket{a, b}, []netip.Addr{lo, lo2})
}

// connectEach makes each socket of socks listen and connects cli to it at
// the address of tos of the same index: the association's data reaches
// that socket, whose local address for it is the one connected to.
func connectEach(t *testing.T, cli *Socket, socks []*Socket, tos []netip.Addr) {
	t.Helper()
	for i, s := range socks {
		to := tos[i]
		require.NoError(t, s.Listen(true))
		ac, err := cli.Connect(testCtx(t), to, s.Port())
		require.NoError(t, err)
		require.NoError(t, cli.Send(ac.AssocID, 0, []byte(to.String())))
		d := recvData(t, s)
		require.Equal(t, to.String(), string(d.Data), "the socket of the address connected to")
		names, err := s.SockNames(d.Info.AssocID)
		require.NoError(t, err)
		require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(to, s.Port())}, names)
	}
}

// TestExplicitWildcardIsNone checks that the wildcard given explicitly
// (gen_sctp's {ifaddr, any}) is the wildcard given by no address: the
// same UDP sockets, and on inet6 IPv4 peers too.
func TestExplicitWildcardIsNone(t *testing.T) {
	noLeak(t)
	needLoopbacks(t)
	for _, tc := range []struct {
		explicit, none []Option
	}{
		{[]Option{IfAddr(netip.IPv4Unspecified())}, nil},
		{[]Option{Inet6(), IfAddr(netip.IPv6Unspecified())}, []Option{Inet6()}},
	} {
		var udp [2][]netip.AddrPort
		for i, opts := range [][]Option{tc.explicit, tc.none} {
			s, err := Open(append([]Option{LocalUDPPort(0)}, opts...)...)
			require.NoError(t, err)
			for _, ap := range s.stk.LocalAddrs() {
				udp[i] = append(udp[i], netip.AddrPortFrom(ap.Addr(), 0))
			}
			require.NoError(t, s.Listen(true))
			cli, err := Open(LocalUDPPort(0), RemoteUDPPort(s.UDPPort()))
			require.NoError(t, err)
			_, err = cli.Connect(testCtx(t), lo, s.Port())
			require.NoError(t, err, "an IPv4 peer")
			cli.Close()
			s.Close()
		}
		require.Equal(t, udp[1], udp[0])
	}
}

// TestWildcardTakesOnlyItsFamily checks that a wildcard socket takes no
// association of a family it does not have, though the UDP port it shares
// receives that family for another socket: an inet socket no IPv6 peer,
// an inet6 socket with IPv6V6Only no IPv4 peer. The INIT is out of the
// blue and the association refused; one of the socket's own family comes
// up.
func TestWildcardTakesOnlyItsFamily(t *testing.T) {
	noLeak(t)
	needLoopbacks(t)
	for _, tc := range []struct {
		name         string
		opts, other  []Option // the wildcard socket, another on its UDP port
		cli          []Option
		refused, own netip.Addr
	}{
		{"inet", nil, []Option{IP(lo6)}, []Option{Inet6()}, lo6, lo},
		{"inet6 v6only", []Option{Inet6(), IPv6V6Only(true)}, []Option{IP(lo)}, []Option{Inet6()}, lo, lo6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := bothFamiliesPort(t)
			s, err := Open(append([]Option{LocalUDPPort(port.UDPPort())}, tc.opts...)...)
			require.NoError(t, err)
			defer s.Close()
			require.NoError(t, s.Listen(true))
			other, err := Open(append([]Option{LocalUDPPort(s.UDPPort())}, tc.other...)...)
			require.NoError(t, err)
			defer other.Close()
			require.NoError(t, port.Close())
			// The default RTO: the ABORT that refuses the first
			// association must come before the INIT's retransmissions
			// are exhausted, and on a loaded machine it may take
			// longer than a fast RTO's 150 ms.
			cli, err := Open(append([]Option{LocalUDPPort(0), RemoteUDPPort(s.UDPPort()),
				SCTPInitMsg(InitMsg{MaxAttempts: 2})}, tc.cli...)...)
			require.NoError(t, err)
			defer cli.Close()
			_, err = cli.Connect(testCtx(t), tc.refused, s.Port())
			require.ErrorIs(t, err, ErrConnRefused, "a peer of another family")
			ac, err := cli.Connect(testCtx(t), tc.own, s.Port())
			require.NoError(t, err, "a peer of the socket's family")
			require.Equal(t, CommUp, ac.State)
		})
	}
}

// TestInetAndV6OnlyWildcardsShareSCTPPort checks that an inet wildcard
// socket and an inet6 one with IPv6V6Only share an SCTP port on one UDP
// port, as the kernel allows (their addresses are disjoint), each taking
// the associations of its family; an inet6 wildcard without IPv6V6Only
// overlaps both.
func TestInetAndV6OnlyWildcardsShareSCTPPort(t *testing.T) {
	noLeak(t)
	needLoopbacks(t)
	port := bothFamiliesPort(t)
	s4, err := Open(LocalUDPPort(port.UDPPort()))
	require.NoError(t, err)
	defer s4.Close()
	s6, err := Open(LocalUDPPort(s4.UDPPort()), Port(s4.Port()), Inet6(), IPv6V6Only(true))
	require.NoError(t, err)
	defer s6.Close()
	require.NoError(t, port.Close())
	_, err = Open(LocalUDPPort(s4.UDPPort()), Port(s4.Port()), Inet6())
	require.ErrorIs(t, err, ErrAddrInUse)
	cli, err := Open(LocalUDPPort(0), Inet6(), RemoteUDPPort(s4.UDPPort()))
	require.NoError(t, err)
	defer cli.Close()
	connectEach(t, cli, []*Socket{s4, s6}, []netip.Addr{lo, lo6})
}

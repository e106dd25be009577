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
	for _, s := range []struct {
		s  *Socket
		to netip.Addr
	}{{a, lo}, {b, lo2}} {
		require.NoError(t, s.s.Listen(true))
		ac, err := cli.Connect(testCtx(t), s.to, s.s.Port())
		require.NoError(t, err)
		require.NoError(t, cli.Send(ac.AssocID, 0, []byte(s.to.String())))
		d := recvData(t, s.s)
		require.Equal(t, s.to.String(), string(d.Data), "the socket bound to the address connected to")
		names, err := s.s.SockNames(d.Info.AssocID)
		require.NoError(t, err)
		require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(s.to, s.s.Port())}, names)
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

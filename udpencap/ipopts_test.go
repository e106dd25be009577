package udpencap

import (
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// The IPv4 options reach the packets: a receiver asking for the TTL
// ancillary item sees the TTL set; TOS reads back from the socket. Invalid
// values are refused and change nothing.
func TestIPOptionsIPv4(t *testing.T) {
	modes(t, func(t *testing.T, noBatch bool) {
		c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, DisableBatch: noBatch})
		o := c.IPOptions()
		require.Positive(t, o.TTL, "read from the socket")

		rc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: lo4.AsSlice()})
		require.NoError(t, err)
		defer rc.Close()
		pc := ipv4.NewPacketConn(rc)
		if err := pc.SetControlMessage(ipv4.FlagTTL, true); err != nil {
			t.Skipf("no TTL ancillary data here: %v", err)
		}
		require.NoError(t, c.SetTTL(17))
		require.NoError(t, c.SetTOS(0x28))
		require.Equal(t, 17, c.IPOptions().TTL)
		require.Equal(t, 0x28, c.IPOptions().TOS)
		tos, err := ipv4.NewConn(c.sockets()[0].std).TOS()
		require.NoError(t, err)
		require.Equal(t, 0x28, tos)

		require.NoError(t, c.WriteTo([]byte("x"), rc.LocalAddr().(*net.UDPAddr).AddrPort(), netip.Addr{}))
		require.NoError(t, rc.SetReadDeadline(time.Now().Add(5*time.Second)))
		buf := make([]byte, 16)
		_, cm, _, err := pc.ReadFrom(buf)
		require.NoError(t, err)
		require.NotNil(t, cm)
		require.Equal(t, 17, cm.TTL)

		for _, bad := range []func() error{
			func() error { return c.SetTTL(0) },
			func() error { return c.SetTTL(256) },
			func() error { return c.SetTOS(-1) },
			func() error { return c.SetTOS(256) },
			func() error { return c.SetTrafficClass(300) },
			func() error { return c.SetPriority(-1) },
		} {
			require.Error(t, bad())
		}
		require.Equal(t, IPOptions{TOS: 0x28, TTL: 17, DontRoute: o.DontRoute, Priority: o.Priority,
			TrafficClass: o.TrafficClass}, c.IPOptions(), "unchanged")
	})
}

// IPV6_TCLASS reaches the packets of the IPv6 sockets.
func TestIPOptionsTrafficClass(t *testing.T) {
	need6(t)
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo6}})
	rc, err := net.ListenUDP("udp6", &net.UDPAddr{IP: lo6.AsSlice()})
	require.NoError(t, err)
	defer rc.Close()
	pc := ipv6.NewPacketConn(rc)
	if err := pc.SetControlMessage(ipv6.FlagTrafficClass, true); err != nil {
		t.Skipf("no traffic class ancillary data here: %v", err)
	}
	require.NoError(t, c.SetTrafficClass(0x20))
	require.Equal(t, 0x20, c.IPOptions().TrafficClass)
	require.NoError(t, c.WriteTo([]byte("x"), rc.LocalAddr().(*net.UDPAddr).AddrPort(), netip.Addr{}))
	require.NoError(t, rc.SetReadDeadline(time.Now().Add(5*time.Second)))
	buf := make([]byte, 16)
	_, cm, _, err := pc.ReadFrom(buf)
	require.NoError(t, err)
	require.NotNil(t, cm)
	require.Equal(t, 0x20, cm.TrafficClass)
}

// SO_DONTROUTE and SO_PRIORITY: set on Linux (read back from the
// socket), remembered elsewhere.
func TestIPOptionsSocketLevel(t *testing.T) {
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	require.NoError(t, c.SetDontRoute(true))
	require.NoError(t, c.SetPriority(3))
	require.True(t, c.IPOptions().DontRoute)
	require.Equal(t, 3, c.IPOptions().Priority)
	if runtime.GOOS == "linux" {
		dr, prio := sysSockOpts(c.sockets()[0].std, false, 0)
		require.True(t, dr)
		require.Equal(t, 3, prio)
	}
	require.NoError(t, c.Close())
	require.ErrorIs(t, c.SetTOS(1), net.ErrClosed)
}

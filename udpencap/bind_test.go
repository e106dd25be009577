package udpencap

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/ipv4"
)

// TestBindWildcardAfterSpecific checks that a Conn bound to 127.0.0.1
// takes the IPv4 wildcard on its port too (SO_REUSEADDR while it binds),
// then receives on both: 127.0.0.1 on its own socket, 127.0.0.2 on the
// wildcard one, each datagram with its destination.
func TestBindWildcardAfterSpecific(t *testing.T) {
	need127x(t)
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	require.NoError(t, c.Bind(nil, false))
	require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(lo4, uint16(c.Port())),
		netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(c.Port()))}, c.LocalAddrs())
	require.NoError(t, c.Bind([]netip.Addr{netip.IPv4Unspecified()}, false), "covered already")
	require.Len(t, c.LocalAddrs(), 2)
	p := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	for _, to := range []netip.Addr{lo4, lo4b} {
		dst := netip.AddrPortFrom(to, uint16(c.Port()))
		require.NoError(t, p.WriteTo([]byte("x"), dst, netip.Addr{}))
		m := readN(t, c, 1, 5*time.Second)[0]
		if to == lo4 || pktinfoSupported {
			require.Equal(t, dst, m.to)
		}
	}
	// The port stays exclusive to the process: no other socket takes it.
	_, err := Listen(Config{LocalAddrs: []netip.Addr{lo4b}, Port: c.Port()})
	require.Error(t, err)
}

// TestBindSpecificAfterWildcard checks that a specific address joins a
// wildcard Conn: covered by the wildcard where it reports destinations
// (no new socket), bound beside it elsewhere.
func TestBindSpecificAfterWildcard(t *testing.T) {
	need127x(t)
	c := listen(t, Config{})
	require.NoError(t, c.Bind([]netip.Addr{lo4b}, false))
	if pktinfoSupported {
		require.Len(t, c.LocalAddrs(), 1)
	} else {
		require.Len(t, c.LocalAddrs(), 2)
	}
	p := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	require.NoError(t, p.WriteTo([]byte("x"), netip.AddrPortFrom(lo4b, uint16(c.Port())), netip.Addr{}))
	require.Equal(t, "x", string(readN(t, c, 1, 5*time.Second)[0].data))
}

// TestBindSpecifics checks that two specific addresses share the port of
// a Conn, each on its socket, and that the IP options set before apply
// to the new socket.
func TestBindSpecifics(t *testing.T) {
	need127x(t)
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	require.NoError(t, c.SetTTL(17))
	require.NoError(t, c.Bind([]netip.Addr{lo4b}, false))
	la := c.LocalAddrs()
	require.Len(t, la, 2)
	require.Equal(t, lo4b, la[1].Addr())
	require.Equal(t, 17, ttlOf(t, c.sockets()[1]))
	p := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	require.NoError(t, p.WriteTo([]byte("x"), la[1], netip.Addr{}))
	m := readN(t, c, 1, 5*time.Second)[0]
	require.Equal(t, la[1], m.to)
	require.NoError(t, c.Close())
	require.Error(t, c.Bind([]netip.Addr{lo6}, false), "closed")
}

// ttlOf returns IP_TTL of the socket s.
func ttlOf(t *testing.T, s *socket) int {
	t.Helper()
	v, err := ipv4.NewConn(s.std).TTL()
	require.NoError(t, err)
	return v
}

package stack

import (
	"net"
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// TestUnbindHeld: an address released by one endpoint keeps its UDP
// socket while a Bind holds it for an endpoint on its way (an Open of
// another SCTP port racing the release), and the endpoint added with it
// binds it; once that one releases it too, the socket closes.
func TestUnbindHeld(t *testing.T) {
	s := mhStack(t)
	lo2Port := net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo2, s.LocalAddrs()[0].Port()))
	e1, err := s.AddEndpoint(mhEndpoint(5000))
	require.NoError(t, err)
	setAddrs := func(e *Endpoint, addrs ...netip.Addr) {
		t.Helper()
		require.NoError(t, s.Do(func(timer.Time) error { return e.SetLocalAddrs(addrs) }))
	}
	require.NoError(t, s.Bind([]netip.Addr{lo2}, false)) // covered: held
	setAddrs(e1, lo1)                                    // no association: released at once
	_, err = net.ListenUDP("udp4", lo2Port)
	require.Error(t, err, "held by the Bind")
	cfg := mhEndpoint(5001)
	cfg.Assoc.LocalAddrs = []netip.Addr{lo2}
	e2, err := s.AddEndpoint(cfg)
	require.NoError(t, err)
	_, err = net.ListenUDP("udp4", lo2Port)
	require.Error(t, err, "bound by the endpoint added")
	setAddrs(e2, lo1)
	u, err := net.ListenUDP("udp4", lo2Port)
	require.NoError(t, err, "released by both")
	require.NoError(t, u.Close())
	require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(lo1, lo2Port.AddrPort().Port())}, s.LocalAddrs())
}

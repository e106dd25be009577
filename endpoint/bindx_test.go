package endpoint_test

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/stretchr/testify/require"
)

// SetLocalAddrs changes the addresses of an endpoint on a live Mux; one
// removed that no association has is free at once (see
// TestRetiredAddrReleased for one that an association has), and an
// address another endpoint of the port has is refused.
func TestSetLocalAddrs(t *testing.T) {
	a1, a2, a3 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3")
	m := endpoint.NewMux()
	open := func(seed uint64, addrs ...netip.Addr) *endpoint.Endpoint {
		cfg := endpointtest.Config(seed, 5000)
		cfg.Assoc.LocalAddrs = addrs
		ep, err := endpoint.New(cfg, 0)
		require.NoError(t, err)
		require.NoError(t, m.Add(ep))
		return ep
	}
	e1, e2 := open(1, a1), open(2, a3)
	require.NoError(t, e1.SetLocalAddrs([]netip.Addr{a2}))
	require.Equal(t, []netip.Addr{a2}, e1.Config().Assoc.LocalAddrs)
	require.NoError(t, e2.SetLocalAddrs([]netip.Addr{a3, a1}), "no association of e1 had a1: free")
	require.NoError(t, e2.SetLocalAddrs([]netip.Addr{a3}))
	require.ErrorIs(t, e2.SetLocalAddrs([]netip.Addr{a3, a2}), endpoint.ErrPortInUse)
	require.Equal(t, []netip.Addr{a3}, e2.Config().Assoc.LocalAddrs, "nothing changed")
	require.NoError(t, e1.SetLocalAddrs([]netip.Addr{a1, a2}), "taken back")
	require.ErrorIs(t, e1.SetLocalAddrs(nil), endpoint.ErrInvalidConfig)
	require.ErrorIs(t, e1.SetLocalAddrs([]netip.Addr{netip.IPv4Unspecified()}), endpoint.ErrInvalidConfig)
	wild, err := endpoint.New(endpointtest.Config(3, 6000), 0)
	require.NoError(t, err)
	require.ErrorIs(t, wild.SetLocalAddrs([]netip.Addr{a1}), endpoint.ErrInvalidConfig)
}

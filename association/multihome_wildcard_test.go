package association_test

import (
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// Wildcard semantics (RFC 9260 Section 3.3.2.1): "If there are no address
// parameters present in the received INIT chunk, the receiver MUST take
// the source IP address from the IP header of the packet and use it as
// the only transport address of the sender." An end without local
// addresses (bound to the wildcard) lists none in its INIT or INIT ACK,
// and each end has exactly one path, to the address the packets came
// from.
func TestWildcardListsNoAddresses(t *testing.T) {
	const seed = 41
	cfgA, cfgZ := scenarioConfigs(seed)
	require.Empty(t, cfgA.LocalAddrs)
	require.Empty(t, cfgZ.LocalAddrs)
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	for _, tc := range []struct {
		from sentAddr
		typ  chunk.Type
	}{{p.AddrA, chunk.TypeInit}, {p.AddrZ, chunk.TypeInitAck}} {
		sent := c.with(tc.from, tc.typ)
		require.NotEmpty(t, sent, "%v", tc.typ)
		raw, ok := sent[0].chunk(tc.typ)
		require.True(t, ok)
		parsed, _, err := chunk.Parse(raw.Bytes)
		require.NoError(t, err)
		var params []chunk.Param
		switch x := parsed.(type) {
		case *chunk.Init:
			params = x.Params
		case *chunk.InitAck:
			params = x.Params
		}
		for _, prm := range params {
			switch prm.(type) {
			case *chunk.IPv4Address, *chunk.IPv6Address:
				t.Fatalf("%v lists an address: %v", tc.typ, prm)
			}
		}
	}
	for _, side := range []struct {
		a    *association.Association
		peer sentAddr
	}{{p.A, p.AddrZ}, {p.Z, p.AddrA}} {
		ps := side.a.Paths()
		require.Len(t, ps, 1)
		require.Equal(t, side.peer, ps[0].Addr)
		require.Equal(t, association.PathActive, ps[0].State)
	}
}

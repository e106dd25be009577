package association_test

import (
	"net/netip"
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

// TestWildcardLearnsLocalAddress checks that an end bound to the wildcard
// takes the address its peer's packets arrive on (Datagram.To) as its
// local address: LocalAddrs lists it (so the socket names of each end are
// the peer names of the other) and the packets of the path leave from it
// (Outgoing.From), so that a wildcard server answers from the address the
// client sent to.
func TestWildcardLearnsLocalAddress(t *testing.T) {
	const seed = 43
	cfgA, cfgZ := scenarioConfigs(seed)
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.Empty(t, p.A.LocalAddrs(), "nothing learned before the handshake")
	require.NoError(t, p.Handshake())
	for _, side := range []struct {
		a    *association.Association
		self sentAddr
	}{{p.A, p.AddrA}, {p.Z, p.AddrZ}} {
		require.Equal(t, []netip.Addr{side.self.Addr()}, side.a.LocalAddrs())
		require.NoError(t, side.a.Send(p.Now, association.SendInfo{}, []byte("x")))
		out, ok := side.a.AppendPacket(p.Now, nil)
		require.True(t, ok)
		require.Equal(t, side.self.Addr(), out.From)
	}
}

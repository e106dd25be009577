package association_test

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// scopedAddrs are loopback and link-local addresses, of a scope that a
// peer on 10.0.0.x does not share.
var scopedAddrs = []netip.Addr{
	netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("169.254.0.9"),
	netip.MustParseAddr("::1"), netip.MustParseAddr("fe80::"), netip.MustParseAddr("fe80::9"),
}

// RFC 9260 Section 5.1.2 C: the addresses an INIT or INIT ACK lists
// become paths, but, as for an ASCONF's Add IP Address
// (TestASCONFRecvScope), only those of the scope of the packet's source:
// a peer on 10.0.0.x that lists loopback and link-local addresses does
// not get a wildcard-bound end (both ends of associationtest.NewPair) to
// send to this machine's loopback or link. The listed address of the
// source's scope is taken.
func TestHandshakeListedAddressScope(t *testing.T) {
	other := netip.MustParseAddr("10.0.0.9")
	for _, typ := range []chunk.Type{chunk.TypeInit, chunk.TypeInitAck} {
		t.Run(fmt.Sprint(typ), func(t *testing.T) {
			seed := uint64(970 + int(typ))
			cfgA, cfgZ := scenarioConfigs(seed)
			logSeedOnFailure(t, seed)
			p, err := associationtest.NewPair(seed, cfgA, cfgZ, scenarioLink)
			require.NoError(t, err)
			lister := p.AddrA
			if typ == chunk.TypeInitAck {
				lister = p.AddrZ
			}
			listVictims(p, lister, typ, append(slices.Clone(scopedAddrs), other))
			c := capturePackets(p)
			require.NoError(t, p.Handshake())
			p.Run(10 * time.Second)
			taker := p.Z // made by the handshake
			if typ == chunk.TypeInitAck {
				taker = p.A
			}
			require.Equal(t, association.StateEstablished, taker.State())
			var paths []netip.Addr
			for _, pi := range taker.Paths() {
				paths = append(paths, pi.Addr.Addr())
			}
			require.ElementsMatch(t, []netip.Addr{lister.Addr(), other}, paths)
			for _, s := range c.pkts {
				require.NotContains(t, scopedAddrs, s.to.Addr().Unmap(), "a packet to a listed loopback or link-local address")
			}
		})
	}
}

// The same scope rule holds for the restart of the peer (RFC 9260 Section
// 5.2.2): the loopback and link-local addresses its INIT lists from
// 10.0.0.x were never paths, and are not new addresses that would abort
// the restart.
func TestHandshakeRestartScopedAddressesNotNew(t *testing.T) {
	const seed = 975
	p, c := establishedPair(t, seed)
	start := p.Now
	ps := []chunk.Param{chunk.AddressParam(p.AddrA.Addr())}
	for _, a := range scopedAddrs {
		ps = append(ps, chunk.AddressParam(a))
	}
	forge(p, p.AddrA, p.AddrZ, headerAZ(0), ghInit(0x5eed1e56, ps...))
	p.Run(20 * time.Millisecond)
	out := c.since(start)
	require.Zero(t, out.count(p.AddrZ, chunk.TypeAbort), "no ABORT for new addresses")
	require.Equal(t, 1, out.count(p.AddrZ, chunk.TypeInitAck), "the restart is answered")
	require.Len(t, p.Z.Paths(), 1)
}

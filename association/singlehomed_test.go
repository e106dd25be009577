package association_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// RFC 8261 Section 6.1: over DTLS "All SCTP associations are
// single-homed". A SingleHomed end, initiator or responder, makes no path
// of the addresses its multihomed peer's INIT or INIT ACK lists; the peer
// still uses the addresses the SingleHomed end lists.
func TestSingleHomedIgnoresPeerAddresses(t *testing.T) {
	for _, initiator := range []bool{true, false} {
		cfgA, cfgZ := mhConfig(3, 5000, 5001), mhConfig(10, 5001, 5000)
		if initiator {
			cfgA.SingleHomed = true
		} else {
			cfgZ.SingleHomed = true
		}
		p, err := associationtest.NewMultihomedPair(3, cfgA, cfgZ, sim.LinkConfig{Delay: 10 * time.Millisecond},
			[]netip.AddrPort{a1, a2}, []netip.AddrPort{z1, z2})
		require.NoError(t, err)
		require.NoError(t, p.Handshake())
		p.Run(3 * time.Second)
		single, multi := p.A, p.Z
		if !initiator {
			single, multi = p.Z, p.A
		}
		require.Len(t, single.Paths(), 1, "initiator %v", initiator)
		require.Len(t, multi.Paths(), 2, "initiator %v", initiator)
		require.Equal(t, association.StateEstablished, single.State())
	}
}

// The restart of the peer of a SingleHomed association (RFC 9260 Section
// 5.2.4) goes ahead though its INIT lists addresses the association never
// made paths of: they are not new addresses (Section 5.2.2), which would
// abort the restart.
func TestSingleHomedRestartListingAddresses(t *testing.T) {
	const seed = 961
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.SingleHomed = true
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake(), "seed %d", seed)
	start := p.Now
	forge(p, p.AddrA, p.AddrZ, headerAZ(0), ghInit(0x5eed1e55,
		chunk.AddressParam(p.AddrA.Addr()), chunk.AddressParam(netip.MustParseAddr("10.99.0.1"))))
	p.Run(20 * time.Millisecond)
	out := c.since(start)
	require.Zero(t, out.count(p.AddrZ, chunk.TypeAbort), "no ABORT for new addresses")
	require.Equal(t, 1, out.count(p.AddrZ, chunk.TypeInitAck), "the restart is answered")
	require.Len(t, p.Z.Paths(), 1)
}

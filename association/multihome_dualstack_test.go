package association_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/stretchr/testify/require"
)

// A dual-stack multihomed association: each end has an IPv4 and an IPv6
// address. RFC 9260 Section 3.3.2.1: the INIT and INIT ACK list them as
// IPv4 and IPv6 Address parameters, and "the receiver ... MUST use the
// source address of the packet ... combined with the SCTP source port
// number ... as one of the peer's transport addresses". Both paths are
// confirmed by heartbeats (Section 5.4), each leaves from the local
// address of its family, and when the IPv4 primary path is cut in the
// middle of a transfer the association fails over to IPv6 with nothing
// lost or duplicated (Sections 6.4, 8.2).
func TestMultihomeDualStack(t *testing.T) {
	v4a := netip.MustParseAddrPort("10.0.0.1:9899")
	v4z := netip.MustParseAddrPort("10.0.0.2:9899")
	v6a := netip.MustParseAddrPort("[fd00::1]:9899")
	v6z := netip.MustParseAddrPort("[fd00::2]:9899")
	m := newMHPairAddrs(t, 21, []netip.AddrPort{v4a, v6a}, []netip.AddrPort{v4z, v6z})
	for _, a := range []*association.Association{m.A, m.Z} {
		ps := a.Paths()
		require.Len(t, ps, 2)
		for _, p := range ps {
			require.Equal(t, association.PathActive, p.State, "%v confirmed", p.Addr)
		}
	}
	require.Equal(t, v4z.Addr(), m.A.Status().Primary.Addr.Addr(), "the primary is the address A connected to")
	require.Contains(t, m.events, "fd00::2 addr_confirmed")
	require.Contains(t, m.eventsZ, "fd00::1 addr_confirmed")
	require.NotZero(t, m.Net.LinkStats(v6a, v6z).Delivered, "the IPv6 path is used from the IPv6 address")
	require.Zero(t, m.Net.LinkStats(v4a, v6z).Sent, "no IPv4 source towards an IPv6 peer address")

	const n = 300
	id, cut := uint32(0), false
	for id < n {
		for m.A.Buffered() < 20000 && id < n {
			m.send(t, id)
			id++
		}
		m.Run(5 * time.Millisecond)
		if id >= n/3 && !cut {
			m.cut(v4a, v4z, true)
			cut = true
			require.Less(t, len(m.got), n, "the cut comes in the middle of the transfer")
		}
	}
	require.True(t, m.RunUntil(2*time.Minute, func() bool { return len(m.got) == n }),
		"got %d of %d", len(m.got), n)
	for i := uint32(0); i < n; i++ {
		require.Equal(t, 1, m.got[i], "message %d", i)
	}
	require.True(t, m.RunUntil(time.Minute, func() bool { return m.unreachableAt != 0 }), "the cut is noticed")
	require.Contains(t, m.events, "10.0.0.2 addr_unreachable")
	require.Equal(t, association.PathInactive, pathState(m.A, v4z))
	require.NotZero(t, m.Net.LinkStats(v6a, v6z).Delivered)
}

package association_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// addrA2 is the address A adds in the ASCONF tests.
var addrA2 = netip.MustParseAddrPort("10.0.0.3:9899")

// asconfConfigs returns scenarioConfigs with ASCONF on (with AUTH, on by
// default), Nagle off, and each end bound to its address.
func asconfConfigs(seed uint64) (cfgA, cfgZ association.Config) {
	cfgA, cfgZ = scenarioConfigs(seed)
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.ASCONF, c.NoDelay = true, true
	}
	cfgA.LocalAddrs = []netip.Addr{associationtest.AddrA.Addr()}
	cfgZ.LocalAddrs = []netip.Addr{associationtest.AddrZ.Addr()}
	return cfgA, cfgZ
}

// asconfPair returns an established pair of asconfConfigs, changed by
// mod, on link, that also receives for A on addrA2.
func asconfPair(t *testing.T, seed uint64, link sim.LinkConfig, mod func(a, z *association.Config)) (*associationtest.Pair, *capture) {
	t.Helper()
	logSeedOnFailure(t, seed)
	cfgA, cfgZ := asconfConfigs(seed)
	if mod != nil {
		mod(&cfgA, &cfgZ)
	}
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, link)
	require.NoError(t, err)
	c := capturePackets(p)
	require.NoError(t, p.Handshake())
	p.AddrsA = append(p.AddrsA, addrA2)
	return p, c
}

// noAUTH turns AUTH off and ASCONF without it on at both ends, for the
// tests that forge ASCONF chunks.
func noAUTH(a, z *association.Config) {
	for _, c := range []*association.Config{a, z} {
		c.Auth.Disabled, c.ASCONFNoAuth = true, true
	}
}

// dropWith returns a filter that drops the next count datagrams (every
// one for count 0) carrying a chunk of type t, wherever it is in the
// packet (an AUTH chunk comes before an ASCONF).
func dropWith(t chunk.Type, count int) sim.Filter {
	left := count
	return func(d *sim.Datagram) sim.Verdict {
		pkt, err := packet.Parse(d.Data, packet.Options{AcceptZeroChecksum: true})
		if err != nil || count > 0 && left == 0 {
			return sim.Pass
		}
		it := pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			if r.Type == t {
				left--
				return sim.Drop
			}
		}
		return sim.Pass
	}
}

// requireAuthenticated checks that every ASCONF and ASCONF-ACK chunk c
// saw came after an AUTH chunk in its packet (RFC 5061 Section 4.1.1,
// RFC 4895 Section 6.2), and that there were some.
func requireAuthenticated(t *testing.T, c *capture) {
	t.Helper()
	n := 0
	for _, sp := range c.pkts {
		auth := false
		for _, ty := range sp.types() {
			auth = auth || ty == chunk.TypeAuth
			if ty == chunk.TypeASCONF || ty == chunk.TypeASCONFAck {
				require.True(t, auth, "%v without AUTH before it: %v", ty, sp.types())
				n++
			}
		}
	}
	require.NotZero(t, n)
}

// paddrEvents returns the PaddrChange events among ds as "state addr".
func paddrEvents(ds []association.Delivery) []string {
	var out []string
	for _, e := range eventsOf[*association.PaddrChange](ds) {
		out = append(out, e.State.String()+" "+e.Addr.Addr().String())
	}
	return out
}

func TestASCONFNegotiation(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(a, z *association.Config)
		want bool
	}{
		{"with AUTH", nil, true},
		{"peer off", func(_, z *association.Config) { z.ASCONF = false }, false},
		// RFC 5061 Section 4.1: not without AUTH, unless both say so.
		{"no AUTH", func(a, z *association.Config) { a.Auth.Disabled, z.Auth.Disabled = true, true }, false},
		{"peer without AUTH", func(_, z *association.Config) { z.Auth.Disabled = true }, false},
		{"no AUTH, both NoAuth", noAUTH, true},
		{"no AUTH, one NoAuth", func(a, z *association.Config) { noAUTH(a, z); z.ASCONFNoAuth = false }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c := asconfPair(t, 1, scenarioLink, tc.mod)
			require.Equal(t, tc.want, p.A.ASCONF())
			require.Equal(t, tc.want, p.Z.ASCONF())
			init := handshakeParams(t, c, associationtest.AddrA, chunk.TypeInit)
			offered := false
			for _, prm := range init {
				if se, ok := prm.(*chunk.SupportedExtensions); ok {
					offered = se.Supports(chunk.TypeASCONF) && se.Supports(chunk.TypeASCONFAck)
				}
			}
			a, _ := asconfConfigs(1)
			if tc.mod != nil {
				tc.mod(&a, &association.Config{})
			}
			require.Equal(t, a.ASCONF && (a.ASCONFNoAuth || !a.Auth.Disabled), offered)
			if !tc.want {
				require.ErrorIs(t, p.A.AddLocalAddr(p.Now, addrA2.Addr()), association.ErrASCONFNotSupported)
			}
		})
	}
}

// migrate runs a transfer from A to Z, one message every 10 ms for 3 s of
// virtual time, during which A adds addrA2 (at 0.5 s), asks Z to make it
// primary, and deletes its first address once the addition is
// acknowledged. It returns the longest time without a delivery at Z
// after the first one.
func migrate(t *testing.T, p *associationtest.Pair) time.Duration {
	t.Helper()
	const n = 300
	var last timer.Time
	var gap time.Duration
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ && d.Event == nil {
			if last != 0 {
				gap = max(gap, p.Now.Sub(last))
			}
			last = p.Now
		}
		if toZ {
			p.DeliveredZ = append(p.DeliveredZ, d)
		} else {
			p.DeliveredA = append(p.DeliveredA, d)
		}
	}
	deleted := false
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{PPID: chunk.PPID(i)}, []byte{byte(i)}))
		switch {
		case i == 50:
			require.NoError(t, p.A.AddLocalAddr(p.Now, addrA2.Addr()))
			require.NoError(t, p.A.SetPeerPrimary(p.Now, addrA2.Addr()))
			require.Equal(t, 2, p.A.ASCONFPending())
		case i > 50 && !deleted && p.A.ASCONFPending() == 0:
			require.NoError(t, p.A.DeleteLocalAddr(p.Now, associationtest.AddrA.Addr()))
			deleted = true
		}
		p.Run(10 * time.Millisecond)
	}
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == n }),
		"%d of %d delivered; discards %v", len(messagesOf(p.DeliveredZ)), n, p.Discards)
	require.True(t, deleted)
	require.True(t, p.RunUntil(time.Minute, func() bool { return p.A.ASCONFPending() == 0 }))
	for i, m := range messagesOf(p.DeliveredZ) {
		require.Equal(t, chunk.PPID(i), m.PPID, "order")
	}
	return gap
}

func TestASCONFMigration(t *testing.T) {
	p, c := asconfPair(t, 7, scenarioLink, nil)
	gap := migrate(t, p)
	t.Logf("longest gap between deliveries: %v", gap)
	require.Less(t, gap, 100*time.Millisecond)
	requireAuthenticated(t, c)
	require.Equal(t, []string{"addr_added 10.0.0.3", "addr_confirmed 10.0.0.3", "addr_made_prim 10.0.0.3",
		"addr_removed 10.0.0.1"}, paddrEvents(p.DeliveredZ))
	require.Equal(t, []netip.Addr{addrA2.Addr()}, p.A.LocalAddrs())
	paths := p.Z.Paths()
	require.Len(t, paths, 1)
	require.Equal(t, addrA2, paths[0].Addr)
	require.True(t, paths[0].Primary)
	// RFC 5061 Section 5.3 F1 and RFC 9260 Section 5.4: nothing but
	// HEARTBEATs and the ASCONF-ACK to the new address before a HEARTBEAT
	// ACK confirmed it; F4: nothing from the deleted address once its
	// deletion was sent.
	probed, confirmed, deleteSent := false, timer.Never, -1
	for i, sp := range c.pkts {
		probed = probed || sp.to == addrA2 && sp.has(chunk.TypeHeartbeat)
		if probed && sp.has(chunk.TypeHeartbeatAck) && confirmed == timer.Never {
			confirmed = sp.at
		}
		if sp.from.Addr() == addrA2.Addr() && sp.has(chunk.TypeASCONF) && deleteSent < 0 {
			deleteSent = i
		}
	}
	require.NotEqual(t, timer.Never, confirmed)
	require.GreaterOrEqual(t, deleteSent, 0)
	for i, sp := range c.pkts {
		if sp.to == addrA2 && sp.at <= confirmed {
			for _, ty := range sp.types() {
				require.Contains(t, []chunk.Type{chunk.TypeHeartbeat, chunk.TypeASCONFAck}, ty)
			}
		}
		if sp.from.Addr() == associationtest.AddrA.Addr() {
			require.Less(t, i, deleteSent, "sent from the deleted address")
		}
		if sp.to.Addr() == associationtest.AddrA.Addr() {
			require.Less(t, sp.at, c.pkts[deleteSent].at.Add(time.Second), "sent to the deleted address")
		}
	}
}

// TestASCONFWildcard: with ASCONFWildcard (RFC 6951 Section 5.7) the
// requests carry 0.0.0.0, each sent from the address it means, and the
// peer takes the packet's source (RFC 5061 Sections 4.2.1, 4.2.2, 4.2.4).
func TestASCONFWildcard(t *testing.T) {
	p, c := asconfPair(t, 8, scenarioLink, func(a, _ *association.Config) { a.ASCONFWildcard = true })
	migrate(t, p)
	requireAuthenticated(t, c)
	require.Equal(t, []string{"addr_added 10.0.0.3", "addr_confirmed 10.0.0.3", "addr_made_prim 10.0.0.3",
		"addr_removed 10.0.0.1"}, paddrEvents(p.DeliveredZ))
	n := 0
	for _, sp := range c.pkts {
		r, ok := sp.chunk(chunk.TypeASCONF)
		if !ok {
			continue
		}
		var a chunk.ASCONF
		parseChunk(t, r, &a)
		addr, _ := chunk.ParamAddress(a.Address)
		require.True(t, addr.IsUnspecified(), "lookup address %v", addr)
		for _, prm := range a.Params {
			var inner chunk.Param
			switch prm := prm.(type) {
			case *chunk.AddIPAddress:
				inner = prm.Address
			case *chunk.DeleteIPAddress:
				inner = prm.Address
			case *chunk.SetPrimaryAddress:
				inner = prm.Address
			}
			addr, _ := chunk.ParamAddress(inner)
			require.True(t, addr.IsUnspecified(), "request address %v", addr)
		}
		require.Equal(t, addrA2.Addr(), sp.from.Addr())
		n++
	}
	require.Equal(t, 2, n)
}

func TestASCONFUserErrors(t *testing.T) {
	p, _ := asconfPair(t, 9, scenarioLink, nil)
	a1 := associationtest.AddrA.Addr()
	require.ErrorIs(t, p.A.DeleteLocalAddr(p.Now, a1), association.ErrDeleteLastAddress)
	require.ErrorIs(t, p.A.AddLocalAddr(p.Now, a1), association.ErrLocalAddrExists)
	require.ErrorIs(t, p.A.AddLocalAddr(p.Now, netip.IPv4Unspecified()), association.ErrInvalidAddr)
	require.ErrorIs(t, p.A.AddLocalAddr(p.Now, netip.MustParseAddr("224.0.0.1")), association.ErrInvalidAddr)
	require.ErrorIs(t, p.A.SetPeerPrimary(p.Now, addrA2.Addr()), association.ErrNotLocalAddr)
	require.ErrorIs(t, p.A.DeleteLocalAddr(p.Now, addrA2.Addr()), association.ErrNotLocalAddr)
	// Bounded: MaxASCONFRequests wait at most.
	for i := range association.MaxASCONFRequests {
		require.NoError(t, p.A.AddLocalAddr(p.Now, netip.AddrFrom4([4]byte{10, 1, 0, byte(i + 1)})))
	}
	require.ErrorIs(t, p.A.AddLocalAddr(p.Now, netip.MustParseAddr("10.2.0.1")), association.ErrASCONFQueueFull)
}

// TestASCONFAllAtOnce: the addition, the primary and the deletion asked
// for together still leave the old address behind in order: the
// deletion goes in an ASCONF of its own, from the new address, once the
// addition is acknowledged (RFC 5061 Section 5.3 F1, F6).
func TestASCONFAllAtOnce(t *testing.T) {
	p, c := asconfPair(t, 10, scenarioLink, nil)
	a1 := associationtest.AddrA.Addr()
	require.NoError(t, p.A.AddLocalAddr(p.Now, addrA2.Addr()))
	require.NoError(t, p.A.SetPeerPrimary(p.Now, addrA2.Addr()))
	require.NoError(t, p.A.DeleteLocalAddr(p.Now, a1))
	require.Equal(t, []netip.Addr{a1}, p.A.LocalAddrs(), "not a source before acknowledged")
	require.True(t, p.RunUntil(10*time.Second, func() bool { return p.A.ASCONFPending() == 0 }))
	sendAndDeliver(t, p, []byte("after"))
	require.Equal(t, []netip.Addr{addrA2.Addr()}, p.A.LocalAddrs())
	paths := p.Z.Paths()
	require.Len(t, paths, 1)
	require.Equal(t, addrA2, paths[0].Addr)
	var froms []netip.Addr
	for _, sp := range c.pkts {
		if sp.has(chunk.TypeASCONF) {
			froms = append(froms, sp.from.Addr())
		}
	}
	require.Equal(t, []netip.Addr{a1, addrA2.Addr()}, froms)
	require.Empty(t, p.Discards)
}

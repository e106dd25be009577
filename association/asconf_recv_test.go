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
	"github.com/stretchr/testify/require"
)

// forgeASCONF sends Z an ASCONF from A's address from (A's tag), and
// returns the ASCONF-ACK Z sends back (nil if none). The ASCONF-ACKs do
// not reach A (see dropASCONFAcks).
func forgeASCONF(t *testing.T, p *associationtest.Pair, c *capture, from netip.AddrPort, a *chunk.ASCONF) *chunk.ASCONFAck {
	t.Helper()
	_, zTag := p.A.Tags()
	n := len(c.pkts)
	forge(p, from, associationtest.AddrZ, headerAZ(zTag), a)
	p.Run(50 * time.Millisecond)
	for _, sp := range c.pkts[n:] {
		if r, ok := sp.chunk(chunk.TypeASCONFAck); ok {
			require.Equal(t, from, sp.to, "RFC 5061 Section 5.2 E6: to the source of the ASCONF")
			var ack chunk.ASCONFAck
			parseChunk(t, r, &ack)
			return &ack
		}
	}
	return nil
}

// dropASCONFAcks keeps the answers to forged ASCONFs from A, which
// would abort the association as it sent none (RFC 5061 Section 5.3 F0,
// TestASCONFIllegalAck): the network takes the ASCONF-ACK chunks out of
// the packets (after the capture, installed before, saw them).
func dropASCONFAcks(p *associationtest.Pair) {
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		pkt, err := packet.Parse(d.Data, packet.Options{AcceptZeroChecksum: true})
		if err != nil {
			return sim.Pass
		}
		var keep []chunk.Chunk
		acks := false
		it := pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			if r.Type == chunk.TypeASCONFAck {
				acks = true
				continue
			}
			u := &chunk.Unknown{}
			if _, err := u.Parse(r.Bytes); err == nil {
				keep = append(keep, u)
			}
		}
		switch {
		case !acks:
			return sim.Pass
		case len(keep) == 0:
			return sim.Drop
		}
		d.Data = packetOf(pkt.Header, keep...)
		return sim.Pass
	})
}

// v4 returns the IPv4 Address parameter of s.
func v4(s string) chunk.Param { return chunk.AddressParam(netip.MustParseAddr(s)) }

// firstSerial returns the Sequence Number the peer A's first ASCONF
// carries: its Initial TSN (RFC 5061 Section 5.1 A2), one less than the
// TSN of its first DATA, which sendAndDeliver shows; from then on the
// ASCONF-ACKs to A are dropped.
func firstSerial(t *testing.T, p *associationtest.Pair, c *capture) uint32 {
	t.Helper()
	sendAndDeliver(t, p, []byte("x"))
	dropASCONFAcks(p)
	sps := c.with(associationtest.AddrA, chunk.TypeData)
	require.NotEmpty(t, sps)
	r, _ := sps[0].chunk(chunk.TypeData)
	var d chunk.Data
	parseChunk(t, r, &d)
	return uint32(d.TSN)
}

func TestASCONFRecvSerial(t *testing.T) {
	p, c := asconfPair(t, 11, scenarioLink, noAUTH)
	s := firstSerial(t, p, c)
	add := &chunk.ASCONF{Serial: s, Address: v4("10.0.0.1"),
		Params: []chunk.Param{&chunk.AddIPAddress{CorrelationID: 1, Address: v4("10.0.0.3")}}}
	// E5: not the next one expected.
	add.Serial = s + 1
	require.Nil(t, forgeASCONF(t, p, c, associationtest.AddrA, add))
	require.Len(t, p.Z.Paths(), 1)
	add.Serial = s
	ack := forgeASCONF(t, p, c, associationtest.AddrA, add)
	require.NotNil(t, ack)
	require.Equal(t, s, ack.Serial)
	require.Empty(t, ack.Params, "implicit success (RFC 5061 Section 4.2.5)")
	require.Len(t, p.Z.Paths(), 2)
	// E2: a retransmission gets the cached answer and changes nothing.
	add.Params = []chunk.Param{&chunk.AddIPAddress{CorrelationID: 1, Address: v4("10.0.0.4")}}
	ack = forgeASCONF(t, p, c, associationtest.AddrA, add)
	require.NotNil(t, ack)
	require.Equal(t, s, ack.Serial)
	require.Len(t, p.Z.Paths(), 2)
	// An older one is discarded.
	add.Serial = s - 1
	require.Nil(t, forgeASCONF(t, p, c, associationtest.AddrA, add))
	require.Equal(t, []string{"addr_added 10.0.0.3", "addr_confirmed 10.0.0.3"}, paddrEvents(p.DeliveredZ))
}

// causeOf returns the code of the single cause answering cid, or 0 for
// a success indication, and whether there is an answer.
func causeOf(t *testing.T, ack *chunk.ASCONFAck, cid uint32) (chunk.CauseCode, bool) {
	t.Helper()
	for _, prm := range ack.Params {
		switch prm := prm.(type) {
		case *chunk.SuccessIndication:
			if prm.CorrelationID == cid {
				return 0, true
			}
		case *chunk.ErrorCauseIndication:
			if prm.CorrelationID == cid {
				require.Len(t, prm.Causes, 1)
				return prm.Causes[0].CauseCode(), true
			}
		}
	}
	return 0, false
}

// answer is the answer an ASCONF-ACK should give to a Correlation ID: a
// cause code, 0 for a success indication.
type answer struct {
	cid  uint32
	code chunk.CauseCode
}

// requireAnswers checks that ack answers each of want as said, and
// nothing else.
func requireAnswers(t *testing.T, ack *chunk.ASCONFAck, want ...answer) {
	t.Helper()
	require.NotNil(t, ack)
	for _, w := range want {
		code, ok := causeOf(t, ack, w.cid)
		require.True(t, ok, "no answer to %d", w.cid)
		require.Equal(t, w.code, code, "answer to %d", w.cid)
	}
	require.Len(t, ack.Params, len(want))
}

// TestASCONFRecvRefusals: the refusals of RFC 5061 Section 5.3 and the
// answers of Section 5.2 V2, each in an ASCONF of its own since a refused
// Add or Delete refuses the later ones of its chunk (F11,
// TestASCONFRecvF11).
func TestASCONFRecvRefusals(t *testing.T) {
	p, c := asconfPair(t, 12, scenarioLink, noAUTH)
	s := firstSerial(t, p, c)
	a1 := associationtest.AddrA
	asconf := func(ps ...chunk.Param) *chunk.ASCONFAck {
		t.Helper()
		ack := forgeASCONF(t, p, c, a1, &chunk.ASCONF{Serial: s, Address: v4("10.0.0.1"), Params: ps})
		s++
		return ack
	}
	requireAnswers(t, asconf(
		// F7: the last address.
		&chunk.DeleteIPAddress{CorrelationID: 1, Address: v4("10.0.0.1")},
		// Section 5.4: an unknown primary is not honoured.
		&chunk.SetPrimaryAddress{CorrelationID: 6, Address: v4("10.9.9.9")},
		// Section 4.2.6: ignored in an ASCONF, no answer.
		&chunk.AdaptationLayerIndication{Indication: 7},
		// V2: an unknown parameter whose type bits say "skip and report".
		&chunk.UnknownParam{Type: 0xC00F, Value: []byte{0, 0, 0, 8}},
	), answer{1, chunk.CauseDeleteLastRemainingAddress}, answer{6, chunk.CauseUnresolvableAddress},
		answer{8, chunk.CauseUnrecognizedParameters})
	// Multicast, broadcast: refused (RFC 5061 Section 4.2.1).
	requireAnswers(t, asconf(&chunk.AddIPAddress{CorrelationID: 2, Address: v4("224.0.0.9")}),
		answer{2, chunk.CauseUnresolvableAddress})
	requireAnswers(t, asconf(&chunk.AddIPAddress{CorrelationID: 3, Address: v4("255.255.255.255")}),
		answer{3, chunk.CauseUnresolvableAddress})
	require.Empty(t, paddrEvents(p.DeliveredZ))
	requireAnswers(t, asconf(
		// Implicit success before a failure.
		&chunk.AddIPAddress{CorrelationID: 4, Address: v4("10.0.0.3")},
		// F8: the source address of the packet.
		&chunk.DeleteIPAddress{CorrelationID: 5, Address: v4("10.0.0.1")},
		// After a failure, a success is reported (A7).
		&chunk.SetPrimaryAddress{CorrelationID: 9, Address: v4("10.0.0.3")},
	), answer{5, chunk.CauseDeleteSourceAddress}, answer{9, 0})
	require.Len(t, p.Z.Paths(), 2)
	require.Empty(t, eventsOf[*association.AdaptationEvent](p.DeliveredZ[1:]))
	// The primary waits for the confirmation of 10.0.0.3, which A gives:
	// the pair receives for A there.
	require.True(t, p.RunUntil(10*time.Second, func() bool { return p.Z.Status().Primary.Addr == addrA2 }))
	require.Equal(t, []string{"addr_added 10.0.0.3", "addr_confirmed 10.0.0.3", "addr_made_prim 10.0.0.3"},
		paddrEvents(p.DeliveredZ))
}

// TestASCONFRecvF11: once an Add or a Delete of an ASCONF is refused,
// every later Add and Delete of that ASCONF is refused too (RFC 5061
// Section 5.3 F11: "The receiver MUST NOT reject an ADD and then accept a
// subsequent DELETE of an IP address in the same ASCONF Chunk"), with
// "Request Refused - No Authorization" (Section 4.3.5) after a refusal
// other than for resources; a Set Primary Address is still performed.
// Nothing changes of the peer's addresses.
func TestASCONFRecvF11(t *testing.T) {
	p, c := asconfPair(t, 17, scenarioLink, noAUTH)
	s := firstSerial(t, p, c)
	a1 := associationtest.AddrA
	requireAnswers(t, forgeASCONF(t, p, c, a1, &chunk.ASCONF{Serial: s, Address: v4("10.0.0.1"), Params: []chunk.Param{
		&chunk.AddIPAddress{CorrelationID: 1, Address: v4("10.0.0.3")}}}))
	require.Len(t, p.Z.Paths(), 2)
	requireAnswers(t, forgeASCONF(t, p, c, a1, &chunk.ASCONF{Serial: s + 1, Address: v4("10.0.0.1"), Params: []chunk.Param{
		&chunk.AddIPAddress{CorrelationID: 2, Address: v4("224.0.0.9")},
		&chunk.DeleteIPAddress{CorrelationID: 3, Address: v4("10.0.0.3")},
		&chunk.AddIPAddress{CorrelationID: 4, Address: v4("10.0.0.4")},
		&chunk.SetPrimaryAddress{CorrelationID: 5, Address: v4("10.0.0.1")},
	}}), answer{2, chunk.CauseUnresolvableAddress}, answer{3, chunk.CauseNoAuthorization},
		answer{4, chunk.CauseNoAuthorization}, answer{5, 0})
	// A refused Delete refuses a later Add.
	requireAnswers(t, forgeASCONF(t, p, c, a1, &chunk.ASCONF{Serial: s + 2, Address: v4("10.0.0.1"), Params: []chunk.Param{
		&chunk.DeleteIPAddress{CorrelationID: 6, Address: v4("10.0.0.1")},
		&chunk.AddIPAddress{CorrelationID: 7, Address: v4("10.0.0.5")},
	}}), answer{6, chunk.CauseDeleteSourceAddress}, answer{7, chunk.CauseNoAuthorization})
	var addrs []string
	for _, pi := range p.Z.Paths() {
		addrs = append(addrs, pi.Addr.Addr().String())
	}
	require.Equal(t, []string{"10.0.0.1", "10.0.0.3"}, addrs)
	require.Equal(t, []string{"addr_added 10.0.0.3"}, paddrEvents(p.DeliveredZ)[:1])
	require.NotContains(t, paddrEvents(p.DeliveredZ), "addr_removed 10.0.0.3")
}

// TestASCONFRecvResourceShortage: beyond MaxPaths an addition is refused
// for resources (F9), and every later addition and deletion of the chunk
// with it (F11).
func TestASCONFRecvResourceShortage(t *testing.T) {
	p, c := asconfPair(t, 13, scenarioLink, noAUTH)
	s := firstSerial(t, p, c)
	var ps []chunk.Param
	for i := range association.MaxPaths + 2 {
		ps = append(ps, &chunk.AddIPAddress{CorrelationID: uint32(i + 1),
			Address: chunk.AddressParam(netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}))})
	}
	ps = append(ps, &chunk.DeleteIPAddress{CorrelationID: 100, Address: v4("10.0.1.0")})
	ack := forgeASCONF(t, p, c, associationtest.AddrA, &chunk.ASCONF{Serial: s, Address: v4("10.0.0.1"), Params: ps})
	require.NotNil(t, ack)
	require.Len(t, p.Z.Paths(), association.MaxPaths)
	for cid := uint32(association.MaxPaths); cid <= association.MaxPaths+2; cid++ {
		code, _ := causeOf(t, ack, cid)
		require.Equal(t, chunk.CauseResourceShortage, code, "cid %d", cid)
	}
	code, _ := causeOf(t, ack, 100)
	require.Equal(t, chunk.CauseResourceShortage, code)
}

// TestASCONFRecvWildcardDelete: Delete IP Address with 0.0.0.0 deletes
// every address of the peer but the source of the packet (RFC 5061
// Section 4.2.2), and the primary moves to what is left.
func TestASCONFRecvWildcardDelete(t *testing.T) {
	p, c := asconfPair(t, 14, scenarioLink, noAUTH)
	s := firstSerial(t, p, c)
	ack := forgeASCONF(t, p, c, associationtest.AddrA, &chunk.ASCONF{Serial: s, Address: v4("0.0.0.0"), Params: []chunk.Param{
		&chunk.AddIPAddress{CorrelationID: 1, Address: v4("10.0.0.3")},
		&chunk.AddIPAddress{CorrelationID: 2, Address: v4("10.0.0.4")},
	}})
	require.NotNil(t, ack)
	require.True(t, p.RunUntil(10*time.Second, func() bool { return p.Z.Paths()[1].State == association.PathActive }))
	ack = forgeASCONF(t, p, c, addrA2, &chunk.ASCONF{Serial: s + 1, Address: v4("0.0.0.0"), Params: []chunk.Param{
		&chunk.DeleteIPAddress{CorrelationID: 3, Address: v4("0.0.0.0")},
	}})
	require.NotNil(t, ack)
	require.Empty(t, ack.Params)
	paths := p.Z.Paths()
	require.Len(t, paths, 1)
	require.Equal(t, addrA2, paths[0].Addr)
	require.True(t, paths[0].Primary)
	require.Equal(t, []string{"addr_added 10.0.0.3", "addr_added 10.0.0.4", "addr_confirmed 10.0.0.3",
		"addr_removed 10.0.0.1", "addr_made_prim 10.0.0.3", "addr_removed 10.0.0.4"}, paddrEvents(p.DeliveredZ))
	// Data keeps flowing, on the path left.
	sendAndDeliver(t, p, []byte("after"))
}

// TestASCONFRecvOnlyUnconfirmedLeft: a peer that adds an address and
// deletes its other one at once leaves Z a single path, not confirmed
// yet: Z sends its DATA there only after a HEARTBEAT ACK confirmed it
// (RFC 9260 Section 5.4).
func TestASCONFRecvOnlyUnconfirmedLeft(t *testing.T) {
	p, c := asconfPair(t, 15, scenarioLink, noAUTH)
	s := firstSerial(t, p, c)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("queued")))
	_, zTag := p.A.Tags()
	p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeData, 0)) // keep Z's DATA from reaching A before
	forge(p, addrA2, associationtest.AddrZ, headerAZ(zTag),
		&chunk.ASCONF{Serial: s, Address: v4("10.0.0.1"), Params: []chunk.Param{
			&chunk.AddIPAddress{CorrelationID: 1, Address: v4("0.0.0.0")}}},
		&chunk.ASCONF{Serial: s + 1, Address: v4("10.0.0.3"), Params: []chunk.Param{
			&chunk.DeleteIPAddress{CorrelationID: 2, Address: v4("10.0.0.1")}}})
	// Within a round trip, although the HEARTBEAT went out with the path
	// second and its ACK finds it first.
	p.Run(100 * time.Millisecond)
	paths := p.Z.Paths()
	require.Len(t, paths, 1)
	require.Equal(t, association.PathActive, paths[0].State)
	p.Run(5 * time.Second)
	confirmed := false
	dataTo := 0
	for _, sp := range c.pkts {
		if sp.to == addrA2 && sp.has(chunk.TypeData) {
			require.True(t, confirmed, "DATA before the HEARTBEAT ACK")
			dataTo++
		}
		confirmed = confirmed || sp.from.Addr() != associationtest.AddrZ.Addr() && sp.has(chunk.TypeHeartbeatAck)
	}
	require.NotZero(t, dataTo)
}

// forgeASCONFs sends Z one packet with the ASCONFs cs from A's address
// and returns the Sequence Numbers of the ASCONF-ACKs Z sends back, all
// in one packet to the source of the ASCONFs (RFC 5061 Section 5.2 E6).
func forgeASCONFs(t *testing.T, p *associationtest.Pair, c *capture, cs ...chunk.Chunk) []uint32 {
	t.Helper()
	_, zTag := p.A.Tags()
	n := len(c.pkts)
	forge(p, associationtest.AddrA, associationtest.AddrZ, headerAZ(zTag), cs...)
	p.Run(50 * time.Millisecond)
	var serials []uint32
	pkts := 0
	for _, sp := range c.pkts[n:] {
		if !sp.has(chunk.TypeASCONFAck) {
			continue
		}
		pkts++
		require.Equal(t, associationtest.AddrA, sp.to)
		it := sp.pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			if r.Type == chunk.TypeASCONFAck {
				var ack chunk.ASCONFAck
				parseChunk(t, r, &ack)
				serials = append(serials, ack.Serial)
			}
		}
	}
	require.LessOrEqual(t, pkts, 1, "one response packet (E6)")
	return serials
}

// TestASCONFRecvBundled: a packet with several ASCONFs (RFC 5061 Section
// 5.5, as a peer retransmitting bundles them) gets an ASCONF-ACK for each
// (E4), in one packet (E6), and each answer is cached: a retransmission
// of the packet, or of one of its ASCONFs, gets them again, changing
// nothing (E2), also after a new ASCONF bundled behind a retransmitted
// one (E1-ext).
func TestASCONFRecvBundled(t *testing.T) {
	p, c := asconfPair(t, 16, scenarioLink, noAUTH)
	s := firstSerial(t, p, c)
	add := func(serial uint32, addr string) *chunk.ASCONF {
		return &chunk.ASCONF{Serial: serial, Address: v4("10.0.0.1"), Params: []chunk.Param{
			&chunk.AddIPAddress{CorrelationID: serial, Address: v4(addr)}}}
	}
	a0, a1, a2 := add(s, "10.0.0.3"), add(s+1, "10.0.0.4"), add(s+2, "10.0.0.5")
	require.Equal(t, []uint32{s, s + 1}, forgeASCONFs(t, p, c, a0, a1))
	require.Len(t, p.Z.Paths(), 3)
	require.Equal(t, []uint32{s, s + 1}, forgeASCONFs(t, p, c, a0, a1), "both answers cached")
	require.Equal(t, []uint32{s + 1}, forgeASCONFs(t, p, c, a1))
	require.Equal(t, []uint32{s + 1, s + 2}, forgeASCONFs(t, p, c, a1, a2))
	require.Equal(t, []uint32{s}, forgeASCONFs(t, p, c, a0), "E1-ext kept the cache")
	require.Len(t, p.Z.Paths(), 4)
	// A new ASCONF first in its packet lets the old answers go (E1).
	require.Equal(t, []uint32{s + 3}, forgeASCONFs(t, p, c, add(s+3, "10.0.0.6")))
	require.Empty(t, forgeASCONFs(t, p, c, a2))
	require.Equal(t, []uint32{s + 3}, forgeASCONFs(t, p, c, add(s+3, "10.0.0.6")))
	require.Len(t, p.Z.Paths(), 5)
}

// TestASCONFRecvScope: an end bound to the wildcard (every address in
// scope) refuses to add a loopback or link-local address for a peer that
// reaches it from another scope, as unresolvable: a peer elsewhere cannot
// point the association at this machine or its link. A peer on loopback
// adds loopback addresses.
func TestASCONFRecvScope(t *testing.T) {
	p, c := asconfPair(t, 18, scenarioLink, func(a, z *association.Config) {
		noAUTH(a, z)
		z.LocalAddrs = nil
	})
	s := firstSerial(t, p, c)
	for _, addr := range []string{"127.0.0.1", "127.0.0.2", "169.254.0.9", "::1", "fe80::9"} {
		ack := forgeASCONF(t, p, c, associationtest.AddrA, &chunk.ASCONF{Serial: s, Address: v4("10.0.0.1"),
			Params: []chunk.Param{&chunk.AddIPAddress{CorrelationID: 1, Address: chunk.AddressParam(netip.MustParseAddr(addr))}}})
		requireAnswers(t, ack, answer{1, chunk.CauseUnresolvableAddress})
		s++
	}
	require.Len(t, p.Z.Paths(), 1)
	require.Empty(t, paddrEvents(p.DeliveredZ))
	// From loopback, loopback addresses are added: the source (the
	// wildcard), and another.
	lo := netip.MustParseAddrPort("127.0.0.1:9899")
	requireAnswers(t, forgeASCONF(t, p, c, lo, &chunk.ASCONF{Serial: s, Address: v4("10.0.0.1"),
		Params: []chunk.Param{&chunk.AddIPAddress{CorrelationID: 1, Address: v4("0.0.0.0")},
			&chunk.AddIPAddress{CorrelationID: 2, Address: v4("127.0.0.2")}}}))
	require.Equal(t, []string{"addr_added 127.0.0.1", "addr_added 127.0.0.2"}, paddrEvents(p.DeliveredZ))
}

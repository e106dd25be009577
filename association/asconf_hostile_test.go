package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// TestASCONFHostileVictim: an ASCONF that adds a victim's address and
// asks for it as primary moves no data there: the victim gets the
// path-verification HEARTBEATs alone (RFC 9260 Section 5.4, RFC 5061
// Section 5.3 F1 and F14), at most one per RTO while it is probed, and Z
// keeps sending its data to A.
func TestASCONFHostileVictim(t *testing.T) {
	p, c := asconfPair(t, 21, scenarioLink, noAUTH)
	s := firstSerial(t, p, c)
	victim := "192.0.2.7"
	ack := forgeASCONF(t, p, c, associationtest.AddrA, &chunk.ASCONF{Serial: s, Address: v4("10.0.0.1"), Params: []chunk.Param{
		&chunk.AddIPAddress{CorrelationID: 1, Address: v4(victim)},
		&chunk.SetPrimaryAddress{CorrelationID: 2, Address: v4(victim)},
	}})
	require.NotNil(t, ack)
	require.Empty(t, ack.Params)
	for i := range 100 {
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte{byte(i)}))
		p.Run(600 * time.Millisecond)
	}
	require.Len(t, messagesOf(p.DeliveredA), 100, "Z's data reaches A")
	require.Equal(t, associationtest.AddrA, p.Z.Status().Primary.Addr)
	hbs := 0
	for _, sp := range c.pkts {
		if sp.to.Addr().String() != victim {
			continue
		}
		require.Equal(t, []chunk.Type{chunk.TypeHeartbeat}, sp.types())
		hbs++
	}
	// 60 s: probes at RTO (1 s, backing off to 8 s) until the path counts
	// Path.Max.Retrans errors, then one per heartbeat interval.
	require.NotZero(t, hbs)
	require.LessOrEqual(t, hbs, 12)
	require.Equal(t, association.PathUnconfirmed, p.Z.Paths()[1].State)
}

// TestASCONFHostileUnauthenticated: on an association that negotiated
// ASCONF with AUTH, an ASCONF without a valid AUTH chunk before it, with
// the right verification tag (an off-path attacker who learned it), is
// silently discarded (RFC 5061 Section 5.2 D5): no address added, no
// primary changed, no answer.
func TestASCONFHostileUnauthenticated(t *testing.T) {
	p, c := asconfPair(t, 22, scenarioLink, nil)
	require.True(t, p.Z.ASCONF())
	s := firstSerial(t, p, c)
	n := len(c.pkts)
	ack := forgeASCONF(t, p, c, associationtest.AddrA, &chunk.ASCONF{Serial: s, Address: v4("10.0.0.1"), Params: []chunk.Param{
		&chunk.AddIPAddress{CorrelationID: 1, Address: v4("192.0.2.7")},
		&chunk.SetPrimaryAddress{CorrelationID: 2, Address: v4("192.0.2.7")},
	}})
	require.Nil(t, ack)
	p.Run(time.Minute)
	require.Len(t, p.Z.Paths(), 1)
	require.Empty(t, paddrEvents(p.DeliveredZ))
	for _, sp := range c.pkts[n:] {
		require.NotEqual(t, "192.0.2.7", sp.to.Addr().String())
		require.False(t, sp.has(chunk.TypeError))
	}
	// A's own, authenticated, still work.
	require.NoError(t, p.A.AddLocalAddr(p.Now, addrA2.Addr()))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(p.Z.Paths()) == 2 }))
}

// TestASCONFHostileNotNegotiated: an ASCONF to an end that did not
// negotiate ASCONF (here: AUTH off, and ASCONF not allowed without it, RFC
// 5061 Section 4.1) is an unrecognized chunk: reported and skipped,
// nothing added.
func TestASCONFHostileNotNegotiated(t *testing.T) {
	p, c := asconfPair(t, 22, scenarioLink, func(a, z *association.Config) {
		noAUTH(a, z)
		z.ASCONFNoAuth = false
	})
	require.False(t, p.Z.ASCONF())
	s := firstSerial(t, p, c)
	n := len(c.pkts)
	ack := forgeASCONF(t, p, c, associationtest.AddrA, &chunk.ASCONF{Serial: s, Address: v4("10.0.0.1"), Params: []chunk.Param{
		&chunk.AddIPAddress{CorrelationID: 1, Address: v4("10.0.0.3")},
		&chunk.SetPrimaryAddress{CorrelationID: 2, Address: v4("10.0.0.3")},
	}})
	require.Nil(t, ack)
	require.Len(t, p.Z.Paths(), 1)
	require.Empty(t, paddrEvents(p.DeliveredZ))
	errs := c.since(c.pkts[n].at).with(associationtest.AddrZ, chunk.TypeError)
	require.Len(t, errs, 1)
	u := soleCause[*chunk.UnrecognizedChunkTypeCause](t, errs[0], chunk.TypeError)
	require.Equal(t, byte(chunk.TypeASCONF), u.Chunk[0])
	for _, sp := range c.pkts {
		require.NotEqual(t, addrA2, sp.to)
	}
}

// TestASCONFIllegalAck: an ASCONF-ACK at or above the next Sequence
// Number while no ASCONF is outstanding aborts the association (RFC 5061
// Section 5.3 F0); one below it is ignored.
func TestASCONFIllegalAck(t *testing.T) {
	p, c := asconfPair(t, 23, scenarioLink, noAUTH)
	s := firstSerial(t, p, c) // A's first serial is its Initial TSN too
	aTag, _ := p.A.Tags()
	ack := func(serial uint32) {
		// Straight to A: the network drops ASCONF-ACKs (firstSerial).
		_ = p.A.HandleDatagram(&association.Datagram{Now: p.Now, From: associationtest.AddrZ,
			To: associationtest.AddrA.Addr(), Data: packetOf(headerZA(aTag), &chunk.ASCONFAck{Serial: serial})})
		p.Run(50 * time.Millisecond)
	}
	ack(s - 1)
	require.Equal(t, association.StateEstablished, p.A.State())
	ack(s)
	require.Equal(t, association.StateClosed, p.A.State())
	aborts := c.with(associationtest.AddrA, chunk.TypeAbort)
	require.Len(t, aborts, 1)
	soleCause[*chunk.IllegalASCONFAckCause](t, aborts[0], chunk.TypeAbort)
}

// TestASCONFT4: an ASCONF lost goes again on T-4 with the same Sequence
// Number, each expiry counting an error on the path and the association
// (RFC 5061 Section 5.1 B1 to B5) and backing the RTO off; the
// ASCONF-ACK clears the counters (A5).
func TestASCONFT4(t *testing.T) {
	p, c := asconfPair(t, 24, scenarioLink, noAUTH)
	p.Net.AddFilter(dropWith(chunk.TypeASCONF, 3))
	require.NoError(t, p.A.AddLocalAddr(p.Now, addrA2.Addr()))
	start := p.Now
	p.Run(1500 * time.Millisecond)
	require.Equal(t, 1, p.A.Paths()[0].ErrorCount)
	p.Run(2 * time.Second)
	require.Equal(t, 2, p.A.Paths()[0].ErrorCount)
	require.True(t, p.RunUntil(10*time.Second, func() bool { return p.A.ASCONFPending() == 0 }))
	require.Zero(t, p.A.Paths()[0].ErrorCount)
	sent := c.with(associationtest.AddrA, chunk.TypeASCONF)
	require.Len(t, sent, 4)
	var serials []uint32
	for _, sp := range sent {
		r, _ := sp.chunk(chunk.TypeASCONF)
		var a chunk.ASCONF
		parseChunk(t, r, &a)
		serials = append(serials, a.Serial)
	}
	require.Equal(t, serials[0], serials[1])
	require.Equal(t, serials[0], serials[3])
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, intervals(c.times(associationtest.AddrA, chunk.TypeASCONF)))
	require.Equal(t, start, sent[0].at)
}

// TestASCONFT4Exhausted: an ASCONF never answered fails the association
// after Association.Max.Retrans expiries of T-4 (RFC 5061 Section 5.1
// B2).
func TestASCONFT4Exhausted(t *testing.T) {
	p, _ := asconfPair(t, 25, scenarioLink, func(a, _ *association.Config) { a.MaxRetrans = 2 })
	p.Net.AddFilter(dropWith(chunk.TypeASCONF, 0))
	require.NoError(t, p.A.AddLocalAddr(p.Now, addrA2.Addr()))
	require.True(t, p.RunUntil(time.Minute, func() bool { return p.A.State() == association.StateClosed }))
	require.Contains(t, assocStates(p.DeliveredA), association.CommLost)
}

// TestASCONFUnrecognizedByPeer: an ERROR reporting our ASCONF chunk type
// unrecognized stops T-4 and every further ASCONF (RFC 5061 Section 5.1
// A9).
func TestASCONFUnrecognizedByPeer(t *testing.T) {
	p, c := asconfPair(t, 26, scenarioLink, noAUTH)
	p.Net.AddFilter(dropWith(chunk.TypeASCONF, 0))
	require.NoError(t, p.A.AddLocalAddr(p.Now, addrA2.Addr()))
	p.Run(10 * time.Millisecond)
	asconf := c.with(associationtest.AddrA, chunk.TypeASCONF)
	require.Len(t, asconf, 1)
	r, _ := asconf[0].chunk(chunk.TypeASCONF)
	aTag, _ := p.A.Tags()
	forge(p, associationtest.AddrZ, associationtest.AddrA, headerZA(aTag), &chunk.OperationError{Causes: []chunk.Cause{
		&chunk.UnrecognizedChunkTypeCause{Chunk: append([]byte(nil), r.Bytes...)}}})
	p.Run(time.Minute)
	require.Len(t, c.with(associationtest.AddrA, chunk.TypeASCONF), 1, "no retransmission")
	require.False(t, p.A.ASCONF())
	require.Zero(t, p.A.ASCONFPending())
	require.ErrorIs(t, p.A.AddLocalAddr(p.Now, addrA2.Addr()), association.ErrASCONFNotSupported)
	require.Equal(t, association.StateEstablished, p.A.State())
}

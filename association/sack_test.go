package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// The SACK chunks of one packet are processed as one, the last that is not
// stale (RFC 9260 Section 6.2.1 rule D i: "If Cumulative TSN Ack is less
// than the Cumulative TSN Ack Point, then drop the SACK chunk", the point
// including what the packet's earlier SACKs acknowledged).
func TestSACKsOfOnePacket(t *testing.T) {
	sackOf := func(cum chunk.TSN, blocks ...chunk.GapBlock) *chunk.SACK {
		return &chunk.SACK{CumTSNAck: cum, ARwnd: 1 << 20, GapBlocks: blocks}
	}
	t.Run("miss-indications", func(t *testing.T) {
		// RFC 9260 Section 7.2.4: "Whenever an endpoint receives a SACK
		// that indicates that some TSNs are missing, it SHOULD wait for
		// two further miss indications (via subsequent SACKs for a total
		// of three missing reports) on the same TSNs before taking action
		// with regard to Fast Retransmit." Deviation: the SACKs of one
		// packet are processed as one (the last), so three SACKs of one
		// packet, each acknowledging one more chunk above the first, are
		// one report, not three. RFC 9260 Section 6.2 has a receiver send
		// one SACK a packet; a packet of many SACKs is what a hostile peer
		// sends to make the sender walk its queue once for each.
		p, cum := hostilePair(t, 920, manyOutstanding)
		outstandingChunks(t, p, cum, 5)
		hand(p, p.A,
			sackOf(cum, chunk.GapBlock{Start: 2, End: 2}),
			sackOf(cum, chunk.GapBlock{Start: 2, End: 3}),
			sackOf(cum, chunk.GapBlock{Start: 2, End: 4}))
		p.Exchange()
		require.Zero(t, p.A.Stats().FastRetransmissions, "no Fast Retransmit")
		require.Equal(t, 2, p.A.Outstanding(), "the first and the last chunk")
	})
	t.Run("stale-after-an-earlier-one", func(t *testing.T) {
		p, cum := hostilePair(t, 921, manyOutstanding)
		outstandingChunks(t, p, cum, 5)
		hand(p, p.A,
			sackOf(cum+2), sackOf(cum+1, chunk.GapBlock{Start: 2, End: 4}))
		require.Equal(t, 3, p.A.Status().UnackData, "the second SACK is stale")
		require.Equal(t, 3, p.A.Outstanding())
	})
	t.Run("renege-within-the-packet", func(t *testing.T) {
		// Rule D iii: what the last SACK does not acknowledge is not
		// received, whatever an earlier SACK of the packet said.
		p, cum := hostilePair(t, 922, manyOutstanding)
		outstandingChunks(t, p, cum, 5)
		hand(p, p.A,
			sackOf(cum+1, chunk.GapBlock{Start: 2, End: 3}), sackOf(cum+1))
		require.Equal(t, 4, p.A.Status().UnackData)
		require.Equal(t, 4, p.A.Outstanding())
	})
}

// "Since the SHUTDOWN chunk does not contain Gap Ack Blocks, the receiver
// of the SHUTDOWN chunk MUST NOT interpret the lack of a Gap Ack Block as
// a renege." (RFC 9260 Section 3.3.8)
func TestSACKShutdownIsNoRenege(t *testing.T) {
	p, cum := hostilePair(t, 923, manyOutstanding)
	outstandingChunks(t, p, cum, 5)
	hand(p, p.A, &chunk.SACK{CumTSNAck: cum, ARwnd: 1 << 20, GapBlocks: []chunk.GapBlock{{Start: 2, End: 5}}})
	require.Equal(t, 1, p.A.Outstanding())
	hand(p, p.A, &chunk.Shutdown{CumTSNAck: cum})
	require.Equal(t, association.StateShutdownReceived, p.A.State())
	require.Equal(t, 1, p.A.Outstanding(), "the gap-acknowledged chunks stay acknowledged")
	hand(p, p.A, &chunk.Shutdown{CumTSNAck: cum})
	require.Equal(t, 1, p.A.Outstanding(), "again in SHUTDOWN-RECEIVED")
	hand(p, p.A, &chunk.Shutdown{CumTSNAck: cum + 1})
	require.Zero(t, p.A.Outstanding())
	require.Equal(t, 4, p.A.Status().UnackData, "gap-acknowledged, not yet cumulatively")
	hand(p, p.A, &chunk.Shutdown{CumTSNAck: cum + 5})
	require.Equal(t, association.StateShutdownAckSent, p.A.State())
}

// Rule D iii of RFC 9260 Section 6.2.1: "If the SACK chunk is missing a
// TSN that was previously acknowledged via a Gap Ack Block (e.g., the data
// receiver reneged on the data), then consider the corresponding DATA that
// might be possibly missing: Count one miss indication towards Fast
// Retransmit as described in Section 7.2.4, and if no retransmit timer is
// running for the destination address to which the DATA chunk was
// originally transmitted, then T3-rtx is started for that destination
// address." The chunks reneged on are sent again when T3-rtx expires.
// With nothing else in flight the timer was stopped at once (rule R2 of
// Section 6.3.2 went by the flight size, which no longer counted them),
// and they were never sent again.
func TestSACKRenegedChunksRetransmitted(t *testing.T) {
	p, cum := hostilePair(t, 924, manyOutstanding)
	c := capturePackets(p) // sees what outstandingChunks drops
	outstandingChunks(t, p, cum, 5)
	hand(p, p.A, &chunk.SACK{CumTSNAck: cum, ARwnd: 1 << 20, GapBlocks: []chunk.GapBlock{{Start: 2, End: 5}}})
	require.Equal(t, 1, p.A.Outstanding())
	hand(p, p.A, &chunk.SACK{CumTSNAck: cum + 1, ARwnd: 1 << 20}) // reneges on cum+2 to cum+5
	require.Equal(t, 4, p.A.Outstanding())
	renege := p.Now
	p.Run(5 * time.Second)
	require.Positive(t, p.A.Stats().T3Expirations)
	var resent []chunk.TSN
	for _, sp := range c.since(renege.Add(time.Nanosecond)).with(p.AddrA, chunk.TypeData) {
		resent = append(resent, tsnsOf(t, sp)...)
	}
	require.Subset(t, resent, []chunk.TSN{cum + 2, cum + 3, cum + 4, cum + 5})
	require.NotContains(t, resent, cum+1, "acknowledged")
}

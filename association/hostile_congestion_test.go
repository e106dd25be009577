package association_test

import (
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// Hostile peers against the sender's congestion control: what a receiver
// acknowledges must not open the sender's window beyond what it delivered.

// A receiver that alternately gap-acknowledges and reneges on the same
// chunks (RFC 9260 Section 6.2: reneging is allowed) delivers nothing new,
// and must not grow the sender's congestion window with the same bytes
// again and again (Section 7.2.2: cwnd grows by the bytes "of all new DATA
// chunks acknowledged"): each chunk counts once. Before, 10 datagrams
// counted the 2,600 bytes gap-acknowledged 5 times.
func TestHostileCongestionRenegeToggle(t *testing.T) {
	const outstanding = 2601
	p, cum := hostilePair(t, 914, manyOutstanding)
	last := outstandingChunks(t, p, cum, outstanding)
	aTag, _ := p.A.Tags()
	all := packetOf(headerZA(aTag), &chunk.SACK{CumTSNAck: cum, ARwnd: 1 << 20,
		GapBlocks: []chunk.GapBlock{{Start: 2, End: uint16(last.Sub(cum))}}})
	none := packetOf(headerZA(aTag), &chunk.SACK{CumTSNAck: cum, ARwnd: 1 << 20})
	before := association.CwndAckedBytes(p.A)
	for i := range 10 {
		require.NoError(t, p.A.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrZ, Data: [2][]byte{all, none}[i%2]}))
	}
	require.Equal(t, uint64(outstanding-1), association.CwndAckedBytes(p.A)-before,
		"bytes counted toward cwnd: each gap-acknowledged chunk once")
	require.Equal(t, association.StateEstablished, p.A.State())
}

package endpoint_test

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// The counters of a Mux (its UDP socket) and of an endpoint in it (its
// SCTP port): the packets and bytes handed in and out, and the packets
// dropped, by reason, with the checksum errors, the packets cut short
// and the out-of-the-blue ones apart. A packet for a port without an
// endpoint counts at the Mux only.
func TestCountersCountPacketsAndDrops(t *testing.T) {
	ms := newMuxSetup(t, 1)
	m, c := ms.m, ms.c
	mux0, ep0 := m.Counters(), c.Counters()
	require.Positive(t, mux0.PacketsIn, "the handshake")
	require.Equal(t, mux0.PacketsIn, ep0.PacketsIn, "all for the client's port")
	require.Equal(t, mux0.PacketsOut, ep0.PacketsOut)
	require.Zero(t, mux0.Dropped())

	local := netip.MustParseAddr("10.0.0.1")
	corrupt := build(7, 5000, strangerTag, dataChunk())
	corrupt[len(corrupt)-1] ^= 1
	cut := build(7, 5000, strangerTag, dataChunk())
	binary.BigEndian.PutUint16(cut[packet.HeaderLen+2:], uint16(len(cut))) // the chunk says it is longer
	packet.SetChecksum(cut)
	ootb := build(7, 5000, strangerTag, dataChunk())      // rule 8: an ABORT
	elsewhere := build(7, 6000, strangerTag, dataChunk()) // no endpoint: an ABORT
	var bytes int
	for _, b := range [][]byte{corrupt, cut, ootb, elsewhere, {1, 2, 3}} {
		bytes += len(b)
		err := m.HandleDatagram(&association.Datagram{Now: ms.w.Now, From: stranger, To: local, Data: b})
		require.Error(t, err)
	}
	replies := outputs(ms.w.Now, m)
	require.Len(t, replies, 2, "the ABORTs")

	mux, ep := m.Counters(), c.Counters()
	require.Equal(t, mux0.PacketsIn+5, mux.PacketsIn)
	require.Equal(t, mux0.BytesIn+uint64(bytes), mux.BytesIn)
	require.Equal(t, mux0.PacketsOut+2, mux.PacketsOut)
	require.Equal(t, uint64(3), mux.Drops[endpoint.DropMalformed])
	require.Equal(t, uint64(1), mux.ChecksumErrors)
	require.Equal(t, uint64(2), mux.Truncated, "a chunk cut short, a packet shorter than its header")
	require.Equal(t, uint64(2), mux.OutOfTheBlue())
	require.Equal(t, uint64(5), mux.Dropped())

	require.Equal(t, ep0.PacketsIn+3, ep.PacketsIn, "corrupt, cut and ootb were for port 5000")
	require.Equal(t, ep0.BytesIn+uint64(len(corrupt)+len(cut)+len(ootb)), ep.BytesIn)
	require.Equal(t, ep0.PacketsOut+1, ep.PacketsOut, "its ABORT")
	require.Equal(t, uint64(2), ep.Drops[endpoint.DropMalformed])
	require.Equal(t, uint64(1), ep.ChecksumErrors)
	require.Equal(t, uint64(1), ep.Truncated)
	require.Equal(t, uint64(1), ep.OutOfTheBlue())
	require.Zero(t, ep.Discarded)

	// A packet of the association that it discards (a stale SACK) counts
	// as Discarded; Add sums counters.
	a, ok := c.Assoc(ms.id)
	require.True(t, ok)
	tag, _ := a.Tags()
	stale := build(7, 5000, tag, &chunk.SACK{CumTSNAck: 0, ARwnd: 1500})
	require.Error(t, m.HandleDatagram(&association.Datagram{Now: ms.w.Now, From: addrS, To: local, Data: stale}))
	require.Equal(t, uint64(1), m.Counters().Discarded)
	require.Equal(t, uint64(1), c.Counters().Discarded)
	sum, ep := m.Counters(), c.Counters()
	sum.Add(&ep)
	require.Equal(t, m.Counters().PacketsIn+ep.PacketsIn, sum.PacketsIn)
	require.Equal(t, m.Counters().BytesOut+ep.BytesOut, sum.BytesOut)
	require.Equal(t, uint64(2), sum.ChecksumErrors)
	require.Equal(t, uint64(3+2), sum.Drops[endpoint.DropMalformed])
	require.Equal(t, uint64(2), sum.Discarded)
}

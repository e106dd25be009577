package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// tally is what a filter on the simulated network saw one side send, and
// the part of it that reached the other side.
type tally struct {
	packets, bytes       uint64
	chunks               association.ChunkCounts
	gapSACKs             uint64 // SACK chunks with Gap Ack Blocks
	rcvPackets, rcvBytes uint64
	rcvChunks            association.ChunkCounts
	rcvGapSACKs          uint64
	resent               uint64            // DATA chunks with a TSN sent before
	rcvDups              uint64            // DATA chunks with a TSN received before
	sentTSN, rcvTSN      map[chunk.TSN]int // DATA chunks by TSN
}

// add counts sp: sent by an association if sent, received by one if
// received.
func (c *tally) add(t *testing.T, sp *sentPacket, sent, received bool) {
	gap := false
	if sp.has(chunk.TypeSACK) {
		gap = len(sackOf(t, sp).GapBlocks) > 0
	}
	tsns := tsnsOf(t, sp)
	if sent {
		c.packets++
		c.bytes += uint64(len(sp.pkt.Bytes()))
		for _, ty := range sp.types() {
			c.chunks[min(int(ty), association.ChunkKinds-1)]++
		}
		if gap {
			c.gapSACKs++
		}
		for _, x := range tsns {
			if c.sentTSN[x]++; c.sentTSN[x] > 1 {
				c.resent++
			}
		}
	}
	if !received {
		return
	}
	c.rcvPackets++
	c.rcvBytes += uint64(len(sp.pkt.Bytes()))
	for _, ty := range sp.types() {
		c.rcvChunks[min(int(ty), association.ChunkKinds-1)]++
	}
	if gap {
		c.rcvGapSACKs++
	}
	for _, x := range tsns {
		if c.rcvTSN[x]++; c.rcvTSN[x] > 1 {
			c.rcvDups++
		}
	}
}

// TestStatsCountPacketsChunksAndLoss checks the packet, byte, chunk, gap
// report, retransmission and duplicate counters of both ends against what
// a filter on the network saw, through a handshake and a transfer on a
// link that drops every fourth packet carrying DATA from A and every
// fifth SACK from Z (so that A retransmits some chunks Z had, which Z
// counts as duplicates).
func TestStatsCountPacketsChunksAndLoss(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(71)
	p, err := associationtest.NewPair(71, cfgA, cfgZ, scenarioLink)
	require.NoError(t, err)
	fromA := &tally{sentTSN: map[chunk.TSN]int{}, rcvTSN: map[chunk.TSN]int{}}
	fromZ := &tally{sentTSN: map[chunk.TSN]int{}, rcvTSN: map[chunk.TSN]int{}}
	var dataN, sackN int
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		pkt, err := packet.Parse(append([]byte(nil), d.Data...), packet.Options{AcceptZeroChecksum: true})
		require.NoError(t, err)
		sp := &sentPacket{at: d.Sent, from: d.From, to: d.To, pkt: pkt}
		drop := false
		if d.From == p.AddrA && sp.has(chunk.TypeData) {
			dataN++
			drop = dataN%4 == 0
		}
		if d.From == p.AddrZ && sp.has(chunk.TypeSACK) {
			sackN++
			drop = sackN%5 == 0
		}
		// Z's acceptor answers the INIT with the INIT ACK: Z does not
		// exist yet.
		if d.From == p.AddrA {
			fromA.add(t, sp, true, !drop && !sp.has(chunk.TypeInit))
		} else {
			fromZ.add(t, sp, !sp.has(chunk.TypeInitAck), !drop)
		}
		if drop {
			return sim.Drop
		}
		return sim.Pass
	})
	require.NoError(t, p.Handshake())
	const n = 200
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, 100+i)))
	}
	require.True(t, p.RunUntil(time.Minute, func() bool {
		return len(messagesOf(p.DeliveredZ)) == n && p.A.Outstanding() == 0
	}))
	p.Run(time.Second) // the last SACKs

	a, z := p.A.Stats(), p.Z.Stats()
	for _, side := range []struct {
		name      string
		sent, got association.Stats
		out       *tally
	}{{"A to Z", a, z, fromA}, {"Z to A", z, a, fromZ}} {
		c := side.out
		require.Equal(t, c.packets, side.sent.PacketsSent, side.name)
		require.Equal(t, c.bytes, side.sent.WireBytesSent, side.name)
		require.Equal(t, c.chunks, side.sent.ChunksSent, side.name)
		require.Equal(t, c.gapSACKs, side.sent.GapReportsSent, side.name)
		require.Equal(t, c.rcvPackets, side.got.PacketsReceived, side.name)
		require.Equal(t, c.rcvBytes, side.got.WireBytesReceived, side.name)
		require.Equal(t, c.rcvChunks, side.got.ChunksReceived, side.name)
		require.Equal(t, c.rcvGapSACKs, side.got.GapReportsReceived, side.name)
		require.Equal(t, c.rcvDups, side.got.DuplicateTSNs, side.name)
		require.Equal(t, side.sent.DataChunksSent, side.sent.ChunksSent.Of(chunk.TypeData), side.name)
		require.Equal(t, side.sent.SACKsSent, side.sent.ChunksSent.Of(chunk.TypeSACK), side.name)
	}
	require.Equal(t, uint64(1), a.ChunksSent.Of(chunk.TypeInit))
	require.Equal(t, uint64(1), a.ChunksSent.Of(chunk.TypeCookieEcho))
	require.Equal(t, uint64(1), a.ChunksReceived.Of(chunk.TypeInitAck))
	require.Equal(t, uint64(1), z.ChunksReceived.Of(chunk.TypeCookieEcho), "the packet that made Z")
	require.Equal(t, uint64(1), z.ChunksSent.Of(chunk.TypeCookieAck))
	require.Zero(t, a.ChunksSent.Other())

	// Every DATA chunk sent again was a fast or a T3 retransmission, and
	// this link makes both happen; the handshake lost nothing.
	require.Equal(t, fromA.resent, a.Retransmissions)
	require.Equal(t, a.Retransmissions, a.FastRetransmissions+a.T3Retransmissions)
	require.Positive(t, a.FastRetransmissions)
	require.Positive(t, a.T3Retransmissions)
	require.Positive(t, z.GapReportsSent)
	require.Positive(t, z.DuplicateTSNs)
	require.Zero(t, a.AbandonedMessages)
	require.Zero(t, z.DroppedDataChunks)
}

// TestPathRTTIsTheLastMeasurement checks PathInfo.RTT: the round trip of
// the handshake (COOKIE ECHO to COOKIE ACK) on a link of 10 ms each way,
// the first measurement, which is also SRTT (RFC 9260 Section 6.3.1 C2).
func TestPathRTTIsTheLastMeasurement(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(72)
	p, err := associationtest.NewPair(72, cfgA, cfgZ, scenarioLink)
	require.NoError(t, err)
	require.Zero(t, p.A.Paths()[0].RTT, "nothing measured")
	require.NoError(t, p.Handshake())
	pi := p.A.Paths()[0]
	require.Equal(t, 2*scenarioLink.Delay, pi.RTT)
	require.Equal(t, pi.RTT, pi.SRTT)
	require.Equal(t, pi.RTT/2, pi.RTTVAR)
	require.Zero(t, p.Z.Paths()[0].RTT, "Z measured nothing yet")
}

// TestStatsCountAbandonedMessages checks that every message handed back
// in a SendFailed event when the association is aborted counts as
// abandoned: sent and unacknowledged ones, and unsent ones.
func TestStatsCountAbandonedMessages(t *testing.T) {
	p, _ := hostilePair(t, 73, nil)
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict { return sim.Drop })
	for i := range 5 {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, 2000)))
	}
	p.Exchange()
	require.Positive(t, p.A.Outstanding(), "some sent")
	require.Positive(t, p.A.Buffered(), "some not")
	p.A.Abort(p.Now, nil)
	p.Exchange()
	failed := 0
	for _, d := range p.DeliveredA {
		if _, ok := d.Event.(*association.SendFailed); ok {
			failed++
		}
	}
	require.Equal(t, 5, failed)
	require.Equal(t, uint64(failed), p.A.Stats().AbandonedMessages)
}

// TestStatsCountDroppedData checks DroppedDataChunks: a DATA chunk far
// beyond the receive window (dropped, not acknowledged) and one for a
// stream that does not exist (acknowledged, reported, not delivered).
func TestStatsCountDroppedData(t *testing.T) {
	p, cum := hostilePair(t, 74, nil)
	before := p.Z.Stats()
	hand(p, p.Z, &chunk.Data{TSN: cum + 1<<20, Flags: chunk.FlagBeginning | chunk.FlagEnd, UserData: []byte("far")})
	hand(p, p.Z, &chunk.Data{TSN: cum + 1, StreamID: 9999, Flags: chunk.FlagBeginning | chunk.FlagEnd, UserData: []byte("nowhere")})
	st := p.Z.Stats()
	require.Equal(t, before.DroppedDataChunks+2, st.DroppedDataChunks)
	require.Equal(t, before.DataChunksReceived+2, st.DataChunksReceived)
	require.Equal(t, before.PacketsReceived+2, st.PacketsReceived)
	require.Equal(t, before.ChunksReceived.Of(chunk.TypeData)+2, st.ChunksReceived.Of(chunk.TypeData))
}

// BenchmarkCountChunks is the counting AppendPacket and HandlePacket add
// per packet, for a full-size packet of one DATA chunk and for one of a
// SACK and 20 small DATA chunks: ns/op is per packet.
func BenchmarkCountChunks(b *testing.B) {
	for _, tc := range []struct {
		name string
		cs   []chunk.Chunk
	}{
		{"one-DATA", []chunk.Chunk{&chunk.Data{TSN: 1, UserData: make([]byte, 1400)}}},
		{"SACK+20-DATA", append([]chunk.Chunk{&chunk.SACK{CumTSNAck: 1, ARwnd: 1500}}, func() []chunk.Chunk {
			var cs []chunk.Chunk
			for i := range 20 {
				cs = append(cs, &chunk.Data{TSN: chunk.TSN(i), UserData: make([]byte, 40)})
			}
			return cs
		}()...)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var pb packet.Builder
			pb.Reset(nil, headerAZ(1), 1<<16)
			for _, c := range tc.cs {
				require.True(b, pb.Add(c))
			}
			pkt := pb.Finish()
			var c association.ChunkCounts
			for b.Loop() {
				association.CountChunks(&c, pkt)
			}
			require.Equal(b, uint64(b.N)*uint64(len(tc.cs)), c.Total())
		})
	}
}

package association

import (
	"time"

	"encoding/binary"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// ChunkKinds is the number of entries of a ChunkCounts: one per chunk type
// of RFC 9260 and RFC 4895 (0 to 15), and one for every other type.
const ChunkKinds = 17

// ChunkCounts counts chunks by type (see Of): entry t for the types t of
// 0 to 15 (DATA to AUTH), entry 16 for the others (I-DATA, FORWARD TSN,
// ASCONF, RE-CONFIG, PAD and unknown types).
type ChunkCounts [ChunkKinds]uint64

// chunkKind returns the entry of ChunkCounts that counts type t.
func chunkKind(t chunk.Type) int { return min(int(t), ChunkKinds-1) }

// Of returns the count of the chunks of type t; for a type above 15, the
// count of all of them (Other).
func (c ChunkCounts) Of(t chunk.Type) uint64 { return c[chunkKind(t)] }

// Other returns the count of the chunks of the types above 15.
func (c ChunkCounts) Other() uint64 { return c[ChunkKinds-1] }

// Total returns the count of chunks of every type.
func (c ChunkCounts) Total() uint64 {
	var n uint64
	for _, v := range c {
		n += v
	}
	return n
}

// count counts the chunks of the SCTP packet pkt by type, walking their
// headers (type, flags, length: RFC 9260 Section 3.2); it stops at the
// first envelope that does not fit.
func (c *ChunkCounts) count(pkt []byte) {
	for off := packet.HeaderLen; off+4 <= len(pkt); {
		n := int(binary.BigEndian.Uint16(pkt[off+2:]))
		if n < 4 {
			return
		}
		c[chunkKind(chunk.Type(pkt[off]))]++
		off += (n + 3) &^ 3
	}
}

// DetailStats are the counters of an association that Stats adds to
// BasicStats: the bytes and the chunks of the packets by type, the
// retransmissions after T3-rtx expiries, the gap reports, and the
// messages and DATA chunks given up. The Association keeps them beside
// it, allocated with its first packet: an Association stays small (see
// TestAssociationSize).
type DetailStats struct {
	// WireBytesSent and WireBytesReceived count the bytes of the packets
	// sent and received (SCTP common header and chunks, not the UDP and
	// IP headers); ChunksSent and ChunksReceived count their chunks by
	// type (BasicStats.DataChunksSent is ChunksSent.Of(chunk.TypeData)).
	WireBytesSent, WireBytesReceived uint64
	ChunksSent, ChunksReceived       ChunkCounts
	// T3Retransmissions counts the DATA chunks sent again after a T3-rtx
	// expiry marked them (RFC 9260 Section 6.3.3 E3), as opposed to
	// BasicStats.FastRetransmissions.
	T3Retransmissions uint64
	// GapReportsSent and GapReportsReceived count the SACK chunks sent
	// and processed that carried Gap Ack Blocks (RFC 9260 Section 3.3.4):
	// DATA received out of order, or lost on its way.
	GapReportsSent, GapReportsReceived uint64
	// AbandonedMessages counts the user messages the association gave
	// up on and handed back in SendFailed events (sent but never
	// acknowledged, or never sent) when it failed, was aborted or lacked
	// their stream, or their partial reliability policy or lifetime
	// abandoned them (by policy: PRStatus).
	AbandonedMessages uint64
	// DroppedDataChunks counts the DATA chunks received and dropped
	// without being acknowledged: beyond the receive window, without
	// room in the receive buffer or with too many gaps (RFC 9260 Section
	// 6.2; the peer sends them again); and those for a stream that does
	// not exist (acknowledged and reported with an ERROR, Section 6.5).
	DroppedDataChunks uint64
}

// Stats returns the counters.
func (a *Association) Stats() Stats {
	st := Stats{BasicStats: a.stats}
	if a.detail != nil {
		st.DetailStats = *a.detail
	}
	return st
}

// details returns the DetailStats, allocating them on first use.
func (a *Association) details() *DetailStats {
	if a.detail == nil {
		a.detail = new(DetailStats)
	}
	return a.detail
}

// countIn counts the packet pkt received: its bytes and its chunks.
func (a *Association) countIn(pkt []byte) {
	a.stats.PacketsReceived++
	d := a.details()
	d.WireBytesReceived += uint64(len(pkt))
	d.ChunksReceived.count(pkt)
}

// AppendPacket appends the next packet to send to buf and returns it with
// its destination, or false when there is nothing to send now. Call it in
// a loop after every input until it returns false. The returned Data
// aliases buf (or a grown copy); the association keeps no reference to it.
// Each packet is counted in Stats (PacketsSent, WireBytesSent and
// ChunksSent).
func (a *Association) AppendPacket(now timer.Time, buf []byte) (Outgoing, bool) {
	out, ok := a.appendPacket(now, buf)
	if ok {
		a.stats.PacketsSent++
		d := a.details()
		d.WireBytesSent += uint64(len(out.Data))
		d.ChunksSent.count(out.Data)
	}
	return out, ok
}

// measure feeds the round-trip time measurement r to the RTO estimator of
// p (RFC 9260 Section 6.3.1) and keeps it as the path's last (PathInfo.RTT).
func (p *path) measure(r time.Duration) {
	p.rtt = max(r, 0)
	p.rto.Measure(r)
}

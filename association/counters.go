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
	// Auth counts the received chunks AUTH discarded (RFC 4895).
	Auth AuthStats
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
	// SendFailedDataDropped counts the SendFailed events reported
	// without their data, and SendFailedDropped those not reported,
	// because the events waiting in Poll held the receive buffer (see
	// SendFailed).
	SendFailedDataDropped, SendFailedDropped uint64
	// DroppedDataChunks counts the DATA chunks received and dropped
	// without being acknowledged: beyond the receive window, without
	// room in the receive buffer or with too many gaps (RFC 9260 Section
	// 6.2; the peer sends them again); and those for a stream that does
	// not exist (acknowledged and reported with an ERROR, Section 6.5).
	DroppedDataChunks uint64
	// ZeroChecksumsSent counts the packets sent with a zero checksum
	// (RFC 9653 Section 5.2), ZeroChecksumsReceived those received with
	// one and accepted because the association announced Config.
	// ZeroChecksum (Section 5.3), and ZeroChecksumsDropped those
	// received with a zero checksum field that is not their CRC32c
	// while it did not: discarded (Section 5.3: "the endpoint MUST drop
	// all SCTP packets with an incorrect CRC32c checksum").
	ZeroChecksumsSent, ZeroChecksumsReceived, ZeroChecksumsDropped uint64
	// PMTUProbesSent counts the PLPMTUD probes sent (HEARTBEAT and PAD,
	// RFC 8899 Section 6.2.1.2) and PMTUProbesAcked those acknowledged.
	PMTUProbesSent, PMTUProbesAcked uint64
	// CEMarksReceived counts the packets with DATA that arrived marked
	// Congestion Experienced while ECN was on, and ECNReductions the
	// congestion window reductions ECNE chunks caused (once per window
	// of data; RFC 4960 Appendix A).
	CEMarksReceived, ECNReductions uint64
	// PTBsReceived counts the Packet Too Big messages that passed
	// validation (HandlePTB), used or not.
	PTBsReceived uint64
	// PeerChargesChunks: the peer's window showed that it charges its
	// receive buffer per DATA chunk (usrsctp, FreeBSD), and new data is
	// charged PeerChunkOverhead per chunk in flight against it.
	PeerChargesChunks bool
}

// Stats returns the counters.
func (a *Association) Stats() Stats {
	st := Stats{BasicStats: a.stats}
	if a.detail != nil {
		st.DetailStats = a.detail.DetailStats
	}
	return st
}

// details returns the DetailStats, allocating them on first use.
func (a *Association) details() *DetailStats {
	if a.detail == nil {
		a.detail = new(detailState)
	}
	return &a.detail.DetailStats
}

// detailState is what the association allocates with its first packet:
// the DetailStats, and the SendFailed events waiting in Poll and the
// bytes of their data (see SendFailed).
type detailState struct {
	DetailStats
	failedEvents, failedBytes int
	// auth is the AUTH state (RFC 4895, auth.go), nil when we do not
	// offer AUTH: here, since every association that sends or receives
	// has a detailState (TestAssociationSize).
	auth *authState
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
		if a.sendsZeroChecksum() && binary.BigEndian.Uint32(out.Data[8:]) == 0 {
			d.ZeroChecksumsSent++
		}
	}
	return out, ok
}

// measure feeds the round-trip time measurement r to the RTO estimator of
// p (RFC 9260 Section 6.3.1) and keeps it as the path's last (PathInfo.RTT).
func (p *path) measure(r time.Duration) {
	p.rtt = max(r, 0)
	p.rto.Measure(r)
}

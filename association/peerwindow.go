package association

import "github.com/gensctp/gensctp/chunk"

// PeerChunkOverhead is what the sender charges the peer's receive window
// for each DATA chunk outstanding, on top of its user data, when it
// decides whether new data fits (RFC 9260 Section 6.1 rule A), once the
// peer has shown that it charges its buffer that much per chunk
// (notePeerWindow). usrsctp and FreeBSD receivers charge their receive
// buffer a buffer descriptor (256 bytes) for each chunk they hold and
// advertise what is left, so that a window filled with small chunks holds
// far less user data than it says (a usrsctp receiver with 128 KiB holds
// some 370 chunks of 100 bytes, not 1300), and they drop what does not
// fit; their senders charge 256 bytes per chunk in flight to make up for
// it (sctp_peer_chunk_oh). A sender that subtracts only the data size
// (RFC 9260 Section 6.2.1 rule B) overruns them with small messages: the
// receiver drops the chunks beyond its buffer, advertises a window of 0
// while it holds the chunks above the hole, and the sender, whose
// dropped chunks count in flight, waits for T3-rtx (a second) to send the
// hole again: gensctp sending 100-byte messages to usrsctp's tsctp
// stalled that way twice in three seconds. Charging more than the data
// is always permitted (RFC 9260 Section 7: "an implementation is always
// allowed to adopt a more conservative ... algorithm"), but against a
// receiver that advertises what it can take in user data (gensctp, see
// advertised; Linux) it would leave most of a window of tiny chunks
// unused, so it is charged only to a peer that showed it needs it.
const PeerChunkOverhead = ChunkOverhead

// peerChargeEvidence is the number of SACKs in a row that must show a
// window shrinking by more than the data they acknowledge (notePeerWindow)
// before the association charges PeerChunkOverhead.
const peerChargeEvidence = 4

// peerRoom returns the peer's receive window left for new data: rwnd
// (RFC 9260 Section 6.2.1), less PeerChunkOverhead for each DATA chunk
// outstanding and not acknowledged in a Gap Ack Block when the peer
// charges its buffer per chunk.
func (a *Association) peerRoom() int {
	if !a.peerCharges {
		return a.peerRwnd
	}
	return a.peerRwnd - PeerChunkOverhead*(a.out.len()-a.out.gapAcked)
}

// chunkCharge returns what a new DATA chunk of n bytes takes of peerRoom.
func (a *Association) chunkCharge(n int) int {
	if a.peerCharges {
		return n + PeerChunkOverhead
	}
	return n
}

// notePeerWindow looks at a SACK that newly acknowledged ackedChunks DATA
// chunks of ackedBytes user data, and whose a_rwnd follows prev, for a
// receiver that charges its buffer per chunk: one whose user does not
// read between two SACKs advertises a window smaller by what it received,
// the data acknowledged if it counts user data (RFC 9260 Section 6.2),
// that and 256 bytes per chunk if it is a usrsctp or FreeBSD receiver.
// A window that shrinks by more than the data and half that overhead, on
// peerChargeEvidence SACKs in a row that acknowledge at least four chunks
// each, makes the association charge PeerChunkOverhead for the rest of
// its life (Stats.PeerChargesChunks). A user that reads, or a receiver
// that scales its window to the size of the chunks arriving as gensctp
// does, never shows it; a change in the size of the messages sent to a
// gensctp receiver may, once in a while, at the cost of part of its
// window.
func (a *Association) notePeerWindow(prev uint32, s *chunk.SACK, ackedBytes, ackedChunks int) {
	if a.peerCharges || ackedChunks < 4 {
		return
	}
	if int64(prev)-int64(s.ARwnd) > int64(ackedBytes+ackedChunks*PeerChunkOverhead/2) {
		a.peerChargeSeen++
	} else {
		a.peerChargeSeen = 0
	}
	if a.peerChargeSeen >= peerChargeEvidence {
		a.peerCharges = true
		a.details().PeerChargesChunks = true
	}
}

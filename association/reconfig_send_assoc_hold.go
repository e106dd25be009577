package association

import (
	"slices"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// The peer's data while our SSN/TSN Reset Request is in flight.
//
// The peer performs our request (RFC 6525 Section 5.2.4) and sends its
// answer, and from then on its DATA is of the new sequence: the TSNs go
// on from the Sender's Next TSN, "the highest TSN sent by the receiver of
// the request plus 1" (G2), and the SSNs (MIDs with I-DATA) start at 0
// on every stream (G5). Until the answer arrives (it may be lost, and
// come again only to our retransmission) a DATA chunk of the peer may be
// of either sequence: its TSN follows the TSNs before either way, and
// its SSN is valid in both. Taken in the old sequence, the first message
// of the new one on a stream that delivered messages before is an SSN
// delivered already, a protocol violation; on a stream that delivered
// none, it is delivered, and the reset then makes the stream expect SSN
// 0 again.
//
// So, from when our request goes until its answer, the peer's DATA and
// I-DATA chunks are held, and the stream entries of its FORWARD TSN and
// I-FORWARD-TSN chunks with them: received (acknowledged, the Cumulative
// TSN Ack Point moved) and charged to the receive buffer, as the chunks
// held for the peer's deferred reset are (reconfig_peer_defer.go). The
// answer tells where the new sequence begins: what was held is
// processed in the order it came, first what is below the Sender's Next
// TSN, in the old sequence, then, after the reset, the rest. An answer
// that resets nothing, a failure, and an answer "In progress" process
// it all in the sequence in place; a restart of the peer drops it. While
// something is held, the peer's own SSN/TSN Reset Request does not take
// the place of ours (yieldAssocReset), its Outgoing SSN Reset Request
// waits for what is held up to its Sender's Last Assigned TSN, and our
// SHUTDOWN (ACK) for the answer (afterAck): the peer sends SHUTDOWN
// with all its data acknowledged, of whichever sequence.

// aheadHold returns the RE-CONFIG state if the peer's data is held for
// our SSN/TSN Reset Request, nil if not. An answer "In progress" says
// that the peer has not performed it (RFC 6525 Section 5.2.7 H2): what
// came until then is of the sequence in place, released at once, and
// what comes until our request goes again is too; holding it would
// close the window on a message the peer must finish first (its data
// outstanding is why it waits).
func (a *Association) aheadHold() *reconfState {
	if !a.tsnResetSent() {
		return nil
	}
	rs := a.reconfIf()
	if rs.send.inProgress {
		return nil
	}
	return rs
}

// aheadAtOrBelow reports whether a chunk held for our SSN/TSN Reset
// Request has a TSN (a New Cumulative TSN) at or below last: a reset of
// the peer's outgoing streams up to last waits for it (resetIncoming,
// flushReconfig), as for a TSN not yet received.
func (a *Association) aheadAtOrBelow(last chunk.TSN) bool {
	rs := a.reconfIf()
	if rs == nil {
		return false
	}
	for i := range rs.ahead {
		if !rs.ahead[i].tsn.GT(last) {
			return true
		}
	}
	return false
}

// holdAhead holds the DATA chunk d (or the I-DATA chunk id, with d nil)
// at tsn, which acceptData took, while our SSN/TSN Reset Request is in
// flight, and reports whether it did.
func (a *Association) holdAhead(now timer.Time, tsn chunk.TSN, d *chunk.Data, id *chunk.IData) bool {
	rs := a.aheadHold()
	if rs == nil {
		return false
	}
	h := a.heldChunk(tsn, d, id)
	h.atCum = tsn == a.rcv.cum+1
	rs.ahead = append(rs.ahead, h)
	rs.aheadBytes += h.size()
	a.rcv.add(tsn)
	a.touch(now)
	return true
}

// forwardEntryCost is what a held stream entry of a FORWARD TSN or
// I-FORWARD-TSN chunk is charged of the receive buffer.
const forwardEntryCost = 8

// holdAheadForward holds the stream entries of a FORWARD TSN (f) or
// I-FORWARD-TSN (fi, with f nil) chunk while our SSN/TSN Reset Request
// is in flight, and moves the Cumulative TSN Ack Point (forwardCum): the
// TSNs skipped are the same in either sequence. It reports whether it
// took the chunk (err nil) or refused it. A chunk whose entries the
// receive buffer has no room for is dropped whole: the peer sends it
// again.
func (a *Association) holdAheadForward(now timer.Time, t chunk.Type, f *chunk.ForwardTSN, fi *chunk.IForwardTSN) (bool, error) {
	rs := a.aheadHold()
	if rs == nil || !a.takesData() {
		return false, nil
	}
	h := resetHeld{fwd: true, ip: a.rxIP, from: a.rxFrom}
	if f != nil {
		h.tsn, h.fs = f.NewCumTSN, slices.Clone(f.Streams)
	} else {
		h.tsn, h.ifs, h.isI = fi.NewCumTSN, slices.Clone(fi.Streams), true
	}
	if a.cost()+h.size()+ChunkOverhead > a.rcvBuf() {
		a.sackNow = true
		return true, discard(t.String()+" held for the SSN/TSN reset: receive buffer full", t, nil)
	}
	if ok, err := a.forwardCum(now, t, h.tsn); !ok {
		return true, err
	}
	h.settled = a.rcv.cum
	rs.ahead = append(rs.ahead, h)
	rs.aheadBytes += h.size()
	return true, nil
}

// aheadCost returns what the chunks held for our SSN/TSN Reset Request
// take of the receive buffer.
func (rs *reconfState) aheadCost() int {
	return rs.aheadBytes + ChunkOverhead*len(rs.ahead)
}

// releaseAhead processes what was held for our SSN/TSN Reset Request
// (see above) in the sequence in place: all of it, or, if split, what is
// below next, the peer's Sender's Next TSN, and leaves the rest held for
// a second call. A DATA chunk of the old sequence lies below next; a
// FORWARD TSN of the new sequence skips a TSN of it, at or above next.
func (a *Association) releaseAhead(now timer.Time, split bool, next chunk.TSN) {
	rs := a.reconfIf()
	if rs == nil || len(rs.ahead) == 0 {
		return
	}
	held := rs.ahead
	rs.ahead, rs.aheadBytes = nil, 0
	for i := range held {
		h := &held[i]
		if split && !h.tsn.LT(next) {
			rs.ahead = append(rs.ahead, *h)
			rs.aheadBytes += h.size()
			continue
		}
		if a.state == StateClosed {
			continue
		}
		a.processHeld(now, rs, h)
	}
	a.deliver()
	a.relieve() // with I-DATA, the buffer may be full of incomplete messages
}

// processHeld processes the chunk h held for our SSN/TSN Reset Request as
// handleData, handleIData, handleForwardTSN or handleIForwardTSN would
// have on its arrival, its TSN received already.
func (a *Association) processHeld(now timer.Time, rs *reconfState, h *resetHeld) {
	if h.fwd {
		r := a.reasm
		if r == nil && (len(h.fs) > 0 || len(h.ifs) > 0) {
			r = a.reassembly()
		}
		if h.isI {
			a.partialAborts(r.ForwardI(h.ifs, a.forgetHeldIP))
		} else {
			a.partialAborts(r.Forward(h.tsn, h.settled, h.fs, a.forgetHeldIP))
		}
		a.deliver()
		return
	}
	if a.defers(h.tsn, h.streamID()) {
		// The peer's Outgoing SSN Reset Request, deferred, holds it
		// further.
		rs.held = append(rs.held, *h)
		rs.heldBytes += h.size()
		return
	}
	if !h.isI && h.atCum && a.skippedRestAt(h.tsn, &h.d, false) {
		return
	}
	if err := a.addHeld(h); err != nil {
		// Received already: dropped (its end's packet forgotten), or
		// the association aborted.
		delete(a.heldIP, h.tsn)
		a.refused(now, h.streamID(), err)
		return
	}
	a.deliver()
}

// shutdownWaits reports whether the next step of a graceful shutdown
// (afterAck) waits for the answer to our SSN/TSN Reset Request, which
// tells the sequence of the peer's data held for it: our SHUTDOWN, while
// the request is in flight and not answered "In progress" (once it goes,
// the peer's data, which may be of either sequence, would be held until
// the SHUTDOWN ACK ends the association); our SHUTDOWN ACK, while data
// is held (the peer sends none after its SHUTDOWN). The wait ends with
// the answer, with an expiry of the Re-configuration Timer in
// SHUTDOWN-RECEIVED (a peer in SHUTDOWN-SENT may discard RE-CONFIG, as
// Linux does: what is held is then processed in the sequence in place,
// onT4Expired), or with the association, when the timer's errors end it.
func (a *Association) shutdownWaits() bool {
	rs := a.aheadHold()
	switch {
	case rs == nil:
		return false
	case a.state == StateShutdownPending:
		return true
	}
	return a.state == StateShutdownReceived && len(rs.ahead) > 0
}

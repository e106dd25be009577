package association

import (
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// maxForwardAhead is how far above the Cumulative TSN Ack Point beyond
// the receive buffer a FORWARD TSN may move it: a sender that respects the
// advertised window has no more TSNs outstanding than the window's bytes
// (a DATA chunk carries at least one), and the receive buffer bounds every
// window advertised; maxTSNAhead more leaves room for the window probes
// and overruns the receiver copes with (see roomFor).
const maxForwardAhead = maxTSNAhead

// handleForwardTSN processes a FORWARD TSN chunk (RFC 3758 Section 3.6)
// on an association that negotiated PR-SCTP: the Cumulative TSN Ack Point
// moves to the New Cumulative TSN and beyond over what was received
// after it, reassembly drops the incomplete messages the sender abandoned
// and delivers what the skipped stream sequence numbers held back, and a
// SACK follows as for a DATA chunk (the caller runs afterData).
func (a *Association) handleForwardTSN(now timer.Time, c *chunk.ForwardTSN) error {
	if held, err := a.holdAheadForward(now, chunk.TypeForwardTSN, c, nil); held {
		return err
	}
	if ok, err := a.forwardCum(now, chunk.TypeForwardTSN, c.NewCumTSN); !ok {
		return err
	}
	r := a.reasm
	if r == nil && len(c.Streams) > 0 {
		// The skipped SSNs count even before the first DATA chunk: the
		// next message of the stream takes the SSN after them.
		r = a.reassembly()
	}
	a.partialAborts(r.Forward(c.NewCumTSN, a.rcv.cum, c.Streams, a.forgetHeldIP))
	a.deliver()
	return nil
}

// forwardCum applies the New Cumulative TSN newCum of a FORWARD TSN or
// I-FORWARD-TSN chunk of type t (RFC 3758 Section 3.6, RFC 8260 Section
// 2.3.1: "Same as the New Cumulative TSN for FORWARD TSN chunks"): the
// Cumulative TSN Ack Point moves to it and over what was received after
// it. It reports whether the chunk's stream entries are to be applied,
// and why not if not.
func (a *Association) forwardCum(now timer.Time, t chunk.Type, newCum chunk.TSN) (bool, error) {
	if !a.takesData() {
		// As DATA: once the peer sent SHUTDOWN it sends nothing new.
		return false, discard(t.String()+" in state "+a.state.String(), t, nil)
	}
	if !newCum.GT(a.rcv.cum) {
		// "if the "New Cumulative TSN" value carried in the arrived
		// FORWARD TSN chunk is found to be behind or at the current
		// cumulative TSN point, the data receiver MUST treat this FORWARD
		// TSN as out-of-date and MUST NOT update its Cumulative TSN. The
		// receiver SHOULD send a SACK to its peer ... since such a
		// duplicate may indicate the previous SACK was lost".
		a.pr().stats.ForwardTSNsReceived++
		a.sackDue, a.sackNow = true, true
		return false, nil
	}
	if newCum.Sub(a.rcv.cum) > uint32(a.cfg.ReceiveBuffer)+maxForwardAhead {
		// Further than any sender that respects our window can have
		// sent: TSNs never sent cannot have been abandoned (RFC 3758
		// Section 3.5 A2: abandoned chunks are ones "that ha[ve] already
		// been assigned a TSN"), a protocol violation (RFC 9260 Section
		// 3.3.10.13).
		a.abort(now, &chunk.ProtocolViolationCause{Info: []byte("FORWARD TSN beyond the receive window")}, CommLost)
		return false, discard("FORWARD TSN beyond the receive window", t, nil)
	}
	a.pr().stats.ForwardTSNsReceived++
	a.packetHasData = true
	// The FORWARD TSN fills the holes below the New Cumulative TSN: like
	// the DATA chunk that fills a hole, it gets its SACK at once (RFC
	// 9260 Section 7.2.4), so that the sender stops sending it.
	a.packetSawGap = true
	a.rcv.skip(newCum)
	return true, nil
}

// forgetHeldIP forgets what the message end at last, dropped from
// reassembly unfinished, kept of its packet (see holdEndIP).
func (a *Association) forgetHeldIP(_, last chunk.TSN) {
	delete(a.heldIP, last)
}

// skippedRest takes the DATA chunk d at tsn, the next TSN expected, when
// it continues a message whose earlier chunks a FORWARD TSN skipped (it
// lacks the B bit, and reassembly holds no message it continues): that
// message will never be complete. The chunk is acknowledged and dropped,
// and for an ordered message its SSN counts as skipped, so that the
// stream goes on (RFC 3758 Section 3.6: the receiver "MUST remove any
// partially reassembled message, which is still missing one or more TSNs
// earlier than or equal to the new cumulative TSN point"). It reports
// whether it took the chunk.
func (a *Association) skippedRest(tsn chunk.TSN, d *chunk.Data) bool {
	return tsn == a.rcv.cum+1 && a.skippedRestAt(tsn, d, true)
}

// skippedRestAt is skippedRest for the chunk d at tsn known to have come
// at the Cumulative TSN Ack Point + 1; it receives the chunk if add, or
// the chunk is received already.
func (a *Association) skippedRestAt(tsn chunk.TSN, d *chunk.Data, add bool) bool {
	if !a.prsctp() {
		return false
	}
	if d.Flags.Has(chunk.FlagBeginning) {
		a.skippedBefore(d)
		return false
	}
	if a.reasm.EndsAt(tsn - 1) {
		return false
	}
	if add {
		a.rcv.add(tsn)
	}
	if !d.Flags.Has(chunk.FlagUnordered) {
		for _, pa := range a.reassembly().Skip(d.StreamID, d.SSN) {
			if pa.Delivered > 0 {
				a.pushEvent(&PDAPIEvent{Indication: PartialDeliveryAborted, Stream: pa.Stream})
			}
		}
		a.deliver()
	}
	return true
}

// skippedBefore settles the SSNs of d's stream before d's, when d, the
// first chunk of an ordered message, comes at the next TSN expected with
// an SSN beyond the stream's next one: the messages with the SSNs between
// took earlier TSNs (RFC 9260 Section 6.5), all of which are received or
// skipped, so they will not come (a FORWARD TSN that left the stream out
// skipped them).
func (a *Association) skippedBefore(d *chunk.Data) {
	if d.Flags.Has(chunk.FlagUnordered) {
		return
	}
	for _, pa := range a.reassembly().Skip(d.StreamID, d.SSN-1) {
		if pa.Delivered > 0 {
			a.pushEvent(&PDAPIEvent{Indication: PartialDeliveryAborted, Stream: pa.Stream})
		}
	}
}

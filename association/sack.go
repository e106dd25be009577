package association

import (
	"math"
	"slices"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// maxFreeMsgs bounds the recycled message descriptors.
const maxFreeMsgs = 1024

// handleSACK takes a received SACK (RFC 9260 Section 6.2.1). It makes
// at once the checks that cost no walk over the retransmission queue; the
// SACK is processed after the other chunks of its packet, or before a
// chunk that needs it processed (flushAcks), and only if no later SACK of
// the packet supersedes it. A packet of many SACKs therefore costs the
// work of one: the Cumulative TSN Ack only increases (rule D i), the
// last SACK's a_rwnd is the one that counts (rule D ii), and its Gap Ack
// Blocks say which TSNs are received now, those that earlier SACKs of the
// packet acknowledged and it does not being reneged on (rule D iii).
// Processing the earlier ones as well would only count more miss
// indications for one packet than its peer could have meant, and let a
// peer make the sender walk its queue once per SACK chunk.
func (a *Association) handleSACK(now timer.Time, s *chunk.SACK) error {
	switch a.state {
	case StateEstablished, StateShutdownPending, StateShutdownReceived, StateShutdownSent:
	default:
		return discard("SACK in state "+a.state.String(), chunk.TypeSACK, nil)
	}
	a.stats.SACKsReceived++
	cum := s.CumTSNAck
	// Rule D i: "If Cumulative TSN Ack is less than the Cumulative TSN Ack
	// Point, then drop the SACK chunk." Dropped, it changes nothing, not
	// even the time of the last SACK that zero-window probing goes by. The
	// point includes what the packet's earlier SACKs acknowledged.
	if cum.LT(a.ackPoint()) {
		return discard("stale SACK", chunk.TypeSACK, nil)
	}
	// RFC 9260 Section 12.4: "An SCTP implementation MUST abort the
	// association if it receives a SACK chunk acknowledging a TSN that has
	// not been sent." (RFC 5062 Section 5.3: it makes TSN guessing hard.)
	// The distances from the point are taken forward: a Cumulative TSN Ack
	// half the TSN space away is not less than the point, and acknowledges
	// what was never sent.
	if _, reported := validGapBlocks(s); a.notSent(cum) || a.notSent(reported) {
		if a.oldSequenceAck(s.CumTSNAck) {
			return discard("SACK in another TSN sequence, across an SSN/TSN reset", chunk.TypeSACK, nil)
		}
		return a.abortAckNotSent(now, chunk.TypeSACK)
	}
	if len(s.GapBlocks) > 0 {
		a.details().GapReportsReceived++
	}
	scr := a.scr()
	scr.sackScratch, scr.sackPending = scr.sackPending, scr.sackScratch
	a.hasSACKPending = true
	return nil
}

// notSent reports whether tsn is beyond the last TSN sent, the distance
// taken forward from the Cumulative TSN Ack Point (serial arithmetic: a
// TSN half the space away is ahead, not behind).
func (a *Association) notSent(tsn chunk.TSN) bool {
	return tsn.Sub(a.cumAckPoint) > a.out.last().Sub(a.cumAckPoint)
}

// abortAckNotSent aborts the association on a chunk of type t that
// acknowledges a TSN never sent (RFC 9260 Section 12.4: "An SCTP
// implementation MUST abort the association if it receives a SACK chunk
// acknowledging a TSN that has not been sent"; RFC 5062 Section 5.3).
func (a *Association) abortAckNotSent(now timer.Time, t chunk.Type) error {
	a.abort(now, &chunk.ProtocolViolationCause{Info: []byte(t.String() + " acknowledges a TSN not sent")}, CommLost)
	return discard(t.String()+" acknowledges unsent TSNs", t, nil)
}

// ackPoint returns the Cumulative TSN Ack Point with what the SACK and
// SHUTDOWN chunks of the packet being processed acknowledge.
func (a *Association) ackPoint() chunk.TSN {
	p := a.cumAckPoint
	if a.hasSACKPending && a.scratchBuf.sackPending.CumTSNAck.GT(p) {
		p = a.scratchBuf.sackPending.CumTSNAck
	}
	if a.hasShutdownCum && a.shutdownCum.GT(p) {
		p = a.shutdownCum
	}
	return p
}

// validGapBlocks returns the number of well-formed leading Gap Ack Blocks
// of s (in increasing order, without overlap: the rest are ignored) and
// the highest TSN they report received, the Cumulative TSN Ack if none.
func validGapBlocks(s *chunk.SACK) (n int, reported chunk.TSN) {
	prevEnd := uint32(0)
	for _, g := range s.GapBlocks {
		if uint32(g.Start) <= prevEnd || g.End < g.Start {
			break
		}
		n++
		prevEnd = uint32(g.End)
	}
	return n, s.CumTSNAck + chunk.TSN(prevEnd)
}

// flushAcks processes what the packet's SACK and SHUTDOWN chunks taken so
// far acknowledge: the last SACK, then the highest Cumulative TSN Ack of
// the SHUTDOWN chunks received in SHUTDOWN-RECEIVED.
func (a *Association) flushAcks(now timer.Time) {
	sack, shut := a.hasSACKPending, a.hasShutdownCum
	a.hasSACKPending, a.hasShutdownCum = false, false
	switch a.state {
	case StateEstablished, StateShutdownPending, StateShutdownReceived, StateShutdownSent:
	default:
		return
	}
	if sack {
		a.processSACK(now, &a.scr().sackPending, true)
	}
	if shut && a.shutdownCum.GE(a.cumAckPoint) {
		a.processShutdownAck(now, a.shutdownCum)
	}
}

// processShutdownAck processes the Cumulative TSN Ack of a SHUTDOWN like
// a SACK without Gap Ack Blocks and without a window update; "the
// receiver of the SHUTDOWN chunk MUST NOT interpret the lack of a Gap Ack
// Block as a renege" (RFC 9260 Section 3.3.8).
func (a *Association) processShutdownAck(now timer.Time, cum chunk.TSN) {
	s := &a.scr().sackScratch
	s.CumTSNAck, s.ARwnd = cum, a.peerARwnd
	s.GapBlocks, s.DupTSNs = s.GapBlocks[:0], s.DupTSNs[:0]
	a.processSACK(now, s, false)
}

// processSACK processes a SACK that handleSACK accepted, or the
// acknowledgement of a SHUTDOWN (without renege), by the rules of RFC 9260
// Section 6.2.1.
func (a *Association) processSACK(now timer.Time, s *chunk.SACK, renege bool) {
	a.lastSACK = now
	cum := s.CumTSNAck
	if renege && a.sameAcks(s) {
		// Nothing newly acknowledged, nothing reneged on: no miss
		// indication either (RFC 9260 Section 7.2.4: "miss indications
		// are incremented only for missing TSNs prior to the highest TSN
		// newly acknowledged in the SACK chunk"), and no congestion
		// window change. Only rule D ii applies.
		a.peerARwnd = s.ARwnd
		a.peerRwnd = int(s.ARwnd) - a.out.bytes
		// A SACK that repeats the last one a round trip after a FORWARD
		// TSN: the FORWARD TSN was lost (RFC 3758 Section 3.5 C3).
		a.forwardAgain(now)
		return
	}
	defer a.rememberAcks(s, renege)
	bytesBefore, chunksBefore := a.out.bytes, a.out.len()-a.out.gapAcked
	cumAdvanced := cum.GT(a.cumAckPoint)
	for _, p := range a.paths {
		p.ackedBytes, p.flightBefore, p.hasLowest = 0, p.flightSize, false
	}
	// The earliest outstanding TSN of each destination, for rule R3.
	found := 0
	for i := 0; i < a.out.len() && found < len(a.paths); i++ {
		if c := a.out.index(i); !c.acked && !c.abandoned && c.path != nil && !c.path.hasLowest {
			c.path.lowest, c.path.hasLowest = c.tsn, true
			found++
		}
	}
	var htna chunk.TSN // highest TSN newly acknowledged
	haveHTNA := false
	// Cumulative part.
	for a.out.len() > 0 && a.out.base.LE(cum) {
		c := a.out.popFront()
		if c.acked {
			a.out.gapAcked--
		} else if !c.abandoned {
			a.newlyAcked(now, &c)
			a.out.bytes -= len(c.frag.Data)
			htna, haveHTNA = c.tsn, true
		}
		if c.marked {
			a.out.marked--
		}
		if m := c.frag.Msg; c.frag.Flags.Has(chunk.FlagEnd) && m != nil && !m.PR.Abandoned {
			// Every fragment of the message is acknowledged: reuse its
			// buffer and record.
			a.cfg.Buffers.Put(m.Data)
			m.Data = nil
			if len(a.freeMsgs) < maxFreeMsgs {
				a.freeMsgs = append(a.freeMsgs, m)
			}
		}
	}
	a.cumAckPoint = cum
	// Gap Ack Blocks: the well-formed leading ones, all within what was
	// sent (handleSACK checked), so at most one per chunk outstanding.
	valid, reported := validGapBlocks(s) // reported: the highest TSN received
	if h, ok := a.gapAck(now, cum, s.GapBlocks[:valid]); ok {
		htna, haveHTNA = h, true
	}
	if renege {
		a.renegeCheck(now, cum, s.GapBlocks[:valid])
	}
	// Rule D ii: "Set rwnd equal to the newly received a_rwnd minus the
	// number of bytes still outstanding after processing the Cumulative
	// TSN Ack and the Gap Ack Blocks."
	a.notePeerWindow(a.peerARwnd, s, bytesBefore-a.out.bytes, chunksBefore-(a.out.len()-a.out.gapAcked))
	a.peerARwnd = s.ARwnd
	a.peerRwnd = int(s.ARwnd) - a.out.bytes
	// Rule D iv: "If the Cumulative TSN Ack matches or exceeds the Fast
	// Recovery exit point (Section 7.2.4), Fast Recovery is exited."
	if a.inRecovery && cum.GE(a.recoveryExit) {
		a.inRecovery = false
	}
	// Congestion control per destination (RFC 9260 Sections 7.2.1, 7.2.2),
	// applied before the fast retransmit adjustments (Section 7.2.4 Note).
	for _, p := range a.paths {
		if p.ackedBytes > 0 {
			p.cc.OnAck(p.ackedBytes, p.flightBefore, cumAdvanced, a.inRecovery)
		}
	}
	a.growSendBuffer()
	if haveHTNA {
		a.missIndications(now, htna, reported, cumAdvanced)
	}
	// RFC 3758 Section 3.5 A4, C1 and C2: after the normal processing,
	// the Advanced.Peer.Ack.Point moves over the abandoned chunks; C3,
	// the FORWARD TSN, goes with the next packet (wantForward).
	a.advance()
	a.abandonExpiredHead(now)
	a.forwardAgain(now)
	for _, p := range a.paths {
		if p.hasLowest {
			c := a.out.at(p.lowest)
			p.ackedLowest = c == nil || c.acked
		}
	}
	a.updateT3(now)
	a.keepT3(now)
	if cumAdvanced || haveHTNA {
		// RFC 9260 Section 8.3: "the error counter ... is reset" on
		// acknowledgement of outstanding data; Section 8.1 likewise for
		// the association counter.
		a.errorCount = 0
	}
	a.afterAck(now)
}

// sameAcks reports whether the SACK s acknowledges exactly what the last
// SACK processed did, with nothing acknowledged since: the same Cumulative
// TSN Ack, still the Cumulative TSN Ack Point, and the same Gap Ack Blocks.
// Processing it would walk the retransmission queue to change nothing; a
// peer repeating a SACK in datagram after datagram then costs a constant
// per SACK, the comparison of its blocks.
func (a *Association) sameAcks(s *chunk.SACK) bool {
	if !a.hasLastAck || s.CumTSNAck != a.lastAckCum || s.CumTSNAck != a.cumAckPoint {
		return false
	}
	valid, _ := validGapBlocks(s)
	return slices.Equal(s.GapBlocks[:valid], a.scr().lastAckGaps)
}

// rememberAcks records what the SACK s just processed acknowledged, for
// sameAcks; the acknowledgement of a SHUTDOWN (no renege) forgets it.
func (a *Association) rememberAcks(s *chunk.SACK, renege bool) {
	if !renege {
		a.hasLastAck = false
		return
	}
	valid, _ := validGapBlocks(s)
	a.lastAckCum, a.hasLastAck = s.CumTSNAck, true
	scr := a.scr()
	scr.lastAckGaps = append(scr.lastAckGaps[:0], s.GapBlocks[:valid]...)
}

// gapAck marks the chunks that the Gap Ack Blocks acknowledge, relative to
// cum, and returns the highest TSN newly acknowledged, if any.
func (a *Association) gapAck(now timer.Time, cum chunk.TSN, blocks []chunk.GapBlock) (htna chunk.TSN, ok bool) {
	for _, g := range blocks {
		for off := uint32(g.Start); off <= uint32(g.End); off++ {
			c := a.out.at(cum + chunk.TSN(off))
			if c == nil {
				break
			}
			if !c.acked {
				c.acked = true
				a.out.gapAcked++
				if c.abandoned {
					continue // out of the accounts already (abandonSent)
				}
				a.newlyAcked(now, c)
				a.out.bytes -= len(c.frag.Data)
				if c.marked {
					c.marked = false
					a.out.marked--
				}
				htna, ok = cum+chunk.TSN(off), true
			}
		}
	}
	return htna, ok
}

// newlyAcked accounts for a DATA chunk acknowledged for the first time.
func (a *Association) newlyAcked(now timer.Time, c *txChunk) {
	p := c.path
	if p == nil {
		return
	}
	n := len(c.frag.Data)
	if c.inFlight {
		p.flightSize -= n
		c.inFlight = false
	}
	// A chunk gap-acknowledged, reneged on and acknowledged again counts
	// toward the congestion window once: RFC 9260 Section 7.2.2 grows
	// cwnd by the bytes "of all new DATA chunks acknowledged", and a peer
	// that alternately acknowledges and reneges on the same chunks must
	// not grow it without anything new delivered.
	if !c.counted {
		c.counted = true
		p.ackedBytes += n
		a.ccAckedBytes += uint64(n)
	}
	// RFC 9260 Section 8.2: acknowledging an outstanding TSN clears the
	// error counter of the destination it was last sent to. Deviation: an
	// acknowledgement of a chunk sent before the destination's latest
	// timeout (delivered before the path broke, acknowledged later over
	// another path) does not show that the path works now, and does not
	// clear it; otherwise a dead primary could never reach
	// Path.Max.Retrans while such acknowledgements trickle in.
	if c.sentAt.After(p.lastError) || p.errorCount == 0 {
		p.errorCount = 0
	}
	if p.state == PathPotentiallyFailed || p.state == PathInactive {
		a.setPathState(p, PathActive, 0)
	}
	// RFC 9260 Section 6.3.1 C5: "RTT measurements MUST NOT be made
	// using DATA chunks that were retransmitted (and thus for which it is
	// ambiguous whether the reply was for the first instance of the chunk
	// or for a later instance)."
	if p.rttActive && c.sends == 1 && c.tsn == p.rttTSN {
		p.measure(now.Sub(p.rttSent))
		p.rttActive = false
	}
}

// renegeCheck handles TSNs that were gap-acknowledged before and no longer
// are (RFC 9260 Section 6.2.1 rule D iii): they are treated as not
// received again, "Count one miss indication towards Fast Retransmit ...
// and if no retransmit timer is running for the destination address to
// which the DATA chunk was originally transmitted, then T3-rtx is started
// for that destination address". They count in that destination's flight
// size again, as unacknowledged data in the network: otherwise, with
// nothing else in flight there, rule R2 of Section 6.3.2 ("Whenever all
// outstanding data sent to an address have been acknowledged, turn off
// the T3-rtx timer of that address") stopped the timer at once, and they
// were never sent again.
func (a *Association) renegeCheck(now timer.Time, cum chunk.TSN, blocks []chunk.GapBlock) {
	left := a.out.gapAcked
	j := 0 // blocks and acked chunks are both in increasing order: one merged walk
	for i := 0; i < a.out.len() && left > 0; i++ {
		c := a.out.index(i)
		if !c.acked {
			continue
		}
		left--
		off := c.tsn.Sub(cum)
		for j < len(blocks) && uint32(blocks[j].End) < off {
			j++
		}
		in := j < len(blocks) && off >= uint32(blocks[j].Start)
		if !in {
			c.acked = false
			a.out.gapAcked--
			if c.abandoned {
				continue // never sent again: stays out of the accounts
			}
			a.out.bytes += len(c.frag.Data)
			c.misses++
			if c.path == nil {
				continue
			}
			c.inFlight = true
			c.path.flightSize += len(c.frag.Data)
			if !c.path.t3.Running() && a.state != StateClosed {
				c.path.t3.Start(now, c.path.rto.RTO())
			}
		}
	}
}

// missIndications counts miss indications with the HTNA algorithm and fast
// retransmits (RFC 9260 Section 7.2.4). reported is the highest TSN the
// SACK reports as received.
func (a *Association) missIndications(now timer.Time, htna, reported chunk.TSN, cumAdvanced bool) {
	// "miss indications are incremented only for missing TSNs prior to the
	// HTNA in the SACK chunk. ... If an endpoint is in Fast Recovery and a
	// SACK chunks arrives that advances the Cumulative TSN Ack Point, the
	// miss indications are incremented for all TSNs reported missing in
	// the SACK chunk."
	limit := htna
	if a.inRecovery && cumAdvanced && reported.GT(limit) {
		limit = reported
	}
	fast := false
	for i := 0; i < a.out.len(); i++ {
		c := a.out.index(i)
		if !c.tsn.LT(limit) {
			break
		}
		if c.acked || c.marked || c.fastRtx || c.abandoned {
			continue
		}
		c.misses++
		if m := c.frag.Msg; m != nil && a.expiredSent(now, m) && a.prsctp() && a.abandon(m) {
			// Reported missing after its lifetime ended: abandoned now
			// rather than at its retransmission (RFC 3758 Section 4.1).
			continue
		}
		if c.misses >= 3 {
			if a.abandonOnRetransmit(now, c) {
				// RFC 3758 Section 3.5 F5: "the appropriate congestion
				// adjustment MUST be made ... if the chunk would have
				// been marked for retransmission".
				if c.path != nil {
					c.path.fastRtxPending = true
				}
				fast = true
				continue
			}
			// "1) Mark the DATA chunk(s) with three miss indications for
			// retransmission." "5) Mark the DATA chunk(s) as being fast
			// retransmitted and thus ineligible for a subsequent Fast
			// Retransmit."
			a.markForRetransmit(c)
			c.fastRtx, c.fastDue = true, true
			fast = true
		}
	}
	if !fast || a.inRecovery {
		// In Fast Recovery, steps 2, 3 and 6 do not apply: the chunks
		// marked above "will be retransmitted later on as soon as cwnd
		// allows" (step 5), first among the data to send (Section 6.1
		// rule C, "limited by the current cwnd").
		return
	}
	// "3) If not in Fast Recovery, ... Retransmit those K DATA chunks in
	// a single packet. When a Fast Retransmit is being performed, the
	// sender SHOULD ignore the value of cwnd".
	a.fastRtxNow = true
	// "2) If not in Fast Recovery, adjust the ssthresh and cwnd of the
	// destination address(es) to which the missing DATA chunks were last
	// sent" and "6) ... enter Fast Recovery and mark the highest
	// outstanding TSN as the Fast Recovery exit point."
	for _, p := range a.paths {
		if p.fastRtxPending {
			p.cc.OnFastRetransmit(p.flightBefore)
		}
	}
	a.inRecovery = true
	a.recoveryExit = a.out.last()
}

// markForRetransmit marks c for retransmission; its bytes leave the flight
// and return to the peer's window (RFC 9260 Section 6.2.1 rule C).
func (a *Association) markForRetransmit(c *txChunk) {
	if c.marked || c.acked {
		return
	}
	c.marked = true
	a.out.marked++
	if c.inFlight && c.path != nil {
		c.path.flightSize -= len(c.frag.Data)
		c.path.fastRtxPending = true
		c.inFlight = false
	}
	a.peerRwnd += len(c.frag.Data)
}

// updateT3 applies the T3-rtx rules of RFC 9260 Section 6.3.2 after a
// SACK: R2 "Whenever all outstanding data sent to an address have been
// acknowledged, turn off the T3-rtx timer of that address." R3 "Whenever a
// SACK chunk is received that acknowledges the DATA chunk with the
// earliest outstanding TSN for that address, restart the T3-rtx timer for
// that address with its current RTO (if there is still outstanding data on
// that address)."
func (a *Association) updateT3(now timer.Time) {
	for _, p := range a.paths {
		p.fastRtxPending = false
		switch {
		case p.flightSize == 0 && !a.hasMarkedFor(p):
			p.t3.Stop()
		case p.ackedLowest:
			p.t3.Start(now, p.rto.RTO())
		}
	}
}

// hasMarkedFor reports whether chunks last sent to p await retransmission.
func (a *Association) hasMarkedFor(p *path) bool {
	if a.out.marked == 0 {
		return false
	}
	for i := 0; i < a.out.len(); i++ {
		if c := a.out.index(i); c.marked && c.path == p {
			return true
		}
	}
	return false
}

// buildSACK fills the scratch SACK with what the receiver has, within a
// packet budget of room bytes (RFC 9260 Section 6.2: "The SCTP endpoint
// MUST report as many Gap Ack Blocks as can fit in a single SACK chunk
// such that the size of the SCTP packet does not exceed the current
// PMTU").
func (a *Association) buildSACK(room int) *chunk.SACK {
	s := &a.scr().sackOut
	a.rcv.fillSACK(s, max(0, (room-16)/4))
	w := a.arwnd()
	s.ARwnd = uint32(min(w, math.MaxUint32))
	a.lastARwnd = s.ARwnd
	return s
}

// sackSent resets the acknowledgement state after a SACK went out.
func (a *Association) sackSent() {
	a.sackDue, a.sackNow = false, false
	a.packetsUnacked = 0
	a.sackTimer.Stop()
	a.rcv.clearDups()
	a.stats.SACKsSent++
	if len(a.scr().sackOut.GapBlocks) > 0 {
		a.details().GapReportsSent++
	}
}

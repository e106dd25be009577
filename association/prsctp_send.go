package association

import (
	"cmp"
	"slices"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// msDuration returns v milliseconds.
func msDuration(v uint32) time.Duration { return time.Duration(v) * time.Millisecond }

// abandon gives up the message m under its policy (RFC 3758 Section 3.5
// A2 and A3): what of it is still queued leaves the send queue, its DATA
// chunks outstanding are "finally acked and no longer outstanding"
// (abandonSent), and it goes back to the user in a SendFailed event with
// its data. It reports false, and abandons nothing, for a message whose
// fragments sent were all acknowledged while the rest waits: the peer
// holds its beginning, and no FORWARD TSN could skip it (its TSNs are
// below the Cumulative TSN Ack Point); it is sent whole.
func (a *Association) abandon(m *stream.OutMessage) bool {
	if m.PR.Abandoned {
		return true
	}
	sent := m.SentBytes() > 0
	if sent && (!a.prsctp() || a.allAcked(m)) {
		return false
	}
	m.PR.Abandoned = true
	cut := sent && m.SentBytes() < len(m.Data)
	if a.sendq.Remove(m) {
		a.unqueued(m)
	}
	if cut {
		a.closeRun(m)
	}
	if sent {
		a.abandonSent(m)
	}
	a.countAbandoned(m, PRPolicy(m.PR.Policy), sent)
	// RFC 6458 Section 6.1.4: the data comes back, flagged sent or
	// unsent; there is no error cause.
	a.pushEvent(&SendFailed{Sent: sent, Info: infoOf(m), Data: m.Data})
	if !sent && len(a.freeMsgs) < maxFreeMsgs {
		*m = stream.OutMessage{}
		a.freeMsgs = append(a.freeMsgs, m)
	}
	return true
}

// closeRun ends the TSNs of m, abandoned after its first fragments were
// sent and before the rest had TSNs, with one more TSN for a last
// fragment that is never sent: m's TSNs then run from its B fragment to
// an E fragment, as a message's must (RFC 9260 Section 6.9), and the
// FORWARD TSN that skips them skips a whole message. Without it the next
// TSN would start another message right behind a B fragment that no E
// fragment ends, which a receiver may take for part of the abandoned
// message: usrsctp then lost later messages it had acknowledged. usrsctp
// does the same for its own messages (a dummy last fragment in
// sctp_release_pr_sctp_chunk). The entry, abandoned from the start, holds
// no data and stays out of every account (abandonSent).
func (a *Association) closeRun(m *stream.OutMessage) {
	if a.idata() {
		a.closeIData(m)
		return
	}
	last := a.out.at(a.nextTSN - 1)
	if last == nil || last.frag.Msg != m {
		return // the fragments of m handed out are not the latest TSNs
	}
	f := last.frag
	f.Flags = f.Flags&chunk.FlagUnordered | chunk.FlagEnd
	f.Data = nil
	a.out.push(txChunk{tsn: a.nextTSN, frag: f})
	a.nextTSN++
}

// allAcked reports whether every fragment of m handed out so far (m is
// still in the send queue) is below the Cumulative TSN Ack Point. The
// fragments of a message take consecutive TSNs, the last one the latest
// assigned while the rest of m waits.
func (a *Association) allAcked(m *stream.OutMessage) bool {
	queued := m.SentBytes() < len(m.Data)
	if queued && a.idata() {
		return !a.outstandingOf(m)
	}
	return queued && (a.nextTSN - 1).LE(a.cumAckPoint)
}

// abandonSent marks the outstanding DATA chunks of m abandoned: no longer
// outstanding, out of their path's flight and of the peer's window, never
// retransmitted, and not credited to the congestion window (RFC 3758
// Section 3.5 A2: "The sender MUST NOT credit an "abandoned" data chunk to
// the partial_bytes_acked ... and MUST NOT advance the cwnd based on this
// "abandoned" data chunk"). They stay in the retransmission queue until
// the peer's Cumulative TSN Ack passes them, after a FORWARD TSN. A chunk
// timing a round trip ends the measurement, which its acknowledgement
// will not complete (newlyAcked skips abandoned chunks): the path
// measures with the next chunk sent (RFC 9260 Section 6.3.1 C4).
func (a *Association) abandonSent(m *stream.OutMessage) {
	tsn := m.PR.FirstTSN
	if tsn.LT(a.out.base) {
		tsn = a.out.base
	}
	for c := a.out.at(tsn); c != nil; tsn++ {
		if c.frag.Msg != m {
			if !a.idata() {
				break // the fragments of a DATA message take consecutive TSNs
			}
			c = a.out.at(tsn + 1) // I-DATA: those of other messages interleave
			continue
		}
		if !c.abandoned {
			c.abandoned = true
			if !c.acked {
				if p := c.path; p != nil && p.rttActive && p.rttTSN == c.tsn {
					p.rttActive = false
				}
				n := len(c.frag.Data)
				switch {
				case c.marked:
					c.marked, c.fastDue = false, false
					a.out.marked--
				case c.inFlight:
					c.path.flightSize -= n
					c.inFlight = false
					a.peerRwnd += n
				}
				a.out.bytes -= n
			}
		}
		c = a.out.at(tsn + 1)
	}
	a.advance()
}

// abandonOnRetransmit abandons the message of c, about to be marked for
// retransmission, if its policy says so (RFC 7496 Section 3.1: "The sender
// MUST abandon a user message if the number of retransmissions of any of
// the DATA chunks of the user message would exceed the provided limit";
// RFC 3758 Section 4.1, a lifetime that ended), and reports whether it
// did.
func (a *Association) abandonOnRetransmit(now timer.Time, c *txChunk) bool {
	m := c.frag.Msg
	if m == nil || m.PR.Policy == uint8(PRNone) || !a.prsctp() {
		return false
	}
	switch {
	case PRPolicy(m.PR.Policy) == PRRetransmit && uint32(c.sends-1) >= m.PR.Value,
		a.expiredSent(now, m):
		return a.abandon(m)
	}
	return false
}

// expiredSent reports whether the lifetime of m, sent or not, ended.
func (a *Association) expiredSent(now timer.Time, m *stream.OutMessage) bool {
	return m.PR.HasSentBy && int64(now) >= m.PR.SentBy
}

// expiredUnsent reports whether m, of which nothing was sent, outlived
// its lifetime (RFC 9260 Section 10.1 SEND: "the lifetime of the user
// data ... Once it is exceeded, the data is discarded").
func expiredUnsent(now timer.Time, m *stream.OutMessage) bool {
	return m.PR.HasUnsentBy && int64(now) >= m.PR.UnsentBy
}

// minSweep is the shortest interval between two runs of sweepExpired: a
// queue of messages whose lifetimes end a moment apart is swept once per
// minSweep, not once per message.
const minSweep = 10 * time.Millisecond

// armLifetime makes the lifetime timer fire at at (or minSweep from now,
// if later), unless it fires earlier already.
func (a *Association) armLifetime(now, at timer.Time) {
	t := &a.prs.lifetime
	at = max(at, now.Add(minSweep))
	if !t.Running() || at < t.Deadline() {
		t.Start(now, at.Sub(now))
	}
}

// sweepExpired abandons the queued messages whose lifetime ended (those
// none of which was sent, and with PR-SCTP those of the timed policy sent
// in part), so that they go back to the user in time and leave the send
// buffer even when nothing is being sent (a closed window), and arms the
// lifetime timer for the next one to end. The work is a step per queued
// message, at most once per minSweep.
func (a *Association) sweepExpired(now timer.Time) {
	var victims []*stream.OutMessage
	next, has := timer.Time(0), false
	a.sendq.Each(func(m *stream.OutMessage) bool {
		by, ok := m.PR.UnsentBy, m.PR.HasUnsentBy && m.SentBytes() == 0
		if m.SentBytes() > 0 && a.prsctp() {
			by, ok = m.PR.SentBy, m.PR.HasSentBy
		}
		switch {
		case !ok:
		case int64(now) >= by:
			victims = append(victims, m)
		case !has || timer.Time(by) < next:
			next, has = timer.Time(by), true
		}
		return true
	})
	for _, m := range victims {
		a.abandon(m)
	}
	if has {
		a.armLifetime(now, next)
	}
}

// dropExpiredNext abandons the messages at the head of the send queue
// whose lifetime ended, before new data is sent: the next one Next would
// take from, until one is still alive.
func (a *Association) dropExpiredNext(now timer.Time) {
	for a.prs != nil && a.prs.expiring > 0 {
		m, ok := a.sendq.Peek()
		if !ok {
			return
		}
		expired := m.SentBytes() == 0 && expiredUnsent(now, m) || a.expiredSent(now, m)
		if !expired || !a.abandon(m) {
			return
		}
	}
}

// makeRoom abandons queued messages for a message of n bytes sent with
// info that does not fit in the send buffer: first those whose lifetime
// ended, then messages of the priority policy of lower priority than its
// own (RFC 7496 Section 3.2: "the SCTP stack at the sender side MAY
// abandon other user message(s) of the same SCTP association (with the
// same or a different stream) with a priority lower than the provided
// one"), lowest priority first, until it fits. Only messages of which
// nothing was sent go: they free the send buffer (what was sent is not
// in it). A reliable message ranks above every message of the priority
// policy. If the message would not fit even with all of them gone, only
// those whose lifetime ended go: none is abandoned for nothing (RFC 7496
// Section 3.2: "After lower-priority messages have been abandoned,
// high-priority messages can be transferred without the send call
// blocking").
func (a *Association) makeRoom(now timer.Time, info SendInfo, n int) {
	if a.prs == nil || a.prs.expiring == 0 && a.prs.prioQueued == 0 {
		return
	}
	fits := func(b int) bool { return b == 0 || b+n <= a.sendBuffer() } // as Send
	var victims []*stream.OutMessage
	freed := 0
	a.sendq.Each(func(m *stream.OutMessage) bool {
		if m.SentBytes() == 0 && (expiredUnsent(now, m) || a.lowerPriority(m, info)) {
			victims = append(victims, m)
			freed += len(m.Data)
		}
		return true
	})
	if !fits(a.sendq.Buffered() - freed) {
		victims = slices.DeleteFunc(victims, func(m *stream.OutMessage) bool { return !expiredUnsent(now, m) })
	}
	// Expired ones first, then by priority, lowest first; the newest
	// first among equals.
	rank := func(m *stream.OutMessage) int64 {
		if expiredUnsent(now, m) {
			return 1 << 33
		}
		return int64(m.PR.Value)
	}
	slices.Reverse(victims)
	slices.SortStableFunc(victims, func(x, y *stream.OutMessage) int { return cmp.Compare(rank(y), rank(x)) })
	for _, m := range victims {
		if fits(a.sendq.Buffered()) && !expiredUnsent(now, m) {
			return
		}
		a.abandon(m)
	}
}

// lowerPriority reports whether m is a message of the priority policy
// with a lower priority than a message sent with info.
func (a *Association) lowerPriority(m *stream.OutMessage, info SendInfo) bool {
	if PRPolicy(m.PR.Policy) != PRPriority {
		return false
	}
	return info.PRPolicy != PRPriority || m.PR.Value > info.PRValue
}

// advancedPoint returns the Advanced.Peer.Ack.Point (RFC 3758 Section 3.5
// A1), at least the Cumulative TSN Ack Point (rule C1: "If
// (Advanced.Peer.Ack.Point < SackCumAck), then update
// Advanced.Peer.Ack.Point to be equal to SackCumAck").
func (a *Association) advancedPoint() chunk.TSN {
	if s := a.prs; s != nil && s.hasAdv && s.advPoint.GT(a.cumAckPoint) {
		return s.advPoint
	}
	return a.cumAckPoint
}

// advance moves the Advanced.Peer.Ack.Point over the abandoned chunks
// after it (RFC 3758 Section 3.5 C2: "move "Advanced.Peer.Ack.Point" up as
// long as the chunk next in the out-queue space is marked as
// "abandoned""). Each chunk is passed once.
func (a *Association) advance() {
	if a.prs == nil {
		return
	}
	p := a.advancedPoint()
	for c := a.out.at(p + 1); c != nil && c.abandoned; c = a.out.at(p + 1) {
		p++
	}
	a.prs.advPoint, a.prs.hasAdv = p, true
}

// abandonExpiredHead abandons the messages of the chunks right after the
// Advanced.Peer.Ack.Point whose lifetime ended (the timed policy), when
// a SACK comes: RFC 3758 Section 4.1 TR5, "The sending SCTP MAY evaluate
// the lifetime of messages at anytime", here where the peer's Cumulative
// TSN Ack waits for them. Without it a chunk lost at the end of a
// transfer was found expired only when it was to be retransmitted: on
// the T3-rtx expiry, the timer backed off by the expiries before it, as
// only FORWARD TSNs and SACKs then flow and no round trip is measured.
// Each step abandons a message, and the check stops at the first chunk
// that does not end one.
func (a *Association) abandonExpiredHead(now timer.Time) {
	if a.prs == nil || !a.prsctp() {
		return
	}
	for range a.out.len() {
		c := a.out.at(a.advancedPoint() + 1)
		if c == nil || c.abandoned || c.acked {
			return
		}
		m := c.frag.Msg
		if m == nil || PRPolicy(m.PR.Policy) != PRTimed || !a.expiredSent(now, m) || !a.abandon(m) {
			return
		}
	}
}

// forwardPending reports whether the peer has yet to learn of abandoned
// chunks: the Advanced.Peer.Ack.Point is past the Cumulative TSN Ack
// Point (RFC 3758 Section 3.5 C3).
func (a *Association) forwardPending() bool {
	return a.prs != nil && a.prs.hasAdv && a.prs.advPoint.GT(a.cumAckPoint)
}

// wantForward reports whether a FORWARD TSN goes into the next packet:
// one is pending (C3), and it is new, or the same one may go again
// (againOK). The peer answers each with a SACK; the same FORWARD TSN goes
// again only when a SACK a round trip later or a T3-rtx expiry shows that
// it was lost, so that abandoning every message does not make the two
// ends trade FORWARD TSNs and SACKs.
func (a *Association) wantForward() bool {
	if !a.forwardPending() || !a.prsctp() {
		return false
	}
	s := a.prs
	return !s.hasFwd || s.lastFwd != s.advPoint || s.again
}

// forwardAgain lets the last FORWARD TSN go again, if still pending, when
// a SACK (rule C3) or a T3-rtx expiry (rule A5) comes a round trip or
// more after it (the IMPLEMENTATION NOTE of rule F2: "waiting a full RTT
// before sending a duplicate FORWARD TSN"). A T3-rtx timer started before
// the FORWARD TSN went says nothing of its loss; a later expiry, or the
// next SACK, sends it again (C5 keeps a timer running meanwhile).
func (a *Association) forwardAgain(now timer.Time) {
	s := a.prs
	if s == nil || !s.hasFwd || !a.forwardPending() {
		return
	}
	rtt := a.primary.rto.RTO()
	if a.primary.rto.Measured() {
		rtt = a.primary.rto.SRTT()
	}
	if now.Sub(s.lastFwdAt) >= rtt {
		s.again = true
	}
}

// addForward adds the FORWARD TSN to b when wantForward says so (rule F2:
// the caller puts it before the DATA chunks of the packet), and makes
// sure a T3-rtx timer runs (rule C5).
func (a *Association) addForward(now timer.Time, b *packet.Builder, dest *path) {
	if !a.wantForward() {
		return
	}
	var f chunk.Chunk
	if a.iforward() {
		if fi := a.buildIForward(b.Remaining()); fi != nil {
			f = fi
		}
	} else if fd := a.buildForward(b.Remaining()); fd != nil {
		f = fd
	}
	if f == nil || !b.Add(f) {
		return
	}
	s := a.prs
	s.stats.ForwardTSNsSent++
	// What it was built for: one cut short by the room in the packet
	// (buildForward) is not sent again at once for the rest.
	s.lastFwd, s.lastFwdAt, s.hasFwd, s.again = s.advPoint, now, true, false
	// C5: "If a FORWARD TSN is sent, the sender MUST assure that at least
	// one T3-rtx timer is running."
	for _, p := range a.paths {
		if p.t3.Running() {
			return
		}
	}
	dest.t3.Start(now, dest.rto.RTO())
}

// keepT3 restarts a T3-rtx timer after a SACK stopped them all (RFC 9260
// Section 6.3.2 R2: nothing in flight) while the peer has yet to learn of
// abandoned chunks: rule C5, "the sender MUST assure that at least one
// T3-rtx timer is running", so that a lost FORWARD TSN goes again (A5).
func (a *Association) keepT3(now timer.Time) {
	if !a.forwardPending() {
		return
	}
	for _, p := range a.paths {
		if p.t3.Running() {
			return
		}
	}
	p := a.dataPath()
	p.t3.Start(now, p.rto.RTO())
}

// buildForward fills the scratch FORWARD TSN for the Advanced.Peer.Ack.
// Point within room bytes, or returns nil if not even an empty one fits.
// Rule C4: each ordered stream of an abandoned chunk is listed once, with
// the highest SSN abandoned on it; "If the total size of the FORWARD TSN
// does NOT fit in a single MTU, then the sender of the FORWARD TSN SHOULD
// lower the Advanced.Peer.Ack.Point to the last TSN that will fit".
func (a *Association) buildForward(room int) *chunk.ForwardTSN {
	maxEntries := (room - 4 - 4) / 4 // chunk header, New Cumulative TSN
	if maxEntries < 0 {
		return nil
	}
	s := a.prs
	if s.seen == nil {
		s.seen = make(map[chunk.StreamID]int)
	}
	clear(s.seen)
	f := &a.scr().forwardOut
	f.Flags, f.Streams = 0, f.Streams[:0]
	f.NewCumTSN = a.forwardWalk(func(fr *stream.Fragment) bool {
		if fr.Flags.Has(chunk.FlagUnordered) {
			return true
		}
		if i, ok := s.seen[fr.Stream]; ok {
			f.Streams[i].SSN = fr.SSN
		} else if len(f.Streams) == maxEntries {
			return false
		} else {
			s.seen[fr.Stream] = len(f.Streams)
			f.Streams = append(f.Streams, chunk.ForwardTSNStream{StreamID: fr.Stream, SSN: fr.SSN})
		}
		return true
	})
	if f.NewCumTSN == a.cumAckPoint {
		return nil
	}
	return f
}

// forwardWalk passes the fragments of the abandoned chunks after the
// Cumulative TSN Ack Point, up to the Advanced.Peer.Ack.Point, to add,
// in TSN order, until add reports that the entry of one does not fit
// (rule C4: the point is then lowered to the last TSN that fits). It
// returns the New Cumulative TSN: the last TSN passed.
func (a *Association) forwardWalk(add func(*stream.Fragment) bool) chunk.TSN {
	newCum, adv := a.cumAckPoint, a.advancedPoint()
	for tsn := newCum + 1; tsn.LE(adv); tsn++ {
		c := a.out.at(tsn)
		if c == nil || !add(&c.frag) {
			break
		}
		newCum = tsn
	}
	return newCum
}

// forwardOnT3 applies rule A5 of RFC 3758 Section 3.5 when T3-rtx of p
// expires: "the sender SHOULD try to advance the "Advanced.Peer.Ack.Point"
// by following the procedures outlined in C2 - C5", the FORWARD TSN going
// again with the next packet. With nothing else
// outstanding on p (every chunk sent there was abandoned), the expiry is
// handled as one of data: the timer backs off and runs again (C5), and
// the error counters count (RFC 9260 Section 6.3.3 E2, Section 8), so
// that a peer that answers nothing is given up on. An expiry that sends
// nothing (the FORWARD TSN went less than a round trip ago, see
// forwardAgain) only runs the timer again: it counts no error.
func (a *Association) forwardOnT3(now timer.Time, p *path, nothingElse bool) {
	a.advance()
	a.forwardAgain(now)
	if !a.forwardPending() || !nothingElse {
		return
	}
	if !a.wantForward() {
		p.t3.Start(now, p.rto.RTO())
		return
	}
	a.stats.T3Expirations++
	p.rto.Backoff()
	if !a.countError(now, p, true) {
		p.t3.Start(now, p.rto.RTO())
	}
}

package association

import (
	"errors"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// Our SSN/TSN Reset Request (RFC 6525 Sections 5.1.4 and 5.2.7 H5).

// assocResetInterval is the least time between two SSN/TSN Reset
// Requests of ours (RFC 6525 Section 5.1.4: "Only one SSN/TSN Reset
// Request SHOULD be sent within 30 seconds, which is considered a
// maximum segment lifetime (the IP MSL)"; Section 7: "When both the SSN
// and TSN are reset, the maximum segment lifetime is used to avoid TSN
// wrap-around").
const assocResetInterval = 30 * time.Second

// ErrResetAssocTooSoon: ResetAssoc within 30 seconds of our last SSN/TSN
// Reset Request (assocResetInterval); retry later.
var ErrResetAssocTooSoon = errors.New("association: an SSN/TSN reset was requested less than 30 seconds ago")

// ResetAssoc resets the association's TSNs and the SSNs of every stream
// in both directions with an SSN/TSN Reset Request (RFC 6525 Section
// 5.1.4; sctp_reset_assoc, Section 6.3.3). From the call on, no new TSN
// is assigned (C2: "The sender MUST queue any user data, suspending any
// new transmissions and TSN assignment until the reset procedure is
// finished"): Send still queues messages, a message partly sent is
// finished, and the request goes once every TSN sent is acknowledged
// (C2: "The sender has either no outstanding TSNs or considers all
// outstanding TSNs abandoned"). The answer comes as an AssocResetEvent:
// on success our next TSN is the peer's Receiver's Next TSN (LocalTSN),
// the peer's next the Sender's Next TSN (RemoteTSN), every outgoing and
// incoming stream starts again at SSN 0 and the queued messages go;
// with ReconfigDenied or ReconfigFailed nothing was reset and the
// queued messages go on in the old sequence. Errors: ErrNotEstablished,
// ErrReconfigNotSupported, ErrReconfigInProgress, ErrResetAssocTooSoon.
func (a *Association) ResetAssoc(now timer.Time) error {
	defer a.startBurst()
	rs, err := a.startRequest(nil)
	if err != nil {
		return err
	}
	if rs.tsnSent && now.Sub(rs.tsnSentAt) < assocResetInterval {
		return ErrResetAssocTooSoon
	}
	rs.send = &reconfOut{tsn: &chunk.SSNTSNResetRequest{}}
	a.trySendReset(now)
	return nil
}

// tsnResetReady reports whether our SSN/TSN Reset Request may go: no
// message is partly handed out and every TSN assigned is acknowledged.
func (a *Association) tsnResetReady() bool {
	return !a.sendq.MidMessage() && a.cumAckPoint == a.nextTSN-1
}

// tsnResetSent reports whether our SSN/TSN Reset Request is on its way
// and not answered yet. Nothing of ours is outstanding then (Section
// 5.1.4 C2), and a SACK or SHUTDOWN acknowledging a TSN we never sent is
// the peer's, having performed the request, in the new sequence, 2^31
// past ours (Section 5.2.4 G1), whose answer is lost or late: it is
// discarded, not the protocol violation of RFC 9260 Section 12.4 that
// aborts the association, and the retransmitted request gets the answer
// again (Section 5.2.1).
func (a *Association) tsnResetSent() bool {
	rs := a.reconfIf()
	return rs != nil && rs.initial == a.peerInitialTSN && rs.send != nil && rs.send.tsn != nil && rs.send.sent
}

// oldSequenceAck reports whether cum, acknowledging a TSN we never sent,
// is a SACK's or SHUTDOWN's of the peer delayed from before the SSN/TSN
// reset our request performed (or the peer's in the new sequence, the
// answer still on its way; tsnResetSent): at or behind our Cumulative
// TSN Ack Point then, about 2^31 from the new one (RFC 6525 Section
// 5.2.4 G1), it is stale, not the protocol violation of RFC 9260 Section
// 12.4 that aborts the association.
func (a *Association) oldSequenceAck(cum chunk.TSN) bool {
	if a.tsnResetSent() {
		return true
	}
	rs := a.reconfIf()
	return rs != nil && rs.initial == a.peerInitialTSN && rs.hasOldCum && rs.oldCum.Sub(cum) < 1<<30
}

// tsnResetHolds reports whether new DATA waits for our SSN/TSN Reset
// Request (RFC 6525 Section 5.1.4 C2) or the peer's (peerAssocWaits),
// the rest of a message partly handed out excepted.
func (a *Association) tsnResetHolds() bool {
	rs := a.reconfIf()
	return rs != nil && (rs.send != nil && rs.send.tsn != nil || a.peerAssocWaits()) && !a.sendq.MidMessage()
}

// assocResetAnswered completes our SSN/TSN Reset Request with the
// peer's answer p (RFC 6525 Section 5.2.7 H3, H5). A success without
// the TSNs (Section 5.1.7 D3, D4: they "MUST be filled") counts as a
// failure.
//
// A request that yielded to the peer's (yieldAssocReset) did what its
// user asked already: its refusal ends it without an event. Performed,
// it was either performed after the peer's own (the peer's request was
// answered before ours arrived): the TSNs were reset a second time at
// the peer, and are here too; or before the peer sent its own, which we
// performed since, and which set the TSNs of both ends anew: the answer
// is stale then, and ignored (FuzzStates input 10bb91bbdac6b25f: applied,
// it put back a sequence the peer had left, and a message arrived twice).
// The Sender's Next TSN tells which: the peer's next TSN after the
// reset we performed is near our receive sequence, its next TSN before
// it 2^31 away (RFC 6525 Section 5.2.4 G1).
func (a *Association) assocResetAnswered(now timer.Time, p *chunk.ReconfigResponse) {
	o := a.reconf().send
	o.tsn = nil
	flags := resultFlags(p.Result)
	near := a.nearReceived(p.SenderNextTSN)
	reset := flags == 0 && p.HasTSNs && (!o.quiet || near)
	// The peer's data held while the request was in flight
	// (reconfig_send_assoc_hold.go): below the Sender's Next TSN in the
	// sequence in place, the rest after the reset. A Sender's Next TSN
	// far from what we received does not follow the TSNs the peer sent
	// (Section 5.2.4 G2): all of it is of the sequence in place then.
	a.releaseAhead(now, reset && near, p.SenderNextTSN)
	if a.state == StateClosed || o.quiet && !reset {
		return
	}
	remote := a.rcv.cum + 1
	switch {
	case reset:
		a.resetTSNs(p.ReceiverNextTSN, p.SenderNextTSN)
		// The peer's first TSN of the new sequence (RFC 6458 Section
		// 6.1.9: "the next TSN used by the remote endpoint"), also when
		// its DATA from there came before its answer, received already.
		remote = p.SenderNextTSN
	case flags == 0:
		flags = ReconfigFailed
	}
	a.pushEvent(&AssocResetEvent{Flags: flags, LocalTSN: a.nextTSN, RemoteTSN: remote})
	// The new sequence's data after the event that begins it.
	a.releaseAhead(now, false, 0)
}

// nearReceived reports whether tsn is within 2^30 of the next TSN we
// expect, either way.
func (a *Association) nearReceived(tsn chunk.TSN) bool {
	d := tsn.Sub(a.rcv.cum + 1)
	return d < 1<<30 || d > 1<<32-1<<30
}

// resetTSNs performs RFC 6525 Section 5.2.7 H5: "new data MUST be sent
// from the Receiver's Next TSN [local], beginning with SSN 0 for all
// outgoing streams. All incoming streams MUST be reset to 0 as the next
// expected SSN. The peer will send DATA chunks starting with the
// Sender's Next TSN [remote]." Nothing of ours is outstanding (the
// request waited for that). On the receive side, as the peer does (its
// Section 5.2.4 G4), what the peer sent below remote that has not
// arrived is skipped as by a FORWARD TSN, the messages it leaves
// incomplete dropped; what arrived from remote on stays, and stays
// received.
func (a *Association) resetTSNs(local, remote chunk.TSN) {
	rs := a.reconf()
	rs.oldCum, rs.hasOldCum = a.cumAckPoint, true
	a.nextTSN, a.cumAckPoint = local, local-1
	a.out.reset(local)
	a.inRecovery = false
	if a.prs != nil {
		a.prs.hasAdv, a.prs.hasFwd = false, false
	}
	a.sendq.ResetSSNs(nil)
	newCum := remote - 1
	switch {
	case newCum.GT(a.rcv.cum):
		a.rcv.skip(newCum)
	case a.rcv.cum.Sub(newCum) > uint32(a.cfg.ReceiveBuffer)+maxForwardAhead:
		a.rcv.init(remote)
	default:
		// The peer's new DATA from remote on, sent once it performed
		// the reset, came before its answer: received (and held, see
		// releaseAhead) already, it stays received, or its
		// retransmission would be delivered again.
	}
	a.partialAborts(a.reasm.Forward(newCum, a.rcv.cum, nil, a.forgetHeldIP))
	a.reasm.ResetSSNs(nil)
	a.deliver()
}

// partialAborts tells the user of the partial deliveries pas ended
// (RFC 3758 Section 3.6: "a notification SHOULD also be generated").
func (a *Association) partialAborts(pas []stream.PartialAbort) {
	for _, pa := range pas {
		if pa.Delivered > 0 {
			a.pushEvent(&PDAPIEvent{Indication: PartialDeliveryAborted, Stream: pa.Stream})
		}
	}
}

package association

import "github.com/gensctp/gensctp/chunk"

// The peer's SSN/TSN Reset Request (RFC 6525 Section 5.2.4): both
// directions start new TSN and SSN sequences.

// assocReset is the last SSN/TSN Reset Request of the peer answered:
// its answer, with the TSNs once performed, repeated to its
// retransmission (RFC 6525 Section 5.2.1: "the same RE-CONFIG chunk MUST
// to be sent back in response, as it was earlier").
type assocReset struct {
	resp chunk.ReconfigResponse
	ok   bool
}

// resetAssoc performs the peer's SSN/TSN Reset Request (RFC 6525
// Section 5.2.4). G3 takes every TSN we sent as acknowledged, so the
// reset waits, answered "In progress", until nothing of ours is
// outstanding or queued (as Linux does): the peer retransmits its request
// (Section 5.2.7 H2) and the retransmission is performed once our data
// is through (retryResetAssoc); meanwhile no new TSN is assigned
// (peerAssocWaits), or a user sending without pause would have data
// outstanding at every retransmission, for ever. Messages queued and not
// yet handed out have no TSN or SSN yet: they go after the reset. While a request of ours is in flight, or
// a reset of the peer is deferred, it is answered "Error - Request
// already in progress", unless ours is an SSN/TSN Reset Request that
// yields to it (yieldAssocReset).
func (a *Association) resetAssoc() chunk.ReconfigResult {
	rs := a.reconf()
	seq := rs.inSeq - 1
	yield := a.yieldAssocReset(rs)
	if !yield && (rs.send != nil || rs.deferred) {
		return chunk.ReconfigErrorRequestAlreadyInProgress
	}
	if !yield && (a.out.len() > 0 || a.sendq.MidMessage()) {
		rs.assoc = assocReset{resp: chunk.ReconfigResponse{RespSeq: seq, Result: chunk.ReconfigInProgress}}
		return chunk.ReconfigInProgress
	}
	// G1: "The value SHOULD be the smallest TSN not acknowledged by the
	// receiver of the request plus 2^31." G2: "The value SHOULD be the
	// highest TSN sent by the receiver of the request plus 1."
	recvNext := a.rcv.cum + 1 + 1<<31
	sendNext := a.nextTSN
	// G3: nothing of ours is outstanding: every TSN sent is acknowledged
	// already. G4: "The same processing as though a FWD-TSN chunk ...
	// with all streams affected and a new cumulative TSN ACK of the
	// Receiver's Next TSN minus 1 were received": the messages complete
	// in reassembly are delivered, the incomplete ones dropped (the
	// peer "considers all outstanding TSNs abandoned", Section 5.1.4
	// C2), and the TSNs start again at the Receiver's Next TSN.
	highest := a.rcv.highest
	a.rcv.skip(highest)
	for _, pa := range a.reasm.Forward(highest, highest, nil, a.forgetHeldIP) {
		if pa.Delivered > 0 {
			a.pushEvent(&PDAPIEvent{Indication: PartialDeliveryAborted, Stream: pa.Stream})
		}
	}
	a.deliver()
	for _, pa := range a.reasm.AbortPartial() {
		if pa.Delivered > 0 {
			a.pushEvent(&PDAPIEvent{Indication: PartialDeliveryAborted, Stream: pa.Stream})
		}
	}
	a.rcv.init(recvNext)
	clear(a.heldIP)
	// G5: "The next expected and outgoing SSNs MUST be reset to 0 for all
	// incoming and outgoing streams."
	a.reasm.ResetSSNs(nil)
	a.sendq.ResetSSNs(nil)
	rs.assoc = assocReset{ok: true, resp: chunk.ReconfigResponse{RespSeq: seq, Result: chunk.ReconfigSuccessPerformed,
		HasTSNs: true, SenderNextTSN: sendNext, ReceiverNextTSN: recvNext}}
	a.pushEvent(&AssocResetEvent{LocalTSN: sendNext, RemoteTSN: recvNext})
	return chunk.ReconfigSuccessPerformed
}

// yieldAssocReset reports whether the peer's SSN/TSN Reset Request is
// to be performed in place of ours, which it crossed: both ask for the same reset, so that performing one does what both
// users asked, while answering each other "Error - Request already in
// progress" would fail both (RFC 6525 Section 5.1.1 allows one request
// in flight per end, and Section 5.2.4 says nothing of this collision),
// and again each time both users retry together. The end with the lower
// verification tag yields, so that exactly one request is performed
// (equal tags: neither yields, both fail). It yields only when it can
// perform the peer's request at once: nothing of ours is outstanding and
// no message is partly handed out, which our own request waited for too
// (Section 5.1.4 C2); the messages our request held go after the reset.
// Our user learns of the reset from the event of the peer's request.
// It does not yield while the peer's data waits for the answer to ours
// to tell its sequence (reconfig_send_assoc_hold.go): the peer may have
// performed ours, its answer lost, and sent data of that new sequence
// before its own request; refused, that request lets our retransmission
// get the answer.
//
// Ours, if sent, stays in flight, quiet, until answered: the peer may receive it
// after its own request was answered, with nothing left to cross it, and
// perform it, a second reset that this end must follow (assocResetAnswered)
// or the TSNs of the two ends would be 2^31 apart for good. New TSNs
// wait for that answer, as for any request of ours (Section 5.1.4 C2).
func (a *Association) yieldAssocReset(rs *reconfState) bool {
	o := rs.send
	if rs.deferred || o == nil || o.tsn == nil || len(o.params()) != 1 || len(rs.ahead) > 0 ||
		a.out.len() > 0 || a.sendq.MidMessage() || o.sent && a.localTag >= a.peerTag {
		return false
	}
	if !o.sent {
		// Never sent, it ends here.
		rs.t4.Stop()
		rs.send = nil
		return true
	}
	o.quiet = true
	return true
}

// retryResetAssoc performs again the peer's SSN/TSN Reset Request seq
// answered "In progress" when the peer retransmits it (RFC 6525 Section
// 5.2.7 H2), recording its new result for answer.
func (a *Association) retryResetAssoc(seq uint32) {
	rs := a.reconf()
	if rs.assoc.ok || rs.assoc.resp.RespSeq != seq || rs.assoc.resp.Result != chunk.ReconfigInProgress ||
		rs.inSeq-1 != seq {
		return
	}
	res := a.resetAssoc()
	if !rs.assoc.ok {
		rs.assoc.resp.Result = res
	}
	rs.setResult(seq, res)
}

// peerAssocWaits reports whether the peer's SSN/TSN Reset Request,
// answered "In progress", waits for our outstanding TSNs to be
// acknowledged: new TSNs wait for it too (tsnResetHolds), as they would
// for our own request (RFC 6525 Section 5.1.4 C2). Another answer to
// its retransmission, a new request of the peer's or its restart ends
// the wait.
func (a *Association) peerAssocWaits() bool {
	rs := a.reconfIf()
	return rs != nil && rs.initial == a.peerInitialTSN && !rs.assoc.ok &&
		rs.assoc.resp.Result == chunk.ReconfigInProgress && rs.assoc.resp.RespSeq == rs.inSeq-1
}

// performWaitingAssocReset performs the peer's SSN/TSN Reset Request
// answered "In progress" as soon as nothing of ours is outstanding any
// more, and sends its answer "Success - Performed" at once rather than
// waiting for the peer to retransmit the request (RFC 6525 Section
// 5.2.7 H2): new TSNs wait for that reset (peerAssocWaits), so a request
// that is not retransmitted (the peer gave it up, or it never was the
// peer's) would hold our data for ever. The peer takes the answer as
// the one to its outstanding request (Section 5.2.7), and a
// retransmission of the request gets the same answer again.
func (a *Association) performWaitingAssocReset() {
	if !a.peerAssocWaits() || a.out.len() > 0 || a.sendq.MidMessage() {
		return
	}
	rs := a.reconf()
	seq := rs.assoc.resp.RespSeq
	a.retryResetAssoc(seq)
	if rs.assoc.ok {
		rs.out = append(rs.out, rs.assocResponse(chunk.ReconfigResponse{RespSeq: seq, Result: chunk.ReconfigSuccessPerformed}))
	}
}

// assocResponse returns the response r with the TSNs of the peer's
// SSN/TSN Reset Request it answers, if performed (RFC 6525 Section 4.4:
// the Sender's Next TSN and Receiver's Next TSN go with the answer to an
// SSN/TSN Reset Request).
func (rs *reconfState) assocResponse(r chunk.ReconfigResponse) chunk.ReconfigResponse {
	if rs.assoc.ok && rs.assoc.resp.RespSeq == r.RespSeq && r.Result == chunk.ReconfigSuccessPerformed {
		return rs.assoc.resp
	}
	return r
}

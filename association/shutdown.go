package association

import (
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// Shutdown starts a graceful shutdown (RFC 9260 Section 9.2): queued data
// is still sent and acknowledged, then SHUTDOWN, SHUTDOWN ACK and SHUTDOWN
// COMPLETE are exchanged and a ShutdownComp event reported. It is gen_sctp's
// eof. In COOKIE-WAIT or COOKIE-ECHOED the attempt is aborted instead.
func (a *Association) Shutdown(now timer.Time) error {
	switch a.state {
	case StateClosed:
		return ErrClosed
	case StateCookieWait, StateCookieEchoed:
		a.Abort(now, nil)
		return nil
	case StateEstablished:
		// "Upon receipt of the SHUTDOWN primitive from its upper layer, the
		// endpoint enters the SHUTDOWN-PENDING state and remains there
		// until all outstanding data has been acknowledged by its peer."
		a.setState(StateShutdownPending, "shutdown asked")
		a.afterAck(now)
	}
	// In the other shutdown states it is already under way ("it MUST
	// ignore ULP shutdown requests").
	return nil
}

// afterAck moves the shutdown forward once all data is acknowledged.
//
// Our SSN/TSN Reset Request in flight holds it back too (shutdownWaits;
// flushReconfig calls again).
func (a *Association) afterAck(now timer.Time) {
	if a.out.len() > 0 || a.sendq.Buffered() > 0 || a.shutdownWaits() {
		return
	}
	switch a.state {
	case StateShutdownPending:
		// "Once all its outstanding data has been acknowledged, the endpoint
		// sends a SHUTDOWN chunk ... It SHOULD then start the T2-shutdown
		// timer and enter the SHUTDOWN-SENT state."
		a.setState(StateShutdownSent, "all data acknowledged, SHUTDOWN sent")
		a.queueShutdown(now)
		// "If the T5-shutdown-guard timer is used, it SHOULD be set to the
		// RECOMMENDED value of 5 times 'RTO.Max'."
		a.t5.Start(now, 5*a.cfg.RTO.Max)
	case StateShutdownReceived:
		// "If the receiver of the SHUTDOWN chunk has no more outstanding
		// DATA chunks, the SHUTDOWN chunk receiver MUST send a SHUTDOWN ACK
		// chunk and start a T2-shutdown timer of its own, entering the
		// SHUTDOWN-ACK-SENT state."
		a.setState(StateShutdownAckSent, "all data acknowledged, SHUTDOWN ACK sent")
		a.queueCtrl(ctrlChunk{c: &chunk.ShutdownAck{}})
		a.t2.Start(now, a.primary.rto.RTO())
	}
}

// queueShutdown queues a SHUTDOWN with the current cumulative TSN and
// (re)starts T2-shutdown. A SACK goes with it when gaps or duplicates need
// reporting (RFC 9260 Section 9.2: "then a SACK chunk MUST also be sent").
func (a *Association) queueShutdown(now timer.Time) {
	a.dropCtrl(chunk.TypeShutdown)
	a.queueCtrl(ctrlChunk{c: &chunk.Shutdown{CumTSNAck: a.rcv.cum}})
	if a.rcv.hasGaps() || len(a.rcv.dups) > 0 {
		a.sackDue, a.sackNow = true, true
	} else if a.sackDue {
		// "an endpoint MAY send an acknowledgement in the SHUTDOWN chunk"
		a.sackDue, a.sackNow = false, false
		a.sackTimer.Stop()
	}
	a.t2.Start(now, a.primary.rto.RTO())
}

// handleShutdown processes a SHUTDOWN (RFC 9260 Section 9.2).
func (a *Association) handleShutdown(now timer.Time, c *chunk.Shutdown) error {
	if a.state != StateShutdownReceived {
		a.flushAcks(now) // the packet's SACKs, before the state changes
	}
	switch a.state {
	case StateCookieWait, StateCookieEchoed, StateClosed:
		// "If a SHUTDOWN chunk is received in the COOKIE-WAIT or COOKIE
		// ECHOED state, the SHUTDOWN chunk SHOULD be silently discarded."
		return discard("SHUTDOWN before the association is up", chunk.TypeShutdown, nil)
	case StateShutdownSent:
		// "the endpoint SHOULD respond immediately with a SHUTDOWN ACK
		// chunk to its peer and move into the SHUTDOWN-ACK-SENT state,
		// restarting its T2-shutdown timer."
		a.releaseAhead(now, false, 0) // the peer answers no RE-CONFIG from now on
		a.setState(StateShutdownAckSent, "SHUTDOWN received, SHUTDOWN ACK sent")
		a.dropCtrl(chunk.TypeShutdown)
		a.queueCtrl(ctrlChunk{c: &chunk.ShutdownAck{}})
		a.t2.Start(now, a.primary.rto.RTO())
		return nil
	case StateShutdownAckSent:
		return nil
	}
	// The Cumulative TSN Ack acknowledges our data like a SACK without
	// gap blocks and without a window update. One below the point is
	// stale and ignored; one that acknowledges what was not sent aborts
	// the association as a SACK does (RFC 9260 Section 12.4: "An SCTP
	// implementation MUST abort the association if it receives a SACK
	// chunk acknowledging a TSN that has not been sent"), distances taken
	// forward from the point as for a SACK.
	cum := c.CumTSNAck
	stale := cum.LT(a.ackPoint())
	if !stale && a.notSent(cum) {
		if !a.oldSequenceAck(cum) {
			return a.abortAckNotSent(now, chunk.TypeShutdown)
		}
		stale = true
	}
	valid := !stale
	if a.state == StateShutdownReceived {
		// Another SHUTDOWN: its acknowledgement joins the packet's
		// others, processed once (flushAcks).
		if valid {
			a.shutdownCum, a.hasShutdownCum = cum, true
		}
		return nil
	}
	if valid {
		st := a.state
		a.processShutdownAck(now, cum)
		if a.state == StateClosed {
			return nil
		}
		if a.state != st {
			// The acknowledgement completed our own SHUTDOWN-PENDING: the
			// SHUTDOWN it queued is superseded by the SHUTDOWN ACK below
			// (RFC 9260 Section 9.2, simultaneous shutdown).
			a.dropCtrl(chunk.TypeShutdown)
			a.t5.Stop()
		}
		a.setState(st, "SHUTDOWN received")
	}
	// "enter the SHUTDOWN-RECEIVED state, stop accepting new data from its
	// SCTP user".
	a.setState(StateShutdownReceived, "SHUTDOWN received")
	a.pushEvent(&ShutdownEvent{})
	// Whatever the user queued but never got sent is still sent: the RFC
	// requires only that no new data is accepted.
	a.afterAck(now)
	return nil
}

// handleShutdownAck processes a SHUTDOWN ACK (RFC 9260 Section 9.2).
func (a *Association) handleShutdownAck(now timer.Time, p *packet.Packet) error {
	switch a.state {
	case StateCookieWait, StateCookieEchoed:
		// "The sender of the INIT or COOKIE ECHO chunk SHOULD respond to the
		// receipt of a SHUTDOWN ACK chunk with a stand-alone SHUTDOWN
		// COMPLETE chunk in an SCTP packet with the Verification Tag field
		// of its common header set to the same tag that was received".
		a.queueReply(ctrlChunk{c: &chunk.ShutdownComplete{Flags: chunk.FlagT},
			useTag: true, tag: p.VerificationTag})
		return nil
	case StateShutdownSent, StateShutdownAckSent:
		// "the sender of the SHUTDOWN chunk MUST stop the T2-shutdown
		// timer, send a SHUTDOWN COMPLETE chunk to its peer, and remove all
		// record of the association." Nothing the peer sent is left
		// behind (releaseAhead).
		a.releaseAhead(now, false, 0)
		// RFC 9260 Section 6.10: "An endpoint MUST NOT bundle ... SHUTDOWN
		// COMPLETE chunks with any other chunks": it goes alone.
		a.queueCtrl(ctrlChunk{c: &chunk.ShutdownComplete{}, useTag: true, tag: a.peerTag})
		a.close(now, ShutdownComp, 0, nil)
		return nil
	}
	return discard("unexpected SHUTDOWN ACK", chunk.TypeShutdownAck, nil)
}

// handleShutdownComplete processes a SHUTDOWN COMPLETE: "An endpoint MUST
// ignore the SHUTDOWN COMPLETE chunk if it is not in the SHUTDOWN-ACK-SENT
// state" (RFC 9260 Section 8.5.1 C).
func (a *Association) handleShutdownComplete(now timer.Time) error {
	if a.state != StateShutdownAckSent {
		return discard("unexpected SHUTDOWN COMPLETE", chunk.TypeShutdownComplete, nil)
	}
	a.close(now, ShutdownComp, 0, nil)
	return nil
}

// onT2Expired retransmits the SHUTDOWN or SHUTDOWN ACK, backing off like
// T3-rtx and limited by Association.Max.Retrans (RFC 9260 Section 9.2).
func (a *Association) onT2Expired(now timer.Time) {
	a.logTimer("T2-shutdown", a.primary)
	a.primary.rto.Backoff()
	if a.countError(now, a.primary, true) {
		return
	}
	switch a.state {
	case StateShutdownSent:
		a.queueShutdown(now)
	case StateShutdownAckSent:
		a.dropCtrl(chunk.TypeShutdownAck)
		a.queueCtrl(ctrlChunk{c: &chunk.ShutdownAck{}})
		a.t2.Start(now, a.primary.rto.RTO())
	}
}

// onT5Expired aborts a shutdown that takes too long: "At the expiration of
// this timer, the sender SHOULD abort the association by sending an ABORT
// chunk."
func (a *Association) onT5Expired(now timer.Time) {
	if a.state.shuttingDown() {
		a.abort(now, nil, CommLost)
	}
}

// onAutoclose shuts the association down after Config.Autoclose without
// user data sent or received (RFC 6458 Section 8.1.8).
func (a *Association) onAutoclose(now timer.Time) {
	if a.state == StateEstablished {
		a.Shutdown(now)
	}
}

// touch records user-data activity for autoclose.
func (a *Association) touch(now timer.Time) {
	a.lastActivity = now
	if a.cfg.Autoclose > 0 && a.state == StateEstablished {
		a.autoclose.Start(now, a.cfg.Autoclose)
	}
}

// Abort aborts the association (RFC 9260 Section 9.1): an ABORT chunk with
// a "User-Initiated Abort" cause carrying reason (RFC 9260 Section
// 3.3.10.12) is sent, queued data is discarded (and handed back as
// SendFailed events) and a CommLost event reported. It is gen_sctp's
// abort.
func (a *Association) Abort(now timer.Time, reason []byte) {
	if a.state == StateClosed && a.localTag == 0 {
		return
	}
	a.abort(now, &chunk.UserInitiatedAbortCause{Reason: append([]byte{}, reason...)}, CommLost)
}

// abort sends an ABORT (if the peer's tag is known) with cause (may be
// nil) and closes the association with the event ev.
func (a *Association) abort(now timer.Time, cause chunk.Cause, ev AssocChangeState) {
	if a.state == StateClosed {
		return
	}
	a.flushAcks(now) // what the packet acknowledged before is not failed
	ab := &chunk.Abort{}
	code := chunk.CauseCode(0)
	if cause != nil {
		if c := fitCause(cause, a.minMTU()-packet.HeaderLen-4); c != nil {
			ab.Causes = []chunk.Cause{c}
		}
		code = cause.CauseCode()
	}
	a.clearCtrl()
	if a.peerTag != 0 {
		a.queueCtrl(ctrlChunk{c: ab})
	} else if a.state == StateCookieWait {
		// No peer tag yet: RFC 9260 Section 8.5.1 B lets an ABORT carry
		// the T bit with our own tag reflected.
		a.queueCtrl(ctrlChunk{c: &chunk.Abort{Flags: chunk.FlagT, Causes: ab.Causes},
			useTag: true, tag: a.localTag})
	}
	if a.state == StateCookieWait || a.state == StateCookieEchoed {
		ev = CantAssoc
	}
	a.logEnd("ABORT sent", ev, code, ab.Causes, nil)
	a.close(now, ev, code, nil)
}

// fitCause returns cause, or a copy of it cut to n bytes when it is
// larger: the User-Initiated Abort reason (RFC 9260 Section 3.3.10.12)
// comes from the user and may be of any size, and an ABORT that does not
// fit the PMTU could not be sent (Section 6.10). Other causes are small;
// one that does not fit is left out (nil).
func fitCause(cause chunk.Cause, n int) chunk.Cause {
	if cause.Len() <= n {
		return cause
	}
	if u, ok := cause.(*chunk.UserInitiatedAbortCause); ok && n >= 4 {
		return &chunk.UserInitiatedAbortCause{Reason: u.Reason[:(n-4)&^3]}
	}
	return nil
}

// abortWithTag sends an ABORT with cause using tag (the Initiate Tag of a
// chunk we refuse, RFC 9260 Section 5.1), without changing our state.
func (a *Association) abortWithTag(tag chunk.VerificationTag, cause chunk.Cause) {
	ab := &chunk.Abort{}
	if cause != nil {
		ab.Causes = []chunk.Cause{cause}
	}
	a.queueCtrl(ctrlChunk{c: ab, useTag: true, tag: tag})
}

// handleAbort processes an ABORT (RFC 9260 Section 9.1: "Upon receipt of
// the ABORT chunk, the receiving endpoint MUST NOT send any SCTP packets
// in response ... it MUST delete the TCB, and it SHOULD report the
// termination to its upper layer").
func (a *Association) handleAbort(now timer.Time, c *chunk.Abort) {
	if a.state == StateClosed {
		return
	}
	code := chunk.CauseCode(0)
	if len(c.Causes) > 0 {
		code = c.Causes[0].CauseCode()
	}
	ev := CommLost
	var err error
	if a.state == StateCookieWait || a.state == StateCookieEchoed {
		ev, err = CantAssoc, ErrRefused
	}
	a.flushAcks(now) // what the packet acknowledged before is not failed
	a.clearCtrl()
	a.logEnd("ABORT received", ev, code, c.Causes, err)
	a.close(now, ev, code, copyCauses(c.Causes)).Err = err
}

// fail ends the association without sending anything.
func (a *Association) fail(now timer.Time, ev AssocChangeState, code chunk.CauseCode, causes []chunk.Cause) {
	if a.state == StateClosed && a.localTag == 0 {
		return
	}
	a.logEnd("failed", ev, code, causes, nil)
	a.close(now, ev, code, causes)
}

// failWith ends the association attempt without sending anything more,
// for the local reason err, which the AssocChange event carries.
func (a *Association) failWith(now timer.Time, ev AssocChangeState, err error) {
	if a.state == StateClosed && a.localTag == 0 {
		return
	}
	a.logEnd("failed", ev, 0, nil, err)
	a.close(now, ev, 0, nil).Err = err
}

// close enters CLOSED: timers stop, unacknowledged and unsent messages are
// handed back as SendFailed events (except after a graceful shutdown, when
// there are none), and the AssocChange event is reported (and returned).
func (a *Association) close(now timer.Time, ev AssocChangeState, code chunk.CauseCode, causes []chunk.Cause) *AssocChange {
	if ev != ShutdownComp {
		a.failOutstanding(code)
	}
	a.setState(StateClosed, ev.String())
	a.endHandshake()
	a.t2.Stop()
	a.t5.Stop()
	a.sackTimer.Stop()
	// Nothing goes out after the association closes but what closed it
	// (RFC 9260 Section 9.1: on an ABORT, "MUST NOT send any SCTP packets
	// in response"; Section 3.3.7: control chunks bundled with an ABORT
	// "MUST be placed before the ABORT chunk"): a SACK that was due, from
	// this packet or an earlier one of the same batch, is not sent.
	a.sackDue, a.sackNow, a.packetsUnacked = false, false, 0
	a.rcv.clearDups()
	a.autoclose.Stop()
	for _, p := range a.paths {
		p.t3.Stop()
		p.hb.Stop()
	}
	if ev != ShutdownComp {
		for _, pa := range a.reasm.AbortPartial() {
			a.pushEvent(&PDAPIEvent{Indication: PartialDeliveryAborted, Stream: pa.Stream})
		}
	}
	st := &AssocChange{State: ev, Error: code, Causes: causes}
	if ev == ShutdownComp {
		st.OutboundStreams, st.InboundStreams = 0, 0
	}
	a.pushEvent(st)
	return st
}

// handleError processes an ERROR chunk: a Stale Cookie cause restarts the
// handshake (RFC 9260 Section 5.2.6); every ERROR is reported as a
// RemoteError event.
func (a *Association) handleError(now timer.Time, c *chunk.OperationError) {
	for _, cause := range c.Causes {
		if sc, ok := cause.(*chunk.StaleCookieCause); ok {
			a.handleStaleCookie(now, sc)
			return
		}
		a.asconfUnrecognized(cause)
	}
	if a.queuedEventsByKind[noticeRemoteError] >= maxQueuedNotices {
		// Not reported (see maxQueuedNotices): do not copy the causes.
		a.stats.DroppedRemoteErrors++
		return
	}
	ev := &RemoteError{Causes: copyCauses(c.Causes)}
	if len(c.Causes) > 0 {
		ev.Error = c.Causes[0].CauseCode()
	}
	a.pushEvent(ev)
}

// copyCauses deep-copies causes that alias a packet buffer, by encoding and
// parsing them again.
func copyCauses(cs []chunk.Cause) []chunk.Cause {
	if len(cs) == 0 {
		return nil
	}
	out := make([]chunk.Cause, 0, len(cs))
	for _, c := range cs {
		b := c.Append(nil)
		if cc, _, err := chunk.ParseCause(b); err == nil {
			out = append(out, cc)
		}
	}
	return out
}

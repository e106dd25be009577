package association

import (
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// The receiver side of stream reconfiguration (RE-CONFIG, RFC 6525
// Section 5.2): the peer's requests are answered, the Outgoing SSN Reset
// Request (the peer resets its outgoing streams, our incoming ones) is
// performed, and the other requests are denied.

// reconfState is the RE-CONFIG receiver state, allocated with the first
// RE-CONFIG chunk (reconf).
type reconfState struct {
	// initial is the peer's Initial TSN the state belongs to: a restart
	// (a new Initial TSN) starts the request sequence afresh.
	initial chunk.TSN
	// inSeq is the next Re-configuration Request Sequence Number expected
	// from the peer; results are the results of inSeq-1 and inSeq-2, the
	// first answered of which are repeated to a retransmitted request
	// (RFC 6525 Section 5.2.1: "the same RE-CONFIG chunk MUST to be sent
	// back in response, as it was earlier"), answered how many of them
	// there are.
	inSeq    uint32
	results  [2]chunk.ReconfigResult
	answered int
	// deferred: an Outgoing SSN Reset Request waits for the Cumulative
	// TSN Ack Point to reach defLast (RFC 6525 Section 5.2.2 E2), for
	// request defSeq, resetting defStreams (empty: all).
	deferred   bool
	defSeq     uint32
	defLast    chunk.TSN
	defStreams []chunk.StreamID
	// held are the DATA chunks held for the deferred reset, heldBytes
	// their user data (reconfig_peer_defer.go).
	held      []resetHeld
	heldBytes int
	// ahead are the peer's chunks held while our SSN/TSN Reset Request
	// is in flight, in the order they came, aheadBytes their user data
	// and stream entries (reconfig_send_assoc_hold.go).
	ahead      []resetHeld
	aheadBytes int
	// assoc is the peer's last SSN/TSN Reset Request answered
	// (reconfig_peer_assoc.go).
	assoc assocReset
	// out are the responses to the RE-CONFIG chunks of the packet being
	// processed, sent once it is processed completely (E6).
	out []chunk.ReconfigResponse

	// The sender side (reconfig_send.go): outSeq is our next
	// Re-configuration Request Sequence Number, send our request until
	// answered (nil if none), t4 the Re-configuration Timer; addInTarget
	// is the inbound stream count our Add Incoming Streams Request asks
	// for; tsnSentAt is when our last SSN/TSN Reset Request went, if
	// tsnSent.
	outSeq      uint32
	send        *reconfOut
	t4          timer.Timer
	addInTarget uint16
	tsnSentAt   timer.Time
	tsnSent     bool
	// implicitSeq is the number of our last request, an Add Incoming
	// Streams Request, if the peer's Add Outgoing Streams Request ended
	// it without an answer of its own (implicit; addInByRequest).
	implicitSeq uint32
	implicit    bool
	// refill: the peer answered our request "Error - Bad Sequence
	// Number" as one that skipped implicitSeq, and an Add Incoming
	// Streams Request for no stream fills that number while ours is in
	// flight (refillRequest).
	refill bool
	// oldCum is our Cumulative TSN Ack Point before the last SSN/TSN
	// reset performed by the answer to our request, if hasOldCum
	// (staleAck).
	oldCum    chunk.TSN
	hasOldCum bool
	// inDone is our last Incoming SSN Reset Request the peer answered
	// "Performed" (its Outgoing SSN Reset Request comes after the answer,
	// answersIncoming) or with its Outgoing SSN Reset Request.
	inDone *chunk.IncomingSSNResetRequest
	// inWaits: the peer answered inDone "Performed" and its Outgoing SSN
	// Reset Request, which brings the user's event, has not arrived yet.
	inWaits bool
}

// reconfig reports whether stream reconfiguration (RFC 6525) is in use:
// on in our Config and offered by the peer. RFC 6525 Section 5.1.1: "If
// the chunk type of the RE-CONFIG chunk does not appear in the supported
// extension's list of chunks, then the sender MUST NOT send any
// re-configuration request to the peer".
func (a *Association) reconfig() bool {
	return !a.cfg.ReconfigDisabled && a.peerFeatures&featReconfig != 0
}

// StreamReconfig reports whether the association negotiated stream
// reconfiguration (RFC 6525): both ends listed RE-CONFIG in their
// Supported Extensions parameter. Before the handshake completes it is
// false.
func (a *Association) StreamReconfig() bool {
	return a.state >= StateEstablished && a.reconfig()
}

// reconf returns the RE-CONFIG state, (re)made for the peer's current
// Initial TSN: RFC 6525 Section 5.1.2 ... 5.1.6 number the first request
// with "the initial TSN".
func (a *Association) reconf() *reconfState {
	s := a.scr()
	if s.rc == nil || s.rc.initial != a.peerInitialTSN {
		if s.rc != nil {
			a.timers.Remove(&s.rc.t4)
		}
		s.rc = &reconfState{initial: a.peerInitialTSN, inSeq: uint32(a.peerInitialTSN),
			outSeq: uint32(a.initialTSN), t4: timer.Timer{ID: timer.T4Reconfig}}
		a.timers.Add(&s.rc.t4)
	}
	return s.rc
}

// reconfIf returns the RE-CONFIG state, or nil if there is none.
func (a *Association) reconfIf() *reconfState {
	if a.scratchBuf == nil {
		return nil
	}
	return a.scratchBuf.rc
}

// handleReConfig processes a RE-CONFIG chunk (RFC 6525 Section 5.2.1):
// each request parameter gets its response, queued for the end of the
// packet (flushReconfig); responses to requests we never sent are
// ignored. A chunk with a combination of parameters RFC 6525 Section 3.1
// does not allow is answered by an ERROR chunk with a Protocol Violation
// cause and otherwise ignored.
func (a *Association) handleReConfig(now timer.Time, c *chunk.ReConfig) error {
	switch a.state {
	case StateEstablished, StateShutdownPending, StateShutdownReceived, StateShutdownSent:
	default:
		return discard("RE-CONFIG in state "+a.state.String(), chunk.TypeReConfig, nil)
	}
	if !validReconfigParams(c.Params) {
		if a.canReport() {
			a.queueAnswer(ctrlChunk{c: &chunk.OperationError{Causes: []chunk.Cause{
				&chunk.ProtocolViolationCause{Info: []byte("RE-CONFIG parameters")}}}})
		}
		return discard("RE-CONFIG with parameters RFC 6525 Section 3.1 does not allow", chunk.TypeReConfig, nil)
	}
	rs := a.reconf()
	request := false
	for _, p := range c.Params {
		var seq uint32
		var perform func() chunk.ReconfigResult
		switch p := p.(type) {
		case *chunk.OutgoingSSNResetRequest:
			seq, perform = p.ReqSeq, func() chunk.ReconfigResult { return a.resetIncoming(p) }
		case *chunk.AddOutgoingStreams:
			seq, perform = p.ReqSeq, func() chunk.ReconfigResult { return a.addInbound(p.NumNewStreams) }
		case *chunk.IncomingSSNResetRequest:
			seq, perform = p.ReqSeq, func() chunk.ReconfigResult { return a.incomingRequest(p) }
		case *chunk.SSNTSNResetRequest:
			seq, perform = p.ReqSeq, a.resetAssoc
			if !a.denies(p) {
				a.retryResetAssoc(seq)
			}
		case *chunk.AddIncomingStreams:
			seq, perform = p.ReqSeq, func() chunk.ReconfigResult { return a.addOutgoingRequest(p.NumNewStreams) }
		case *chunk.ReconfigResponse:
			a.handleReconfigResponse(now, p)
			continue
		default:
			continue
		}
		request = true
		if a.denies(p) && !a.answersIncoming(p) {
			perform = deny
		}
		fresh := seq == rs.inSeq // not a retransmission of a request answered
		res := rs.answer(seq, perform)
		rs.out = append(rs.out, rs.assocResponse(chunk.ReconfigResponse{RespSeq: seq, Result: res}))
		if fresh {
			a.peerRequestAnswered(p, res)
		}
	}
	if request {
		// "If the received RE-CONFIG chunk contains at least one request
		// parameter, a selective acknowledgment (SACK) chunk SHOULD be
		// sent back and MAY be bundled with the RE-CONFIG chunk."
		a.sackDue, a.sackNow = true, true
	}
	a.touch(now)
	return nil
}

// deny is the result of a request this side does not perform.
func deny() chunk.ReconfigResult { return chunk.ReconfigDenied }

// validReconfigParams reports whether ps is a combination of parameters
// RFC 6525 Section 3.1 allows in one RE-CONFIG chunk: one request or
// response, or an Outgoing and an Incoming SSN Reset Request, an Add
// Outgoing and an Add Incoming Streams Request, a Response and an
// Outgoing SSN Reset Request, or two Responses.
func validReconfigParams(ps []chunk.Param) bool {
	kind := func(p chunk.Param) chunk.ParamType {
		switch p.(type) {
		case *chunk.OutgoingSSNResetRequest, *chunk.IncomingSSNResetRequest, *chunk.SSNTSNResetRequest,
			*chunk.ReconfigResponse, *chunk.AddOutgoingStreams, *chunk.AddIncomingStreams:
			return p.ParamType()
		}
		return 0
	}
	switch len(ps) {
	case 1:
		return kind(ps[0]) != 0
	case 2:
		x, y := kind(ps[0]), kind(ps[1])
		if x > y {
			x, y = y, x
		}
		type pair struct{ x, y chunk.ParamType }
		switch (pair{x, y}) {
		case pair{chunk.ParamOutgoingSSNResetRequest, chunk.ParamIncomingSSNResetRequest},
			pair{chunk.ParamAddOutgoingStreams, chunk.ParamAddIncomingStreams},
			pair{chunk.ParamOutgoingSSNResetRequest, chunk.ParamReconfigResponse},
			pair{chunk.ParamReconfigResponse, chunk.ParamReconfigResponse}:
			return true
		}
	}
	return false
}

// answer returns the result of the request with sequence number seq,
// performing it with perform if it is the one expected next. RFC 6525
// Section 5.2.1: a retransmission of a request answered gets the same
// answer again; any other sequence number is answered "Error - Bad
// Sequence Number" (Section 4.4, Table 3) and nothing is done.
func (rs *reconfState) answer(seq uint32, perform func() chunk.ReconfigResult) chunk.ReconfigResult {
	switch d := rs.inSeq - seq; {
	case d == 0:
		// inSeq moves first: a deferred reset records its own number.
		rs.inSeq++
		res := perform()
		rs.results[1], rs.results[0] = rs.results[0], res
		rs.answered = min(rs.answered+1, len(rs.results))
		return res
	case d >= 1 && int(d) <= rs.answered:
		return rs.results[d-1]
	}
	return chunk.ReconfigErrorBadSequenceNumber
}

// setResult records res as the result of the answered request seq, so
// that its retransmission gets res (a deferred reset performed).
func (rs *reconfState) setResult(seq uint32, res chunk.ReconfigResult) {
	if d := rs.inSeq - seq; d >= 1 && int(d) <= rs.answered {
		rs.results[d-1] = res
	}
	for i := range rs.out {
		if rs.out[i].RespSeq == seq && rs.out[i].Result == chunk.ReconfigInProgress {
			rs.out[i].Result = res
		}
	}
}

// resetIncoming performs the peer's Outgoing SSN Reset Request p (RFC 6525
// Section 5.2.2), or defers it until every TSN up to its Sender's Last
// Assigned TSN has arrived.
func (a *Association) resetIncoming(p *chunk.OutgoingSSNResetRequest) chunk.ReconfigResult {
	rs := a.reconf()
	if rs.deferred {
		return chunk.ReconfigErrorRequestAlreadyInProgress
	}
	for _, id := range p.Streams {
		if uint16(id) >= a.inbound {
			return chunk.ReconfigDenied
		}
	}
	if p.SenderLastTSN.GT(a.rcv.cum) || a.aheadAtOrBelow(p.SenderLastTSN) {
		// Also deferred while chunks up to the Sender's Last Assigned
		// TSN, received, are held for our SSN/TSN Reset Request
		// (reconfig_send_assoc_hold.go): they come first.
		if p.SenderLastTSN.GT(a.rcv.cum) && p.SenderLastTSN.Sub(a.rcv.cum) > uint32(a.cfg.ReceiveBuffer)+maxForwardAhead {
			// TSNs further ahead than a sender that respects our window
			// can have assigned: waiting for them would hold the streams
			// for ever (see maxForwardAhead).
			return chunk.ReconfigDenied
		}
		// E2: "the endpoint MUST enter "deferred reset processing" ...
		// it MUST put a Re-configuration Response Parameter into a
		// RE-CONFIG chunk indicating "In progress"".
		rs.deferred, rs.defSeq, rs.defLast = true, rs.inSeq-1, p.SenderLastTSN
		rs.defStreams = append(rs.defStreams[:0], p.Streams...)
		return chunk.ReconfigInProgress
	}
	a.performReset(p.Streams)
	return chunk.ReconfigSuccessPerformed
}

// performReset resets the next expected SSN of the incoming streams ids
// (all if empty) to 0 (RFC 6525 Section 5.2.2 E3) and tells the user.
func (a *Association) performReset(ids []chunk.StreamID) {
	if a.reasm != nil {
		a.reasm.ResetSSNs(ids)
	}
	a.pushEvent(&StreamResetEvent{Flags: StreamResetIncoming, Streams: append([]chunk.StreamID(nil), ids...)})
}

// addInbound performs the peer's Add Outgoing Streams Request (RFC 6525
// Section 5.2.5) for n more streams: granted within MaxInboundStreams
// ("The SCTP endpoint SHOULD deny the request if the number of streams
// exceeds a limit that should be configurable by the application"), the
// new streams expecting SSN 0, and the user told with a
// StreamChangeEvent.
func (a *Association) addInbound(n uint16) chunk.ReconfigResult {
	total := int(a.inbound) + int(n)
	if n == 0 || total > int(a.cfg.MaxInboundStreams) {
		return chunk.ReconfigDenied
	}
	a.setInbound(uint16(total))
	a.pushEvent(&StreamChangeEvent{InStreams: a.inbound, OutStreams: a.outbound})
	return chunk.ReconfigSuccessPerformed
}

// flushReconfig runs after the chunks of a packet: a deferred reset
// whose TSNs have all arrived is performed (RFC 6525 Section 5.2.2 E3),
// then the chunks held for it are processed (E4, releaseHeld), and the responses to the packet's RE-CONFIG chunks go in one
// RE-CONFIG chunk (Section 5.2.1: "If multiple parameters have to be
// returned, they MUST be put into one RE_CONFIG chunk"; E6: "The
// RE-CONFIG chunk MUST be sent after the incoming RE-CONFIG chunk is
// processed completely").
func (a *Association) flushReconfig(now timer.Time) {
	rs := a.reconfIf()
	if rs == nil {
		return
	}
	if a.state == StateShutdownPending || a.state == StateShutdownReceived {
		// The shutdown may have waited for our SSN/TSN Reset Request.
		a.afterAck(now)
	}
	if a.deferredReset() != nil && a.rcv.cum.GE(rs.defLast) && !a.aheadAtOrBelow(rs.defLast) {
		rs.deferred = false
		a.performReset(rs.defStreams)
		a.releaseHeld(now)
		rs.setResult(rs.defSeq, chunk.ReconfigSuccessPerformed)
	}
	a.performWaitingAssocReset()
	if len(rs.out) == 0 {
		return
	}
	for len(rs.out) > 0 {
		// A chunk carries at most two parameters (RFC 6525 Section 3.1).
		n := min(len(rs.out), 2)
		c := &chunk.ReConfig{Params: make([]chunk.Param, n)}
		for i := range n {
			r := rs.out[i]
			c.Params[i] = &r
		}
		rs.out = rs.out[n:]
		if a.state != StateClosed {
			a.queueAnswer(ctrlChunk{c: c})
		}
	}
	rs.out = nil
}

package association

import (
	"errors"
	"slices"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// The sender side of stream reconfiguration (RFC 6525 Section 5.1): the
// user's requests (ResetStreams, ResetStreamsDir, ResetAssoc, AddStreams)
// wait until they may go (the Outgoing SSN Reset Request once the
// streams' queued data is handed out, the SSN/TSN Reset Request once
// every TSN is acknowledged), then go in one RE-CONFIG chunk,
// retransmitted on the Re-configuration Timer until answered. One
// request (or the pair of Section 3.1) is in flight at a time.

// Errors of the reconfiguration requests and Send. Test with errors.Is.
var (
	// ErrReconfigNotSupported: the peer did not offer stream
	// reconfiguration (RFC 6525 Section 5.1.1: such a request "SHOULD be
	// responded to with an appropriate error indicating that the peer
	// SCTP stack does not support the re-configuration extension"), or
	// Config.ReconfigDisabled is set.
	ErrReconfigNotSupported = errors.New("association: the peer does not support stream reconfiguration (RFC 6525)")
	// ErrReconfigInProgress: a reconfiguration request of ours (a stream
	// reset, an SSN/TSN reset or an addition of streams) is already
	// waiting for its answer (RFC 6525 Section 5.1.1: "there MUST NOT be
	// more than one request in flight"); retry after its event.
	ErrReconfigInProgress = errors.New("association: a stream reconfiguration request is already in progress")
	// ErrStreamResetting: Send to a stream whose reset is not complete
	// (a stream is not reused before its reset completes); retry after
	// its StreamResetEvent.
	ErrStreamResetting = errors.New("association: stream is being reset")
)

// reconfOut is our request from the user's call until every parameter
// in it is answered: one request parameter, or the two of RFC 6525
// Section 3.1 (an Outgoing and an Incoming SSN Reset Request, an Add
// Outgoing and an Add Incoming Streams Request).
type reconfOut struct {
	// out and in are the SSN Reset Requests, tsn the SSN/TSN Reset
	// Request, addOut and addIn the Add Streams Requests; nil if not
	// part of the request.
	out    *chunk.OutgoingSSNResetRequest
	in     *chunk.IncomingSSNResetRequest
	tsn    *chunk.SSNTSNResetRequest
	addOut *chunk.AddOutgoingStreams
	addIn  *chunk.AddIncomingStreams
	// sent: the parameters are numbered and on their way; rto is the
	// Re-configuration Timer's value, backed off.
	sent bool
	rto  time.Duration
	// inProgress: the last answer was "In progress", so that the next
	// expiry counts no error (RFC 6525 Section 5.2.7 H2).
	inProgress bool
	// quiet: the request performs the peer's (an Add Outgoing Streams
	// Request for its Add Incoming one, reconfig_peer_streams.go), or
	// is an SSN/TSN Reset Request that yielded to the peer's
	// (yieldAssocReset): the user already has its event, and a restart
	// ends it without another.
	quiet bool
	// shutdownRetx: the request was retransmitted in SHUTDOWN-RECEIVED
	// with the peer's data held for it (onT4Expired).
	shutdownRetx bool
}

// params returns the request parameters not yet answered.
func (o *reconfOut) params() []chunk.Param {
	var ps []chunk.Param
	if o.out != nil {
		ps = append(ps, o.out)
	}
	if o.in != nil {
		ps = append(ps, o.in)
	}
	if o.tsn != nil {
		ps = append(ps, o.tsn)
	}
	if o.addOut != nil {
		ps = append(ps, o.addOut)
	}
	if o.addIn != nil {
		ps = append(ps, o.addIn)
	}
	return ps
}

// ResetStreams resets the outgoing streams ids (all if empty) (RFC 6525
// Section 5.1.2): once the messages queued on them are handed out, an
// Outgoing SSN Reset Request goes to the peer, retransmitted on the
// Re-configuration Timer (Section 5.1.1) until the peer answers. Sends
// to those streams fail with ErrStreamResetting meanwhile. The answer
// comes as a StreamResetEvent with StreamResetOutgoing, plus
// StreamResetDenied or StreamResetFailed if the streams were not reset;
// once reset, the streams' next message has SSN 0. An association not
// established returns ErrNotEstablished. It is ResetStreamsDir with
// StreamResetOutgoing.
func (a *Association) ResetStreams(now timer.Time, ids []chunk.StreamID) error {
	return a.ResetStreamsDir(now, StreamResetOutgoing, ids)
}

// startRequest checks that a request of ours may start: the association
// is established, reconfiguration negotiated, the request's arguments
// good (check, if not nil) and no request of ours pending. It returns
// the RE-CONFIG state.
func (a *Association) startRequest(check func() error) (*reconfState, error) {
	if a.state != StateEstablished {
		return nil, ErrNotEstablished
	}
	if !a.reconfig() {
		return nil, ErrReconfigNotSupported
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, err
		}
	}
	rs := a.reconf()
	if rs.send != nil {
		return nil, ErrReconfigInProgress
	}
	return rs, nil
}

// resetting reports whether stream id waits for its reset to complete.
func (a *Association) resetting(id chunk.StreamID) bool {
	rs := a.reconfIf()
	return rs != nil && rs.send != nil && rs.send.out != nil && lists(rs.send.out.Streams, id)
}

// lists reports whether the stream list ids (empty: all streams) has id.
func lists(ids []chunk.StreamID, id chunk.StreamID) bool {
	if len(ids) == 0 {
		return true
	}
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// trySendReset sends our request once it may go: an Outgoing SSN Reset
// Request once no message is queued on its streams, with the last TSN
// assigned as its Sender's Last Assigned TSN (RFC 6525 Section 5.1.2),
// an SSN/TSN Reset Request once every TSN is acknowledged (Section 5.1.4
// C2), the others at once. Each parameter takes the next request
// sequence number, and the Re-configuration Timer starts (Section
// 5.1.1).
func (a *Association) trySendReset(now timer.Time) {
	rs := a.reconfIf()
	if rs == nil || rs.send == nil || rs.send.sent {
		return
	}
	o := rs.send
	if o.out != nil && !a.queueEmptyOn(o.out.Streams) || o.tsn != nil && !a.tsnResetReady() {
		return
	}
	// "The sender MUST assign the next re-configuration request sequence
	// number ... The next re-configuration request sequence number MUST
	// be incremented by 1." The Response Sequence Number is "the next
	// expected Re-configuration Request Sequence Number of the peer minus
	// 1".
	next := func() uint32 { rs.outSeq++; return rs.outSeq - 1 }
	if o.out != nil {
		o.out.ReqSeq = next()
		o.out.RespSeq = rs.inSeq - 1
		o.out.SenderLastTSN = a.nextTSN - 1
	}
	if o.in != nil {
		o.in.ReqSeq = next()
	}
	if o.tsn != nil {
		o.tsn.ReqSeq = next()
		rs.tsnSentAt, rs.tsnSent = now, true
	}
	if o.addOut != nil {
		o.addOut.ReqSeq = next()
	}
	if o.addIn != nil {
		o.addIn.ReqSeq = next()
	}
	o.sent, o.rto = true, a.primary.rto.RTO()
	a.sendReset(now)
}

// queueEmptyOn reports whether no message is queued on the outgoing
// streams ids (all if empty).
func (a *Association) queueEmptyOn(ids []chunk.StreamID) bool {
	if a.sendq == nil || len(ids) == 0 {
		return a.sendq.Buffered() == 0
	}
	for _, id := range ids {
		if a.sendq.BufferedOn(id) > 0 {
			return false
		}
	}
	return true
}

// sendReset queues the parameters of our request not yet answered and
// (re)starts the Re-configuration Timer.
func (a *Association) sendReset(now timer.Time) {
	rs := a.reconf()
	if rs.refill {
		a.queueCtrl(ctrlChunk{c: &chunk.ReConfig{Params: []chunk.Param{
			&chunk.AddIncomingStreams{ReqSeq: rs.implicitSeq}}}})
	}
	a.queueCtrl(ctrlChunk{c: &chunk.ReConfig{Params: rs.send.params()}})
	rs.t4.Start(now, rs.send.rto)
}

// onT4Expired retransmits the request (RFC 6525 Section 5.1.1: "If the
// timer expires, besides doubling the value, the sender MUST retransmit
// the RE-CONFIG chunk, increment the appropriate error counts (for both
// the association and the destination), and perform threshold
// management"), with no error counted after an "In progress" answer
// (Section 5.2.7 H2: "the corresponding error counters MUST NOT be
// incremented").
func (a *Association) onT4Expired(now timer.Time) {
	rs := a.reconf()
	o := rs.send
	if o == nil || !o.sent {
		return
	}
	o.rto = min(2*o.rto, a.primary.rto.Config().Max)
	if !o.inProgress && a.countError(now, a.primary, true) {
		return // the association failed
	}
	if a.state == StateShutdownReceived && len(rs.ahead) > 0 {
		// The peer, in SHUTDOWN-SENT, may not answer (shutdownWaits):
		// if the retransmission sent in this state got no answer either,
		// what it sent is processed in the sequence in place, and the
		// shutdown goes on.
		if o.shutdownRetx {
			a.releaseAhead(now, false, 0)
			a.afterAck(now)
		}
		o.shutdownRetx = true
	}
	o.inProgress = false
	a.sendReset(now)
}

// endResetOnRestart ends our request when the peer restarts (RFC 9260
// Section 5.2.4 action A): the restart resets every stream as a new
// association would, so a stream reset is done and the user gets its
// event (an incoming one too: the restarted peer starts its streams at
// SSN 0); an SSN/TSN reset or an addition of streams, which the restart
// undoes or does otherwise, fails. The RE-CONFIG state is remade for the
// new peer (reconf). The peer's reset that performs our Incoming SSN
// Reset Request, deferred (RFC 6525 Section 5.2.2 E2), is done by the
// restart too: its event goes to the user, who asked for it, and so
// does the event of an Incoming SSN Reset Request the peer answered
// "Performed" whose Outgoing SSN Reset Request had not arrived (inWaits).
func (a *Association) endResetOnRestart() {
	if rs := a.deferredReset(); rs != nil && rs.inDone != nil && overlaps(rs.defStreams, rs.inDone.Streams) {
		a.pushEvent(&StreamResetEvent{Flags: StreamResetIncoming, Streams: slices.Clone(rs.defStreams)})
	}
	if rs := a.reconfIf(); rs != nil && rs.initial == a.peerInitialTSN && rs.inWaits {
		rs.inWaits = false
		a.pushEvent(&StreamResetEvent{Flags: StreamResetIncoming, Streams: rs.inDone.Streams})
	}
	rs := a.reconfIf()
	if rs != nil {
		// What the old peer sent while our SSN/TSN Reset Request was in
		// flight goes with it (reconfig_send_assoc_hold.go).
		rs.ahead, rs.aheadBytes = nil, 0
	}
	if rs == nil || rs.send == nil {
		return
	}
	rs.t4.Stop()
	o := rs.send
	rs.send = nil
	if o.out != nil {
		a.pushEvent(&StreamResetEvent{Flags: StreamResetOutgoing, Streams: o.out.Streams})
	}
	if o.in != nil {
		a.pushEvent(&StreamResetEvent{Flags: StreamResetIncoming, Streams: o.in.Streams})
	}
	if o.tsn != nil && !o.quiet {
		a.pushEvent(&AssocResetEvent{Flags: ReconfigFailed, LocalTSN: a.nextTSN, RemoteTSN: a.rcv.cum + 1})
	}
	if (o.addOut != nil || o.addIn != nil) && !o.quiet {
		a.streamChanged(ReconfigFailed)
	}
}

// handleReconfigResponse processes the peer's answer to our request (RFC
// 6525 Section 5.2.7); an answer to anything else is ignored.
func (a *Association) handleReconfigResponse(now timer.Time, p *chunk.ReconfigResponse) {
	rs := a.reconf()
	o := rs.send
	if o == nil || !o.sent {
		return
	}
	if rs.refill && p.RespSeq == rs.implicitSeq {
		// The filler is answered: the request's own answers follow it.
		rs.refill = false
		return
	}
	var done func(*chunk.ReconfigResponse)
	switch {
	case o.out != nil && p.RespSeq == o.out.ReqSeq:
		done = a.outResetAnswered
	case o.in != nil && p.RespSeq == o.in.ReqSeq:
		done = a.inResetAnswered
	case o.tsn != nil && p.RespSeq == o.tsn.ReqSeq:
		done = func(p *chunk.ReconfigResponse) { a.assocResetAnswered(now, p) }
	case o.addOut != nil && p.RespSeq == o.addOut.ReqSeq:
		done = a.addOutAnswered
	case o.addIn != nil && p.RespSeq == o.addIn.ReqSeq:
		done = a.addInAnswered
	default:
		return
	}
	if a.refillRequest(now, p) {
		return
	}
	if rs.implicit && p.Result != chunk.ReconfigErrorBadSequenceNumber && p.RespSeq-rs.implicitSeq-1 < 1<<31 {
		// The peer answered a number past the implicit one: it had it.
		rs.implicit = false
	}
	if p.Result == chunk.ReconfigInProgress {
		// H2: "the timer for the Re-configuration Request Sequence
		// Number is started again".
		o.inProgress = true
		rs.t4.Start(now, o.rto)
		// Not performed: the peer's data held for it is of the
		// sequence in place (aheadHold).
		a.releaseAhead(now, false, 0)
		return
	}
	done(p)
	a.requestAnswered()
}

// refillRequest sends our request again, after an Add Incoming Streams
// Request for no stream numbered implicitSeq, when the peer answers the
// request's first parameter, numbered right after an Add Incoming
// Streams Request of ours that ended implicitly (addInByRequest), "Error
// - Bad Sequence Number": the peer has not received that request (lost,
// or late, and its Add Outgoing Streams Request was its own, crossing
// ours), so it still expects that number (RFC 6525 Section 5.2.1), and
// every request of ours would be refused from then on. The filler takes
// the number whichever of the two arrives first: if the filler, the
// peer denies it (no stream to add) and the late request gets the same
// answer as its retransmission; if the late request, it is performed and
// the filler gets its answer. Either way each number means one request
// at both ends (sending ours one number lower instead made the late
// request's answer ours: FuzzStates input ea80b5940bac721e). It is done
// once per implicit end, and reports whether it was.
//
// While the filler is not answered, "Bad Sequence Number" for another
// parameter of the request is the peer's answer to what went before it
// (the second parameter of the first answer, FuzzStates input
// aad13286ee986a97), not final: the request stays in flight, sent again
// with the filler.
func (a *Association) refillRequest(now timer.Time, p *chunk.ReconfigResponse) bool {
	rs := a.reconf()
	if p.Result != chunk.ReconfigErrorBadSequenceNumber {
		return false
	}
	if rs.refill {
		return true
	}
	if !rs.implicit || p.RespSeq != rs.implicitSeq+1 {
		return false
	}
	if *reqSeqField(rs.send.params()[0]) != p.RespSeq {
		return false
	}
	rs.implicit, rs.refill = false, true
	a.sendReset(now)
	return true
}

// requestAnswered ends our request once every parameter in it is
// answered (RFC 6525 Section 5.2.7 H1: "If all Re-configuration Request
// Sequence Numbers for which the Re-configuration Timer is running are
// acknowledged, the Re-configuration Timer MUST be stopped").
func (a *Association) requestAnswered() {
	rs := a.reconf()
	if len(rs.send.params()) > 0 {
		return
	}
	rs.t4.Stop()
	rs.send = nil
	rs.refill = false
}

// outResetAnswered completes the Outgoing SSN Reset Request of ours with
// the peer's answer p (RFC 6525 Section 5.2.7 H3, H4).
func (a *Association) outResetAnswered(p *chunk.ReconfigResponse) {
	o := a.reconf().send
	req := o.out
	o.out = nil
	flags := StreamResetFlags(resultFlags(p.Result))
	if flags == 0 {
		a.sendq.ResetSSNs(req.Streams)
	}
	a.pushEvent(&StreamResetEvent{Flags: StreamResetOutgoing | flags, Streams: req.Streams})
}

// resultFlags returns the flags of the event that ends a request of ours
// answered res: none for success, ReconfigDenied for a denial,
// ReconfigFailed otherwise. RFC 6525 Section 6.1 gives the denied and
// failed flags of the three events the same values, so that they are
// StreamResetDenied and StreamResetFailed too.
func resultFlags(res chunk.ReconfigResult) ReconfigFlags {
	switch res {
	case chunk.ReconfigSuccessPerformed, chunk.ReconfigSuccessNothingToDo:
		return 0
	case chunk.ReconfigDenied:
		return ReconfigDenied
	}
	return ReconfigFailed
}

// reqSeqField returns the Re-configuration Request Sequence Number field
// of a request parameter of ours, nil for another parameter.
func reqSeqField(p chunk.Param) *uint32 {
	switch p := p.(type) {
	case *chunk.OutgoingSSNResetRequest:
		return &p.ReqSeq
	case *chunk.IncomingSSNResetRequest:
		return &p.ReqSeq
	case *chunk.SSNTSNResetRequest:
		return &p.ReqSeq
	case *chunk.AddOutgoingStreams:
		return &p.ReqSeq
	case *chunk.AddIncomingStreams:
		return &p.ReqSeq
	}
	return nil
}

package association

import (
	"errors"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// The sender side of stream reconfiguration (RFC 6525 Section 5.1): the
// user resets outgoing streams with ResetStreams; the Outgoing SSN Reset
// Request goes once the streams' queued data is handed out, and is
// retransmitted on the Re-configuration Timer until answered.

// Errors of ResetStreams and Send. Test with errors.Is.
var (
	// ErrReconfigNotSupported: the peer did not offer stream
	// reconfiguration (RFC 6525 Section 5.1.1: such a request "SHOULD be
	// responded to with an appropriate error indicating that the peer
	// SCTP stack does not support the re-configuration extension"), or
	// Config.ReconfigDisabled is set.
	ErrReconfigNotSupported = errors.New("association: the peer does not support stream reconfiguration (RFC 6525)")
	// ErrReconfigInProgress: a stream reset is already waiting for its
	// answer (RFC 6525 Section 5.1.1: "there MUST NOT be more than one
	// request in flight"); retry after its StreamResetEvent.
	ErrReconfigInProgress = errors.New("association: a stream reset is already in progress")
	// ErrStreamResetting: Send to a stream whose reset is not complete
	// (a stream is not reused before its reset completes); retry after
	// its StreamResetEvent.
	ErrStreamResetting = errors.New("association: stream is being reset")
)

// reconfOut is the Outgoing SSN Reset Request of ours, from ResetStreams
// until its answer.
type reconfOut struct {
	req  chunk.OutgoingSSNResetRequest
	sent bool
	rto  time.Duration // the Re-configuration Timer's value, backed off
}

// ResetStreams resets the outgoing streams ids (all if empty) (RFC 6525
// Section 5.1.2): once the messages queued on them are handed out, an
// Outgoing SSN Reset Request goes to the peer, retransmitted on the
// Re-configuration Timer (Section 5.1.1) until the peer answers. Sends
// to those streams fail with ErrStreamResetting meanwhile. The answer
// comes as a StreamResetEvent with StreamResetOutgoing, plus
// StreamResetDenied or StreamResetFailed if the streams were not reset;
// once reset, the streams' next message has SSN 0. An association not
// established returns ErrNotEstablished.
func (a *Association) ResetStreams(now timer.Time, ids []chunk.StreamID) error {
	defer a.startBurst()
	if a.state != StateEstablished {
		return ErrNotEstablished
	}
	if !a.reconfig() {
		return ErrReconfigNotSupported
	}
	for _, id := range ids {
		if uint16(id) >= a.outbound {
			return ErrInvalidStream
		}
	}
	rs := a.reconf()
	if rs.send != nil {
		return ErrReconfigInProgress
	}
	rs.send = &reconfOut{req: chunk.OutgoingSSNResetRequest{Streams: append([]chunk.StreamID(nil), ids...)}}
	a.trySendReset(now)
	return nil
}

// resetting reports whether stream id waits for its reset to complete.
func (a *Association) resetting(id chunk.StreamID) bool {
	rs := a.reconfIf()
	return rs != nil && rs.send != nil && lists(rs.send.req.Streams, id)
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

// trySendReset queues our Outgoing SSN Reset Request once no message is
// queued on its streams, with the last TSN assigned as its Sender's Last
// Assigned TSN (RFC 6525 Section 5.1.2), and starts the
// Re-configuration Timer (Section 5.1.1).
func (a *Association) trySendReset(now timer.Time) {
	rs := a.reconfIf()
	if rs == nil || rs.send == nil || rs.send.sent {
		return
	}
	o := rs.send
	if len(o.req.Streams) == 0 {
		if a.sendq.Buffered() > 0 {
			return
		}
	} else if a.sendq != nil {
		for _, id := range o.req.Streams {
			if a.sendq.BufferedOn(id) > 0 {
				return
			}
		}
	}
	// "The sender MUST assign the next re-configuration request sequence
	// number ... The next re-configuration request sequence number MUST
	// be incremented by 1." The Response Sequence Number is "the next
	// expected Re-configuration Request Sequence Number of the peer minus
	// 1".
	o.req.ReqSeq = rs.outSeq
	rs.outSeq++
	o.req.RespSeq = rs.inSeq - 1
	o.req.SenderLastTSN = a.nextTSN - 1
	o.sent, o.rto = true, a.primary.rto.RTO()
	a.sendReset(now)
}

// sendReset queues the request and (re)starts the Re-configuration
// Timer.
func (a *Association) sendReset(now timer.Time) {
	rs := a.reconf()
	a.queueCtrl(ctrlChunk{c: &chunk.ReConfig{Params: []chunk.Param{&rs.send.req}}})
	rs.t4.Start(now, rs.send.rto)
}

// onT4Expired retransmits the request (RFC 6525 Section 5.1.1: "If the
// timer expires, besides doubling the value, the sender MUST retransmit
// the RE-CONFIG chunk, increment the appropriate error counts (for both
// the association and the destination), and perform threshold
// management").
func (a *Association) onT4Expired(now timer.Time) {
	rs := a.reconf()
	if rs.send == nil || !rs.send.sent {
		return
	}
	rs.send.rto = min(2*rs.send.rto, a.primary.rto.Config().Max)
	if a.countError(now, a.primary, true) {
		return // the association failed
	}
	a.sendReset(now)
}

// handleReconfigResponse processes the peer's answer to our request (RFC
// 6525 Section 5.2.7); an answer to anything else is ignored.
func (a *Association) handleReconfigResponse(now timer.Time, p *chunk.ReconfigResponse) {
	rs := a.reconf()
	o := rs.send
	if o == nil || !o.sent || p.RespSeq != o.req.ReqSeq {
		return
	}
	flags := StreamResetOutgoing
	switch p.Result {
	case chunk.ReconfigInProgress:
		// H2: "the timer for the Re-configuration Request Sequence
		// Number is started again".
		rs.t4.Start(now, o.rto)
		return
	case chunk.ReconfigSuccessPerformed, chunk.ReconfigSuccessNothingToDo:
		a.sendq.ResetSSNs(o.req.Streams)
	case chunk.ReconfigDenied:
		flags |= StreamResetDenied
	default:
		flags |= StreamResetFailed
	}
	// H1: the request is acknowledged; the timer stops.
	rs.t4.Stop()
	rs.send = nil
	a.pushEvent(&StreamResetEvent{Flags: flags, Streams: o.req.Streams})
}

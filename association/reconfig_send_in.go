package association

import (
	"errors"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// ErrInvalidResetFlags: ResetStreamsDir was given neither
// StreamResetOutgoing nor StreamResetIncoming, or another flag.
var ErrInvalidResetFlags = errors.New("association: stream reset direction must be StreamResetOutgoing, StreamResetIncoming or both")

// ResetStreamsDir resets the streams ids (all if empty) in the
// directions dir, StreamResetOutgoing, StreamResetIncoming or both (RFC
// 6525 Section 6.3.2, sctp_reset_streams with SCTP_STREAM_RESET_OUTGOING
// and SCTP_STREAM_RESET_INCOMING). The outgoing streams are reset as
// ResetStreams describes. The incoming ones go in an Incoming SSN Reset
// Request (Section 5.1.3), in the same RE-CONFIG chunk as the outgoing
// one when both are asked for, which asks the peer to reset its
// outgoing streams: it does so with an Outgoing SSN Reset Request of
// its own, which ends in a StreamResetEvent with StreamResetIncoming;
// a refusal ends in one with StreamResetIncoming and StreamResetDenied
// (or StreamResetFailed). Errors: ErrInvalidResetFlags,
// ErrNotEstablished, ErrReconfigNotSupported, ErrReconfigInProgress
// while a request of ours waits for its answer, ErrInvalidStream for a
// stream the association does not have in that direction,
// ErrResetTooLarge for a list whose request does not fit in one packet.
func (a *Association) ResetStreamsDir(now timer.Time, dir StreamResetFlags, ids []chunk.StreamID) error {
	defer a.startBurst()
	if dir == 0 || dir&^(StreamResetOutgoing|StreamResetIncoming) != 0 {
		return ErrInvalidResetFlags
	}
	rs, err := a.startRequest(func() error {
		for _, id := range ids {
			if dir&StreamResetOutgoing != 0 && uint16(id) >= a.outbound ||
				dir&StreamResetIncoming != 0 && uint16(id) >= a.inbound {
				return ErrInvalidStream
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	o := &reconfOut{}
	if dir&StreamResetOutgoing != 0 {
		o.out = &chunk.OutgoingSSNResetRequest{Streams: append([]chunk.StreamID(nil), ids...)}
	}
	if dir&StreamResetIncoming != 0 {
		o.in = &chunk.IncomingSSNResetRequest{Streams: append([]chunk.StreamID(nil), ids...)}
	}
	if c := (chunk.ReConfig{Params: o.params()}); packet.HeaderLen+c.Len() > a.minMTU() {
		// A RE-CONFIG chunk is never fragmented: one too large for the
		// path MTU could never be sent, and its retransmissions would
		// fail the association.
		return ErrResetTooLarge
	}
	rs.send = o
	a.trySendReset(now)
	return nil
}

// inResetAnswered completes the Incoming SSN Reset Request of ours with
// the peer's answer p (RFC 6525 Section 5.2.7 H3). Success needs no
// event of its own: the peer resets its streams with an Outgoing SSN
// Reset Request, whose StreamResetEvent tells the user (Section 5.2.3
// F1), and "Nothing to do" means it already did.
func (a *Association) inResetAnswered(p *chunk.ReconfigResponse) {
	rs := a.reconf()
	req := rs.send.in
	rs.send.in = nil
	if p.Result == chunk.ReconfigSuccessPerformed {
		rs.inDone, rs.inWaits = req, true
	}
	if flags := StreamResetFlags(resultFlags(p.Result)); flags != 0 {
		a.pushEvent(&StreamResetEvent{Flags: StreamResetIncoming | flags, Streams: req.Streams})
	}
}

// inResetByRequest takes the peer's Outgoing SSN Reset Request p as the
// answer to our Incoming SSN Reset Request if its Re-configuration
// Response Sequence Number is our request's (RFC 6525 Section 5.1.2 A4:
// "The Re-configuration Response Sequence Number of the Outgoing SSN
// Reset Request Parameter MUST be the Re-configuration Request Sequence
// Number of the Incoming SSN Reset Request Parameter"; Appendix A) and
// it resets every stream ours asked for (Section 5.2.3 F1): an
// unrelated request of the peer's sent once ours arrived carries the
// same number ("the next expected Re-configuration Request Sequence
// Number minus 1", Section 4.1). The reset itself is the peer's
// request, performed as any.
func (a *Association) inResetByRequest(p *chunk.OutgoingSSNResetRequest) {
	rs := a.reconf()
	if answers(rs.inDone, p) {
		rs.inWaits = false
	}
	o := rs.send
	if o == nil || !o.sent || !answers(o.in, p) {
		return
	}
	rs.inDone = o.in // its reset may be deferred (endResetOnRestart)
	o.in = nil
	a.requestAnswered()
}

// answersIncoming reports whether p is the peer's Outgoing SSN Reset
// Request that answers our Incoming SSN Reset Request in flight
// (inResetByRequest), or the one answered "Performed" (inDone).
// Config.ResetRequestsDenied does not deny it: it performs what our user
// asked for.
func (a *Association) answersIncoming(p chunk.Param) bool {
	q, ok := p.(*chunk.OutgoingSSNResetRequest)
	if !ok {
		return false
	}
	rs := a.reconf()
	o := rs.send
	return answers(rs.inDone, q) || o != nil && o.sent && answers(o.in, q)
}

// answers reports whether the peer's Outgoing SSN Reset Request q
// answers our Incoming SSN Reset Request in (nil: none): it carries its
// number as the Response Sequence Number (RFC 6525 Section 5.1.2 A4) and
// resets every stream in asked for (Section 5.2.3 F1).
func answers(in *chunk.IncomingSSNResetRequest, q *chunk.OutgoingSSNResetRequest) bool {
	return in != nil && in.ReqSeq == q.RespSeq && overlaps(q.Streams, in.Streams)
}

package association

import (
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
)

// The peer's requests about our outgoing streams (RFC 6525 Sections
// 5.2.3 and 5.2.6): each is performed by a request of ours, the Outgoing
// SSN Reset Request of ResetStreams or an Add Outgoing Streams Request,
// in rs.send. The peer's request is answered at once, as FreeBSD does;
// ours follows once the incoming RE-CONFIG chunk is processed completely
// (F2: trySendReset runs when the next packet is built).

// incomingRequest performs the peer's Incoming SSN Reset Request p (RFC
// 6525 Section 5.2.3): "F1: An Outgoing SSN Reset Request Parameter MUST
// be put into a RE-CONFIG chunk according to Section 5.1.2", for the
// streams p lists (all if none), as ResetStreams would: it goes once the
// messages queued on them are handed out, and sends to them fail with
// ErrStreamResetting until it completes, which the user sees as a
// StreamResetEvent with StreamResetOutgoing. When our own request is in
// flight, "If the Outgoing SSN Reset Request Parameter that was just
// sent completely overlaps the received Incoming SSN Reset Request
// Parameter, respond to the peer with an acknowledgment indicating that
// there was "Nothing to do""; otherwise the request would have to be
// "processed normally", which takes a second request of ours in flight
// (Section 5.1.1: "there MUST NOT be more than one request in flight"):
// it is answered "Error - Request already in progress", as FreeBSD does,
// and the peer may ask again once ours completes. A stream we do not
// have is denied.
func (a *Association) incomingRequest(p *chunk.IncomingSSNResetRequest) chunk.ReconfigResult {
	rs := a.reconf()
	if o := rs.send; o != nil {
		if o.out != nil && overlaps(o.out.Streams, p.Streams) {
			return chunk.ReconfigSuccessNothingToDo
		}
		return chunk.ReconfigErrorRequestAlreadyInProgress
	}
	for _, id := range p.Streams {
		if uint16(id) >= a.outbound {
			return chunk.ReconfigDenied
		}
	}
	rs.send = &reconfOut{out: &chunk.OutgoingSSNResetRequest{Streams: append([]chunk.StreamID(nil), p.Streams...)}}
	return chunk.ReconfigSuccessPerformed
}

// overlaps reports whether the stream list ours (empty: all streams)
// has every stream of theirs (empty: all streams).
func overlaps(ours, theirs []chunk.StreamID) bool {
	if len(ours) == 0 {
		return true
	}
	if len(theirs) == 0 {
		return false
	}
	for _, id := range theirs {
		if !lists(ours, id) {
			return false
		}
	}
	return true
}

// addOutgoingRequest performs the peer's Add Incoming Streams Request for
// n streams (RFC 6525 Section 5.2.6): "it MUST either send a response
// parameter denying the request or send a corresponding Add Outgoing
// Streams Request Parameter, following the rules given in Section
// 5.1.5". Ours goes after the answer; the streams are ours once the peer
// acknowledges it (Section 5.2.7 H6: "it MUST NOT use the streams until
// the peer has responded with a positive acknowledgment"). Denied when
// the streams would exceed the 65535 a Stream Identifier can number
// (Linux's and FreeBSD's limit), or with none; "Error - Request already
// in progress" when a request of ours is in flight (Section 5.1.1).
func (a *Association) addOutgoingRequest(n uint16) chunk.ReconfigResult {
	rs := a.reconf()
	if rs.send != nil {
		return chunk.ReconfigErrorRequestAlreadyInProgress
	}
	if n == 0 || int(a.outbound)+int(n) > stream.MaxStreams {
		return chunk.ReconfigDenied
	}
	rs.send = &reconfOut{addOut: &chunk.AddOutgoingStreams{NumNewStreams: n}, quiet: true}
	return chunk.ReconfigSuccessPerformed
}

// addOutgoingAnswered processes the peer's answer res to our Add Outgoing
// Streams Request for n streams (RFC 6525 Section 5.2.7 H6: "the
// endpoint MUST add the additional streams to the association"), and
// tells the user with a StreamChangeEvent: the new stream counts, or
// ReconfigDenied or ReconfigFailed.
func (a *Association) addOutgoingAnswered(n uint16, res chunk.ReconfigResult) {
	var flags ReconfigFlags
	switch res {
	case chunk.ReconfigSuccessPerformed, chunk.ReconfigSuccessNothingToDo:
		if total := int(a.outbound) + int(n); total <= stream.MaxStreams {
			a.setOutbound(uint16(total))
		}
	case chunk.ReconfigDenied:
		flags = ReconfigDenied
	default:
		flags = ReconfigFailed
	}
	a.pushEvent(&StreamChangeEvent{Flags: flags, InStreams: a.inbound, OutStreams: a.outbound})
}

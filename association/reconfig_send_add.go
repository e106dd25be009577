package association

import (
	"errors"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// Our Add Outgoing and Add Incoming Streams Requests (RFC 6525 Sections
// 5.1.5, 5.1.6 and 5.2.7 H6).

// Errors of AddStreams. Test with errors.Is.
var (
	// ErrNoStreamsToAdd: AddStreams was asked to add no stream.
	ErrNoStreamsToAdd = errors.New("association: no stream to add")
	// ErrTooManyStreams: the streams would exceed 65535 in a direction,
	// or the incoming ones Config.MaxInboundStreams (RFC 6525 Section
	// 6.3.4: "An endpoint can limit the number of incoming and outgoing
	// streams by using the sinit_max_instreams field").
	ErrTooManyStreams = errors.New("association: too many streams")
	// ErrResetTooLarge: a stream reset listing so many streams that its
	// RE-CONFIG chunk does not fit in one packet of the path MTU (it is
	// never fragmented); reset fewer streams at a time, or all of them
	// with an empty list.
	ErrResetTooLarge = errors.New("association: the stream reset lists too many streams for one packet")
)

// AddStreams asks the peer for out more outgoing and in more incoming
// streams (RFC 6525 Sections 5.1.5 and 5.1.6; sctp_add_streams, Section
// 6.3.4), in one RE-CONFIG chunk when both are asked for. The new
// streams follow the existing ones and start at SSN 0. An outgoing
// stream added is usable once the peer grants it (Section 5.1.5: "the
// sender MUST await a positive acknowledgment (Success) before using any
// additional stream"); the peer grants incoming ones with an Add
// Outgoing Streams Request of its own (Section 5.2.6). Each part ends
// in a StreamChangeEvent with the stream counts, flagged ReconfigDenied
// or ReconfigFailed when the streams were not added. Errors:
// ErrNotEstablished, ErrReconfigNotSupported, ErrReconfigInProgress,
// ErrNoStreamsToAdd, ErrTooManyStreams.
func (a *Association) AddStreams(now timer.Time, out, in uint16) error {
	defer a.startBurst()
	rs, err := a.startRequest(func() error {
		switch {
		case out == 0 && in == 0:
			return ErrNoStreamsToAdd
		case int(a.outbound)+int(out) > stream.MaxStreams, int(a.inbound)+int(in) > int(a.cfg.MaxInboundStreams):
			return ErrTooManyStreams
		}
		return nil
	})
	if err != nil {
		return err
	}
	o := &reconfOut{}
	if out > 0 {
		o.addOut = &chunk.AddOutgoingStreams{NumNewStreams: out}
	}
	if in > 0 {
		o.addIn = &chunk.AddIncomingStreams{NumNewStreams: in}
		rs.addInTarget = a.inbound + in
	}
	rs.send = o
	a.trySendReset(now)
	return nil
}

// addOutAnswered completes our Add Outgoing Streams Request with the
// peer's answer p (RFC 6525 Section 5.2.7 H6, addOutgoingAnswered).
func (a *Association) addOutAnswered(p *chunk.ReconfigResponse) {
	o := a.reconf().send
	n := o.addOut.NumNewStreams
	o.addOut = nil
	a.addOutgoingAnswered(n, p.Result)
}

// addInAnswered completes our Add Incoming Streams Request with the
// peer's answer p: a refusal ends it with a StreamChangeEvent flagged
// ReconfigDenied or ReconfigFailed; on success the peer adds the streams
// with an Add Outgoing Streams Request, whose StreamChangeEvent tells
// the user (addInbound).
func (a *Association) addInAnswered(p *chunk.ReconfigResponse) {
	a.reconf().send.addIn = nil
	if flags := resultFlags(p.Result); flags != 0 {
		a.streamChanged(flags)
	}
}

// addInByRequest runs after the peer's Add Outgoing Streams Request was
// answered: it answers our Add Incoming Streams Request in flight (RFC
// 6525 Section 5.2.6: the peer "MUST either send a response parameter
// denying the request or send a corresponding Add Outgoing Streams
// Request Parameter"; Appendix A). Performed, it brought its
// StreamChangeEvent (addInbound); refused, the user gets one flagged
// ReconfigFailed.
func (a *Association) addInByRequest() {
	rs := a.reconf()
	o := rs.send
	if o == nil || !o.sent || o.addIn == nil {
		return
	}
	seq := o.addIn.ReqSeq
	o.addIn = nil
	a.requestAnswered()
	// Recorded even when the request's Add Outgoing part is still in
	// flight: that part's lower number says nothing of this one's
	// (FuzzStates input f662e3b29e3def33).
	rs.implicitSeq, rs.implicit = seq, true
	if a.inbound < rs.addInTarget {
		a.streamChanged(ReconfigFailed)
	}
}

// streamChanged tells the user of the stream counts (RFC 6525 Section
// 6.1.3).
func (a *Association) streamChanged(flags ReconfigFlags) {
	a.pushEvent(&StreamChangeEvent{Flags: flags, InStreams: a.inbound, OutStreams: a.outbound})
}

// peerRequestAnswered runs after the peer's request parameter p was
// answered res: one may answer ours (an Outgoing SSN Reset Request our
// Incoming one, an Add Outgoing Streams Request our Add Incoming one),
// unless it was out of sequence (not a request the peer made now). It
// runs for the request the peer made now only: a retransmission of one
// answered before (RFC 6525 Section 5.2.1), duplicated or delayed by
// the network, answered ours when it first came, if it did.
func (a *Association) peerRequestAnswered(p chunk.Param, res chunk.ReconfigResult) {
	if res == chunk.ReconfigErrorBadSequenceNumber {
		return
	}
	switch p := p.(type) {
	case *chunk.OutgoingSSNResetRequest:
		a.inResetByRequest(p)
	case *chunk.AddOutgoingStreams:
		a.addInByRequest()
	}
}

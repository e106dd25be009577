package api

import (
	"fmt"
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
)

// Event is a notification: *AssocChange, *PaddrChange, *RemoteError,
// *SendFailed, *ShutdownEvent, *AdaptationEvent or *PdapiEvent, the
// gen_sctp event records with their field names plus AssocID, and
// *StreamResetEvent, *AssocResetEvent and *StreamChangeEvent, gensctp
// additions (RFC 6525 Section 6.1), and *AuthKeyEvent (RFC 6458 Section
// 6.1.8). SendFailed,
// RemoteError and PdapiEvent are error-class: Recv returns them as an
// error (an *EventError), as gen_sctp does.
type Event interface {
	// Record returns the gen_sctp record name, for example
	// "sctp_assoc_change".
	Record() string
	// String formats the record the way Erlang prints it.
	String() string
	// assoc returns the association of the event.
	assoc() AssocID
}

// AssocChange is #sctp_assoc_change{}: an association came up, went down
// or could not be set up.
type AssocChange struct {
	State AssocState
	// Error is the cause code behind a comm_lost or cant_assoc, or 0.
	Error CauseCode
	// OutboundStreams and InboundStreams are the negotiated stream
	// counts.
	OutboundStreams uint16
	InboundStreams  uint16
	AssocID         AssocID
	// Causes are the error causes of the ABORT that ended the association
	// (an addition: gen_sctp does not deliver them).
	Causes []chunk.Cause
	// Err is the local reason of a cant_assoc or comm_lost that no cause
	// code names (for example ErrCookieTooLarge, or ErrTransportClosed),
	// or nil (an addition).
	Err error
}

// PaddrChange is #sctp_paddr_change{}: a peer address changed state. It
// is never an error, even for addr_unreachable (the gen_sctp driver does
// not convert it either).
type PaddrChange struct {
	// Addr is the peer's IP and SCTP port.
	Addr    netip.AddrPort
	State   PaddrState
	Error   CauseCode
	AssocID AssocID
}

// RemoteError is #sctp_remote_error{}: the peer sent an ERROR chunk.
type RemoteError struct {
	// Error is the code of the first cause.
	Error   CauseCode
	AssocID AssocID
	// Data lists the cause codes of the ERROR chunk (the gen_sctp driver
	// gives integers).
	Data []CauseCode
	// Causes are the causes themselves (an addition).
	Causes []chunk.Cause
}

// SendFailed is #sctp_send_failed{}: a message that will not be
// delivered, handed back. Info is the send information the message was
// sent with (RFC 6458 Section 6.1.4 ssf_info): Stream, Flags (Unordered),
// PPID, Context, TimeToLive and PrInfo; SSN, TSN and CumTSN are 0.
//
// The SendFailed events an association holds until they are read are
// bounded by the receive buffer (Recbuf, as the kernels charge
// notifications to the socket's receive buffer; see
// association.SendFailed): past it an event comes without its data
// (DataDropped, counted in AssocStats.SendFailedDataDropped) or, when
// ReceiveBuffer/256 events wait, is dropped (counted in
// AssocStats.SendFailedDropped). AssocStats.AbandonedMessages counts
// them all.
type SendFailed struct {
	// Flags is true (SCTP_DATA_SENT) if some of the message had been
	// transmitted, false (SCTP_DATA_UNSENT) if none.
	Flags   bool
	Error   CauseCode
	Info    SndRcvInfo
	AssocID AssocID
	// Data is the message, nil if DataDropped.
	Data []byte
	// DataDropped: the message was dropped because the SendFailed
	// events waiting held the receive buffer, an addition.
	DataDropped bool
}

// ShutdownEvent is #sctp_shutdown_event{}: the peer started a graceful
// shutdown.
type ShutdownEvent struct {
	AssocID AssocID
}

// AdaptationEvent is #sctp_adaptation_event{}: the peer's Adaptation
// Layer Indication. It is delivered only when the adaptation_layer_event
// of the sctp_events option is on (off by default).
type AdaptationEvent struct {
	AdaptationInd uint32
	AssocID       AssocID
}

// PdapiEvent is #sctp_pdapi_event{}: a partially received message will
// not be completed.
type PdapiEvent struct {
	Indication PdapiIndication
	AssocID    AssocID
	// Stream is the stream of the message (an addition).
	Stream uint16
	// Err is the local reason of the abort, an addition: an error
	// wrapping ErrMessageTooLarge when this socket aborted the message
	// and its association for the MaxMessageSize option; nil when the
	// association ended otherwise.
	Err error
}

// Record returns "sctp_assoc_change".
func (*AssocChange) Record() string { return "sctp_assoc_change" }

// Record returns "sctp_paddr_change".
func (*PaddrChange) Record() string { return "sctp_paddr_change" }

// Record returns "sctp_remote_error".
func (*RemoteError) Record() string { return "sctp_remote_error" }

// Record returns "sctp_send_failed".
func (*SendFailed) Record() string { return "sctp_send_failed" }

// Record returns "sctp_shutdown_event".
func (*ShutdownEvent) Record() string { return "sctp_shutdown_event" }

// Record returns "sctp_adaptation_event".
func (*AdaptationEvent) Record() string { return "sctp_adaptation_event" }

// Record returns "sctp_pdapi_event".
func (*PdapiEvent) Record() string { return "sctp_pdapi_event" }

func (e *AssocChange) assoc() AssocID     { return e.AssocID }
func (e *PaddrChange) assoc() AssocID     { return e.AssocID }
func (e *RemoteError) assoc() AssocID     { return e.AssocID }
func (e *SendFailed) assoc() AssocID      { return e.AssocID }
func (e *ShutdownEvent) assoc() AssocID   { return e.AssocID }
func (e *AdaptationEvent) assoc() AssocID { return e.AssocID }
func (e *PdapiEvent) assoc() AssocID      { return e.AssocID }

// String formats the record.
func (e *AssocChange) String() string {
	return fmt.Sprintf("#sctp_assoc_change{state=%v,error=%d,outbound_streams=%d,inbound_streams=%d,assoc_id=%d}",
		e.State, e.Error, e.OutboundStreams, e.InboundStreams, e.AssocID)
}

// String formats the record.
func (e *PaddrChange) String() string {
	return fmt.Sprintf("#sctp_paddr_change{addr=%v,state=%v,error=%d,assoc_id=%d}", e.Addr, e.State, e.Error, e.AssocID)
}

// String formats the record.
func (e *RemoteError) String() string {
	return fmt.Sprintf("#sctp_remote_error{error=%d,assoc_id=%d,data=%v}", e.Error, e.AssocID, e.Data)
}

// String formats the record (without the data).
func (e *SendFailed) String() string {
	return fmt.Sprintf("#sctp_send_failed{flags=%t,error=%d,info=%+v,assoc_id=%d,data=<<%d bytes>>}",
		e.Flags, e.Error, e.Info, e.AssocID, len(e.Data))
}

// String formats the record.
func (e *ShutdownEvent) String() string {
	return fmt.Sprintf("#sctp_shutdown_event{assoc_id=%d}", e.AssocID)
}

// String formats the record.
func (e *AdaptationEvent) String() string {
	return fmt.Sprintf("#sctp_adaptation_event{adaptation_ind=%d,assoc_id=%d}", e.AdaptationInd, e.AssocID)
}

// StreamResetEvent is the SCTP_STREAM_RESET_EVENT of RFC 6525 Section
// 6.1.1, a gensctp addition (gen_sctp has no such record): streams of
// the association were reset (the peer reset its outgoing streams, so
// that its next message on each has stream sequence number 0), or a
// reset asked for was denied or failed. It is delivered only when the
// stream_reset_event of the sctp_events option is on (off by default).
type StreamResetEvent struct {
	// Flags are strreset_flags: association.StreamResetIncoming,
	// StreamResetOutgoing, StreamResetDenied, StreamResetFailed.
	Flags association.StreamResetFlags
	// Streams are the streams reset; empty means all of them.
	Streams []uint16
	AssocID AssocID
}

// Record returns "sctp_stream_reset_event".
func (*StreamResetEvent) Record() string { return "sctp_stream_reset_event" }

func (e *StreamResetEvent) assoc() AssocID { return e.AssocID }

// String formats the record.
func (e *StreamResetEvent) String() string {
	return fmt.Sprintf("#sctp_stream_reset_event{flags=%d,streams=%v,assoc_id=%d}", e.Flags, e.Streams, e.AssocID)
}

// String formats the record.
func (e *PdapiEvent) String() string {
	return fmt.Sprintf("#sctp_pdapi_event{indication=%v,assoc_id=%d}", e.Indication, e.AssocID)
}

// errorClass reports whether gen_sctp returns ev as an error.
func errorClass(ev Event) bool {
	switch ev.(type) {
	case *SendFailed, *RemoteError, *PdapiEvent:
		return true
	}
	return false
}

// convertEvent turns an association event into the record of this
// package, with the association id and the peer's SCTP port for
// addresses.
func convertEvent(ev association.Event, id AssocID, peerPort uint16) Event {
	switch e := ev.(type) {
	case *association.AssocChange:
		return &AssocChange{State: e.State, Error: e.Error, OutboundStreams: e.OutboundStreams,
			InboundStreams: e.InboundStreams, AssocID: id, Causes: e.Causes, Err: e.Err}
	case *association.PaddrChange:
		return &PaddrChange{Addr: netip.AddrPortFrom(e.Addr.Addr(), peerPort), State: e.State, Error: e.Error, AssocID: id}
	case *association.RemoteError:
		codes := make([]CauseCode, len(e.Causes))
		for i, c := range e.Causes {
			codes[i] = c.CauseCode()
		}
		return &RemoteError{Error: e.Error, AssocID: id, Data: codes, Causes: e.Causes}
	case *association.SendFailed:
		return &SendFailed{Flags: e.Sent, Error: e.Error, Info: sendInfoRecord(e.Info, id), AssocID: id, Data: e.Data,
			DataDropped: e.DataDropped}
	case *association.ShutdownEvent:
		return &ShutdownEvent{AssocID: id}
	case *association.AdaptationEvent:
		return &AdaptationEvent{AdaptationInd: e.Indication, AssocID: id}
	case *association.PDAPIEvent:
		return &PdapiEvent{Indication: e.Indication, AssocID: id, Stream: uint16(e.Stream)}
	case *association.StreamResetEvent:
		ids := make([]uint16, len(e.Streams))
		for i, s := range e.Streams {
			ids[i] = uint16(s)
		}
		return &StreamResetEvent{Flags: e.Flags, Streams: ids, AssocID: id}
	case *association.AssocResetEvent:
		return &AssocResetEvent{Flags: e.Flags, LocalTSN: uint32(e.LocalTSN), RemoteTSN: uint32(e.RemoteTSN), AssocID: id}
	case *association.StreamChangeEvent:
		return &StreamChangeEvent{Flags: e.Flags, InStreams: e.InStreams, OutStreams: e.OutStreams, AssocID: id}
	case *association.AuthEvent:
		return &AuthKeyEvent{KeyNumber: e.KeyNumber, Indication: e.Indication, AssocID: id}
	}
	return nil
}

// sendInfoRecord converts the association's send parameters back to a
// SndRcvInfo (for SendFailed).
func sendInfoRecord(si association.SendInfo, id AssocID) SndRcvInfo {
	r := SndRcvInfo{Stream: uint16(si.Stream), PPID: uint32(si.PPID), Context: si.Context,
		TimeToLive: uint32(si.TimeToLive.Milliseconds()), AssocID: id,
		PrInfo: PrInfo{Policy: si.PRPolicy, Value: si.PRValue}, PrInfoValid: true}
	if si.Unordered {
		r.Flags |= Unordered
	}
	return r
}

package association

import (
	"net/netip"

	"github.com/gensctp/gensctp/chunk"
)

// Event is a notification for the user, named after the gen_sctp records
// (RFC 6458 Section 6.1): *AssocChange, *PaddrChange, *RemoteError,
// *SendFailed, *ShutdownEvent, *AdaptationEvent, *PDAPIEvent or
// *StreamResetEvent, *AssocResetEvent or *StreamChangeEvent, or
// *AuthEvent.
type Event interface {
	isEvent()
}

// AssocChangeState is the state of an AssocChange event.
type AssocChangeState uint8

// The states of sctp_assoc_change (RFC 6458 Section 6.1.1).
const (
	// CommUp: the association is established.
	CommUp AssocChangeState = iota + 1
	// CommLost: the association failed: ABORT received or sent, or
	// too many retransmissions.
	CommLost
	// Restart: the peer restarted (RFC 9260 Section 5.2.4 action A, or
	// action B once the association is up).
	Restart
	// ShutdownComp: the graceful shutdown completed.
	ShutdownComp
	// CantAssoc: the association could not be set up.
	CantAssoc
)

// String returns the gen_sctp atom, for example "comm_up".
func (s AssocChangeState) String() string {
	switch s {
	case CommUp:
		return "comm_up"
	case CommLost:
		return "comm_lost"
	case Restart:
		return "restart"
	case ShutdownComp:
		return "shutdown_comp"
	case CantAssoc:
		return "cant_assoc"
	}
	return "undefined"
}

// AssocChange is the sctp_assoc_change event.
type AssocChange struct {
	State AssocChangeState
	// Error is the error cause code behind a CommLost or CantAssoc (for
	// example CauseUserInitiatedAbort when the peer aborted), or 0.
	Error chunk.CauseCode
	// OutboundStreams and InboundStreams are the negotiated stream counts
	// (RFC 9260 Section 5.1.1); 0 after a failure.
	OutboundStreams uint16
	InboundStreams  uint16
	// Causes are the error causes of the ABORT that ended the association,
	// if any (gen_sctp does not deliver them; Go users can read them).
	Causes []chunk.Cause
	// Err is the reason of a CantAssoc or CommLost that no cause code
	// names (for example ErrCookieTooLarge, ErrRefused when the peer
	// aborted the handshake, ErrNoAnswer when it never answered, or the
	// error Fail was given when the packet transport closed), or nil.
	// Test it with errors.Is.
	Err error
}

// PaddrState is the state of a PaddrChange event.
type PaddrState uint8

// The states of sctp_paddr_change (RFC 6458 Section 6.1.2).
const (
	AddrAvailable PaddrState = iota + 1
	AddrUnreachable
	AddrRemoved
	AddrAdded
	AddrMadePrim
	AddrConfirmed
)

// String returns the gen_sctp atom, for example "addr_available".
func (s PaddrState) String() string {
	switch s {
	case AddrAvailable:
		return "addr_available"
	case AddrUnreachable:
		return "addr_unreachable"
	case AddrRemoved:
		return "addr_removed"
	case AddrAdded:
		return "addr_added"
	case AddrMadePrim:
		return "addr_made_prim"
	case AddrConfirmed:
		return "addr_confirmed"
	}
	return "undefined"
}

// PaddrChange is the sctp_paddr_change event: a peer address changed state.
type PaddrChange struct {
	Addr  netip.AddrPort
	State PaddrState
	Error chunk.CauseCode
}

// RemoteError is the sctp_remote_error event: the peer sent an ERROR chunk.
type RemoteError struct {
	// Error is the code of the first cause.
	Error chunk.CauseCode
	// Causes are all the causes of the ERROR chunk, copied.
	Causes []chunk.Cause
}

// SendFailed is the sctp_send_failed event: a message that will not be
// delivered, handed back with its data.
//
// The SendFailed events waiting in Poll are bounded by the receive
// buffer (Config.ReceiveBuffer), as the kernels charge notifications to
// the socket's receive buffer, apart from the received data (they do not
// shrink the window advertised): their Data holds at most ReceiveBuffer
// bytes, and they are at most ReceiveBuffer/ChunkOverhead. A user that
// never polls cannot make them grow without bound: an event whose data
// does not fit comes without it (Data nil, DataDropped set, counted in
// DetailStats.SendFailedDataDropped), and one past the count is dropped
// (counted in DetailStats.SendFailedDropped). DetailStats.
// AbandonedMessages counts them all.
type SendFailed struct {
	// Sent is gen_sctp's flags field: true (SCTP_DATA_SENT) if some of
	// the message had been transmitted, false (SCTP_DATA_UNSENT) if none.
	Sent  bool
	Error chunk.CauseCode
	Info  SendInfo
	// Data is the message, nil if DataDropped.
	Data []byte
	// DataDropped: the message was dropped because too many SendFailed
	// events were waiting in Poll (see above).
	DataDropped bool
}

// ShutdownEvent is the sctp_shutdown_event: the peer started a graceful
// shutdown; no more data will arrive.
type ShutdownEvent struct{}

// AdaptationEvent is the sctp_adaptation_event: the peer's Adaptation
// Layer Indication (RFC 5061 Section 4.2.6).
type AdaptationEvent struct {
	Indication uint32
}

// PDAPIIndication is the indication of a PDAPIEvent.
type PDAPIIndication uint8

// PartialDeliveryAborted is the only indication: a partially delivered
// message will not be completed.
const PartialDeliveryAborted PDAPIIndication = 1

// String returns the gen_sctp atom.
func (PDAPIIndication) String() string { return "partial_delivery_aborted" }

// PDAPIEvent is the sctp_pdapi_event (RFC 6458 Section 6.1.7).
type PDAPIEvent struct {
	Indication PDAPIIndication
	Stream     chunk.StreamID
}

// StreamResetFlags are the strreset_flags of a StreamResetEvent (RFC 6525
// Section 6.1.1).
type StreamResetFlags uint16

// The flags of RFC 6525 Section 6.1.1.
const (
	// StreamResetIncoming: the incoming streams listed were reset
	// (SCTP_STREAM_RESET_INCOMING_SSN): the peer's next message on each
	// has SSN 0.
	StreamResetIncoming StreamResetFlags = 1 << iota
	// StreamResetOutgoing: the outgoing streams listed were reset
	// (SCTP_STREAM_RESET_OUTGOING_SSN).
	StreamResetOutgoing
	// StreamResetDenied: the peer denied the reset
	// (SCTP_STREAM_RESET_DENIED).
	StreamResetDenied
	// StreamResetFailed: the reset failed (SCTP_STREAM_RESET_FAILED).
	StreamResetFailed
)

// StreamResetEvent is the SCTP_STREAM_RESET_EVENT of RFC 6525 Section
// 6.1.1: streams were reset (or a reset was denied or failed).
type StreamResetEvent struct {
	Flags StreamResetFlags
	// Streams are the streams reset; empty means all of them.
	Streams []chunk.StreamID
}

func (*AssocChange) isEvent()     {}
func (*PaddrChange) isEvent()     {}
func (*RemoteError) isEvent()     {}
func (*SendFailed) isEvent()      {}
func (*ShutdownEvent) isEvent()   {}
func (*AdaptationEvent) isEvent() {}
func (*PDAPIEvent) isEvent()      {}

func (*StreamResetEvent) isEvent() {}

package api

import (
	"net/netip"
	"strconv"
)

// DeliveryKind says what a Delivery is.
type DeliveryKind uint8

// The kinds of Delivery, after the gen_sctp messages of active mode.
const (
	// KindData is a message: {sctp, S, FromIP, FromPort, {AncData, Data}}.
	KindData DeliveryKind = iota + 1
	// KindEvent is an event that is not an error: {sctp, S, FromIP,
	// FromPort, {AncData, Event}}.
	KindEvent
	// KindError is an error-class event (SendFailed, RemoteError,
	// PdapiEvent): {sctp_error, S, FromIP, FromPort, {AncData, Event}}.
	KindError
	// KindPassive says that the active count reached 0 and the socket is
	// passive: {sctp_passive, S}.
	KindPassive
)

// String returns the name of the kind: "data", "event", "error" or
// "passive", distinct for each kind, and "DeliveryKind(N)" for a value
// that names none (Message gives the gen_sctp message instead).
func (k DeliveryKind) String() string {
	switch k {
	case KindData:
		return "data"
	case KindEvent:
		return "event"
	case KindError:
		return "error"
	case KindPassive:
		return "passive"
	}
	return "DeliveryKind(" + strconv.Itoa(int(k)) + ")"
}

// Message returns the name of the gen_sctp message of the kind: "sctp"
// (KindData and KindEvent), "sctp_error" or "sctp_passive"; "undefined"
// for a value that names no kind.
func (k DeliveryKind) Message() string {
	switch k {
	case KindData, KindEvent:
		return "sctp"
	case KindError:
		return "sctp_error"
	case KindPassive:
		return "sctp_passive"
	}
	return "undefined"
}

// Delivery is one message or one event: what Recv returns and what active
// mode sends on the delivery channel.
type Delivery struct {
	Kind DeliveryKind
	// Socket is the socket that delivered it (several sockets may
	// deliver to one channel).
	Socket *Socket
	// From is the peer's IP and SCTP port (FromIP, FromPort): for a
	// message, the peer address its last DATA chunk came from; for an
	// event, the primary path of its association.
	From netip.AddrPort
	// Info is the ancillary data of a message (AncData
	// [#sctp_sndrcvinfo{}]); HasInfo is false when the data_io_event of
	// sctp_events is off, and for events (AncData []).
	Info    SndRcvInfo
	HasInfo bool
	// TOS, TClass and TTL are the {tos, V}, {tclass, V} and {ttl, V}
	// items of AncData: the IPv4 type of service, the IPv6 traffic class
	// and the IPv4 time to live (for an IPv6 datagram, its hop limit) of
	// the UDP datagram that carried the message (its last DATA chunk).
	// HasTOS, HasTClass and HasTTL say which items are present: only for
	// messages (KindData), only while the socket's RecvTOS, RecvTClass or
	// RecvTTL option is on, and only where the operating system reports
	// the field (Linux, on the operating system's network). TOS comes
	// with IPv4 datagrams, TClass with IPv6 ones.
	TOS, TClass, TTL          uint8
	HasTOS, HasTClass, HasTTL bool
	// Data is the message (KindData): from Recv and active mode, the whole
	// message, in a buffer that belongs to the receiver; from RecvBuffer,
	// the part of it copied into the caller's buffer.
	Data []byte
	// Partial is set on a part of a message that does not end it (RFC
	// 6458 Section 3.1.4: recvmsg without MSG_EOR in msg_flags): the
	// caller's buffer was too small for the rest of the message, or the
	// association delivers the message in pieces (past the partial
	// delivery point, RFC 6458 Section 8.1.21). See RecvBuffer.
	Partial bool
	// Event is the event (KindEvent and KindError).
	Event Event
}

// Err returns, for KindError, the error Recv returns for this event (an
// *Error wrapping an *EventError); nil otherwise.
func (d *Delivery) Err() error {
	if d.Kind != KindError {
		return nil
	}
	return &Error{Op: "recv", Assoc: d.Event.assoc(), Stream: -1, Reason: eventReason(d.Event),
		Err: &EventError{From: d.From, Event: d.Event}}
}

// Assoc returns the association of a message or event, or 0.
func (d *Delivery) Assoc() AssocID {
	switch {
	case d.Kind == KindData:
		return d.Info.AssocID
	case d.Event != nil:
		return d.Event.assoc()
	}
	return 0
}

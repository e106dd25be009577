package sctp

import "fmt"

// PayloadProtocolIdentifier is the Payload Protocol Identifier of a
// message (RFC 9260 Section 3.3.1), as pion/sctp names it; WebRTC's
// values are those of RFC 8831 Section 8 and RFC 8832.
type PayloadProtocolIdentifier uint32

// The Payload Protocol Identifiers of WebRTC data channels (the IANA SCTP
// Payload Protocol Identifiers registry).
const (
	// PayloadTypeUnknown is no identifier (0).
	PayloadTypeUnknown PayloadProtocolIdentifier = 0
	// PayloadTypeWebRTCDCEP is the Data Channel Establishment Protocol
	// (RFC 8832): its messages are sent ordered and reliably whatever the
	// stream's reliability parameters.
	PayloadTypeWebRTCDCEP PayloadProtocolIdentifier = 50
	// PayloadTypeWebRTCString is a UTF-8 message.
	PayloadTypeWebRTCString PayloadProtocolIdentifier = 51
	// PayloadTypeWebRTCBinary is a binary message.
	PayloadTypeWebRTCBinary PayloadProtocolIdentifier = 53
	// PayloadTypeWebRTCStringEmpty is an empty UTF-8 message.
	PayloadTypeWebRTCStringEmpty PayloadProtocolIdentifier = 56
	// PayloadTypeWebRTCBinaryEmpty is an empty binary message.
	PayloadTypeWebRTCBinaryEmpty PayloadProtocolIdentifier = 57
)

// String names the identifier as pion/sctp does.
func (p PayloadProtocolIdentifier) String() string {
	switch p {
	case PayloadTypeWebRTCDCEP:
		return "WebRTC DCEP"
	case PayloadTypeWebRTCString:
		return "WebRTC String"
	case PayloadTypeWebRTCBinary:
		return "WebRTC Binary"
	case PayloadTypeWebRTCStringEmpty:
		return "WebRTC String (Empty)"
	case PayloadTypeWebRTCBinaryEmpty:
		return "WebRTC Binary (Empty)"
	}
	return fmt.Sprintf("Unknown Payload Protocol Identifier: %d", uint32(p))
}

// The reliability types of Stream.SetReliabilityParams (the channel types
// of RFC 8832 Section 5.1 without their unordered bit).
const (
	// ReliabilityTypeReliable: every message is delivered.
	ReliabilityTypeReliable byte = 0
	// ReliabilityTypeRexmit: a message is retransmitted at most the
	// reliability value times (RFC 7496 Section 3.2, PrRtx).
	ReliabilityTypeRexmit byte = 1
	// ReliabilityTypeTimed: a message is abandoned the reliability value
	// in milliseconds after it was written (RFC 7496 Section 3.1, PrTTL).
	ReliabilityTypeTimed byte = 2
)

// StreamState is the state of a Stream's outgoing direction.
type StreamState int

// The states of a Stream.
const (
	// StreamStateOpen: the stream may be written.
	StreamStateOpen StreamState = iota
	// StreamStateClosing: Close asked to reset the outgoing stream and the
	// peer has not reset its own yet.
	StreamStateClosing
	// StreamStateClosed: both directions are reset.
	StreamStateClosed
)

// String returns "open", "closing", "closed" or "unknown".
func (ss StreamState) String() string {
	switch ss {
	case StreamStateOpen:
		return "open"
	case StreamStateClosing:
		return "closing"
	case StreamStateClosed:
		return "closed"
	}
	return "unknown"
}

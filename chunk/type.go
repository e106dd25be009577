package chunk

import "strconv"

// Type is an SCTP chunk type (RFC 9260 Section 3.2).
type Type uint8

// Chunk types of RFC 9260 Section 3.2 and of the extensions.
const (
	TypeData             Type = 0   // RFC 9260 Section 3.3.1
	TypeInit             Type = 1   // RFC 9260 Section 3.3.2
	TypeInitAck          Type = 2   // RFC 9260 Section 3.3.3
	TypeSACK             Type = 3   // RFC 9260 Section 3.3.4
	TypeHeartbeat        Type = 4   // RFC 9260 Section 3.3.5
	TypeHeartbeatAck     Type = 5   // RFC 9260 Section 3.3.6
	TypeAbort            Type = 6   // RFC 9260 Section 3.3.7
	TypeShutdown         Type = 7   // RFC 9260 Section 3.3.8
	TypeShutdownAck      Type = 8   // RFC 9260 Section 3.3.9
	TypeError            Type = 9   // RFC 9260 Section 3.3.10
	TypeCookieEcho       Type = 10  // RFC 9260 Section 3.3.11
	TypeCookieAck        Type = 11  // RFC 9260 Section 3.3.12
	TypeECNE             Type = 12  // RFC 9260 Section 3.2 (reserved for ECN); layout from RFC 4960 Appendix A
	TypeCWR              Type = 13  // RFC 9260 Section 3.2 (reserved for ECN); layout from RFC 4960 Appendix A
	TypeShutdownComplete Type = 14  // RFC 9260 Section 3.3.13
	TypeAuth             Type = 15  // RFC 4895 Section 5.1
	TypeIData            Type = 64  // RFC 8260 Section 2.1
	TypeASCONFAck        Type = 128 // RFC 5061 Section 4.1.2
	TypeReConfig         Type = 130 // RFC 6525 Section 3.1
	TypePad              Type = 132 // RFC 4820 Section 3
	TypeForwardTSN       Type = 192 // RFC 3758 Section 3.2
	TypeASCONF           Type = 193 // RFC 5061 Section 4.1.1
	TypeIForwardTSN      Type = 194 // RFC 8260 Section 2.3.1
)

// String returns the chunk name used by the RFCs, or "Type(n)".
func (t Type) String() string {
	switch t {
	case TypeData:
		return "DATA"
	case TypeInit:
		return "INIT"
	case TypeInitAck:
		return "INIT ACK"
	case TypeSACK:
		return "SACK"
	case TypeHeartbeat:
		return "HEARTBEAT"
	case TypeHeartbeatAck:
		return "HEARTBEAT ACK"
	case TypeAbort:
		return "ABORT"
	case TypeShutdown:
		return "SHUTDOWN"
	case TypeShutdownAck:
		return "SHUTDOWN ACK"
	case TypeError:
		return "ERROR"
	case TypeCookieEcho:
		return "COOKIE ECHO"
	case TypeCookieAck:
		return "COOKIE ACK"
	case TypeECNE:
		return "ECNE"
	case TypeCWR:
		return "CWR"
	case TypeShutdownComplete:
		return "SHUTDOWN COMPLETE"
	case TypeAuth:
		return "AUTH"
	case TypeIData:
		return "I-DATA"
	case TypeASCONFAck:
		return "ASCONF-ACK"
	case TypeReConfig:
		return "RE-CONFIG"
	case TypePad:
		return "PAD"
	case TypeForwardTSN:
		return "FORWARD-TSN"
	case TypeASCONF:
		return "ASCONF"
	case TypeIForwardTSN:
		return "I-FORWARD-TSN"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Action is what a receiver does with a chunk or parameter type it does not
// recognize, encoded in the two high-order bits of the type (RFC 9260
// Sections 3.2 and 3.2.1).
type Action uint8

// The four actions of RFC 9260 Tables 2 and 3.
const (
	// ActionStop: stop processing the packet (for a chunk) or the
	// remaining parameters of the chunk (for a parameter).
	ActionStop Action = 0
	// ActionStopReport: as ActionStop, and report the type: an
	// "Unrecognized Chunk Type" error cause for a chunk, an "Unrecognized
	// Parameter" for a parameter (RFC 9260 Section 3.2.2).
	ActionStopReport Action = 1
	// ActionSkip: skip this chunk or parameter and continue.
	ActionSkip Action = 2
	// ActionSkipReport: skip this chunk or parameter, continue, and report it.
	ActionSkipReport Action = 3
)

// Stop reports whether processing stops at the unrecognized type.
func (a Action) Stop() bool { return a&2 == 0 }

// Report reports whether the unrecognized type is reported to the peer.
func (a Action) Report() bool { return a&1 != 0 }

// String returns a short description of the action.
func (a Action) String() string {
	switch a & 3 {
	case ActionStop:
		return "stop"
	case ActionStopReport:
		return "stop and report"
	case ActionSkip:
		return "skip"
	}
	return "skip and report"
}

// Action returns what RFC 9260 Section 3.2 says to do with this chunk type
// when it is not recognized.
func (t Type) Action() Action { return Action(t >> 6) }

// Known reports whether this package parses the type into a typed chunk
// (rather than Unknown).
func (t Type) Known() bool {
	switch t {
	case TypeData, TypeInit, TypeInitAck, TypeSACK, TypeHeartbeat,
		TypeHeartbeatAck, TypeAbort, TypeShutdown, TypeShutdownAck,
		TypeError, TypeCookieEcho, TypeCookieAck, TypeECNE, TypeCWR,
		TypeShutdownComplete, TypeAuth, TypeIData, TypeASCONFAck,
		TypeReConfig, TypePad, TypeForwardTSN, TypeASCONF, TypeIForwardTSN:
		return true
	}
	return false
}

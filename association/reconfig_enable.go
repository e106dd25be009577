package association

import "github.com/gensctp/gensctp/chunk"

// ResetRequests is a set of kinds of the peer's stream reconfiguration
// requests (RFC 6525 Section 6.3.1, SCTP_ENABLE_STREAM_RESET: "This
// option allows a user to control whether the SCTP implementation
// processes or denies incoming requests in STREAM RESET chunks").
type ResetRequests uint8

// The kinds of requests of RFC 6525 Section 6.3.1, with its values.
const (
	// ResetStreamRequests are the Outgoing and Incoming SSN Reset
	// Requests (SCTP_ENABLE_RESET_STREAM_REQ).
	ResetStreamRequests ResetRequests = 0x01
	// ResetAssocRequests is the SSN/TSN Reset Request
	// (SCTP_ENABLE_RESET_ASSOC_REQ).
	ResetAssocRequests ResetRequests = 0x02
	// ChangeAssocRequests are the Add Outgoing and Add Incoming Streams
	// Requests (SCTP_ENABLE_CHANGE_ASSOC_REQ).
	ChangeAssocRequests ResetRequests = 0x04
	// AllResetRequests is every kind.
	AllResetRequests = ResetStreamRequests | ResetAssocRequests | ChangeAssocRequests
)

// requestKind returns the kind of the request parameter p, 0 if p is
// not a request.
func requestKind(p chunk.Param) ResetRequests {
	switch p.(type) {
	case *chunk.OutgoingSSNResetRequest, *chunk.IncomingSSNResetRequest:
		return ResetStreamRequests
	case *chunk.SSNTSNResetRequest:
		return ResetAssocRequests
	case *chunk.AddOutgoingStreams, *chunk.AddIncomingStreams:
		return ChangeAssocRequests
	}
	return 0
}

// denies reports whether the association is configured to deny the
// peer's request p (Config.ResetRequestsDenied).
func (a *Association) denies(p chunk.Param) bool {
	return a.cfg.ResetRequestsDenied&requestKind(p) != 0
}

package association

import "github.com/gensctp/gensctp/chunk"

// ReconfigFlags are the flags of an AssocResetEvent or a
// StreamChangeEvent (RFC 6525 Sections 6.1.2 and 6.1.3): none when the
// request succeeded.
type ReconfigFlags uint16

// The flags of RFC 6525 Sections 6.1.2 and 6.1.3, mutually exclusive.
const (
	// ReconfigDenied: the peer denied our request
	// (SCTP_ASSOC_RESET_DENIED, SCTP_STREAM_CHANGE_DENIED).
	ReconfigDenied ReconfigFlags = 0x0004
	// ReconfigFailed: our request failed (SCTP_ASSOC_RESET_FAILED,
	// SCTP_STREAM_CHANGE_FAILED).
	ReconfigFailed ReconfigFlags = 0x0008
)

// AssocResetEvent is the SCTP_ASSOC_RESET_EVENT of RFC 6525 Section
// 6.1.2: the association's TSNs and every stream's SSNs were reset by an
// SSN/TSN Reset Request, ours or the peer's (or ours was denied or
// failed).
type AssocResetEvent struct {
	Flags ReconfigFlags
	// LocalTSN is the next TSN this endpoint uses, RemoteTSN the next
	// TSN the peer uses.
	LocalTSN, RemoteTSN chunk.TSN
}

// StreamChangeEvent is the SCTP_STREAM_CHANGE_EVENT of RFC 6525 Section
// 6.1.3: streams were added by an Add Outgoing or Add Incoming Streams
// Request, ours or the peer's (or ours was denied or failed).
type StreamChangeEvent struct {
	Flags ReconfigFlags
	// InStreams is the number of streams the peer may use outbound,
	// OutStreams the number this endpoint may use outbound.
	InStreams, OutStreams uint16
}

func (*AssocResetEvent) isEvent()   {}
func (*StreamChangeEvent) isEvent() {}

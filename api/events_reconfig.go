package api

import (
	"fmt"

	"github.com/gensctp/gensctp/association"
)

// AssocResetEvent is the SCTP_ASSOC_RESET_EVENT of RFC 6525 Section
// 6.1.2, a gensctp addition (gen_sctp has no such record): the
// association's TSNs and every stream's sequence numbers were reset by
// an SSN/TSN Reset Request, ours or the peer's, or ours was denied or
// failed. It is delivered only when the assoc_reset_event of the
// sctp_events option is on (off by default).
type AssocResetEvent struct {
	// Flags are assocreset_flags: none on success,
	// association.ReconfigDenied or ReconfigFailed otherwise.
	Flags association.ReconfigFlags
	// LocalTSN is the next TSN this endpoint uses, RemoteTSN the next
	// TSN the peer uses.
	LocalTSN, RemoteTSN uint32
	AssocID             AssocID
}

// Record returns "sctp_assoc_reset_event".
func (*AssocResetEvent) Record() string { return "sctp_assoc_reset_event" }

func (e *AssocResetEvent) assoc() AssocID { return e.AssocID }

// String formats the record.
func (e *AssocResetEvent) String() string {
	return fmt.Sprintf("#sctp_assoc_reset_event{flags=%d,local_tsn=%d,remote_tsn=%d,assoc_id=%d}",
		e.Flags, e.LocalTSN, e.RemoteTSN, e.AssocID)
}

// StreamChangeEvent is the SCTP_STREAM_CHANGE_EVENT of RFC 6525 Section
// 6.1.3, a gensctp addition (gen_sctp has no such record): streams were
// added by an Add Outgoing or Add Incoming Streams Request, ours or the
// peer's, or ours was denied or failed. It is delivered only when the
// stream_change_event of the sctp_events option is on (off by default).
type StreamChangeEvent struct {
	// Flags are strchange_flags: none on success,
	// association.ReconfigDenied or ReconfigFailed otherwise.
	Flags association.ReconfigFlags
	// InStreams is the number of streams the peer may use outbound,
	// OutStreams the number this endpoint may use outbound.
	InStreams, OutStreams uint16
	AssocID               AssocID
}

// Record returns "sctp_stream_change_event".
func (*StreamChangeEvent) Record() string { return "sctp_stream_change_event" }

func (e *StreamChangeEvent) assoc() AssocID { return e.AssocID }

// String formats the record.
func (e *StreamChangeEvent) String() string {
	return fmt.Sprintf("#sctp_stream_change_event{instrms=%d,outstrms=%d,flags=%d,assoc_id=%d}",
		e.InStreams, e.OutStreams, e.Flags, e.AssocID)
}

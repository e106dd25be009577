package api

import (
	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// The stream reconfiguration requests of RFC 6525 Section 6.3 beyond
// ResetStreams, gensctp additions (gen_sctp has no such options).

// StreamResetDir is the srs_flags of sctp_reset_streams (RFC 6525
// Section 6.3.2): which direction of the streams ResetStreamsDir resets.
type StreamResetDir = association.StreamResetFlags

// The directions of ResetStreamsDir, SCTP_STREAM_RESET_INCOMING and
// SCTP_STREAM_RESET_OUTGOING; ResetBoth is both.
const (
	ResetIncoming = association.StreamResetIncoming
	ResetOutgoing = association.StreamResetOutgoing
	ResetBoth     = ResetIncoming | ResetOutgoing
)

// ResetStreamsDir resets the streams of association assoc, all of them
// when none is given, in the directions dir (RFC 6525 Section 6.3.2
// sctp_reset_streams, whose srs_flags dir is): ResetOutgoing as
// ResetStreams does; ResetIncoming asks the peer to reset its outgoing
// streams (an Incoming SSN Reset Request, RFC 6525 Section 5.1.3), after
// which the peer's next message on each has stream sequence number 0;
// ResetBoth both in one request. It returns at once; the outcome is a
// StreamResetEvent per direction (with the stream_reset_event of
// sctp_events on), flagged denied or failed when the peer did not
// reset the streams. It fails with an error wrapping
// association.ErrInvalidResetFlags for another dir, ErrInvalidStream for
// a stream the association does not have in a direction asked for,
// association.ErrResetTooLarge for a list too long for one packet (reset
// fewer streams at a time), and the errors of ResetStreams.
func (s *Socket) ResetStreamsDir(assoc AssocID, dir StreamResetDir, streams ...uint16) error {
	return opError("reset_streams", assoc, -1, s.do(func(now timer.Time) error {
		_, a, err := s.assocLocked(assoc)
		if err != nil {
			return err
		}
		ids := make([]chunk.StreamID, len(streams))
		for i, id := range streams {
			ids[i] = chunk.StreamID(id)
		}
		return a.ResetStreamsDir(now, dir, ids)
	}))
}

// ResetAssoc resets the TSNs and the stream sequence numbers of every
// stream in both directions of association assoc (RFC 6525 Section
// 6.3.3 sctp_reset_assoc, an SSN/TSN Reset Request, Section 5.1.4): new
// messages are queued, not sent, until the peer answers; the request
// goes once every message sent is acknowledged. It returns at once; the
// outcome is an AssocResetEvent (with the assoc_reset_event of
// sctp_events on) carrying the new TSNs, or flagged
// association.ReconfigDenied or ReconfigFailed. It fails with an error
// wrapping association.ErrNotEstablished,
// association.ErrReconfigNotSupported,
// association.ErrReconfigInProgress (a reconfiguration request waits
// for its answer) or association.ErrResetAssocTooSoon (RFC 6525 Section
// 5.1.4: one SSN/TSN reset request in 30 seconds at most).
func (s *Socket) ResetAssoc(assoc AssocID) error {
	return opError("reset_assoc", assoc, -1, s.do(func(now timer.Time) error {
		_, a, err := s.assocLocked(assoc)
		if err != nil {
			return err
		}
		return a.ResetAssoc(now)
	}))
}

// AddStreams asks the peer of association assoc for out more outgoing
// and in more incoming streams (RFC 6525 Section 6.3.4 sctp_add_streams,
// whose sas_outstrms and sas_instrms they are; Sections 5.1.5 and
// 5.1.6). The new streams are numbered after the existing ones; an
// outgoing one is usable once the peer granted it. It returns at once;
// the outcome is a StreamChangeEvent per direction asked for (with the
// stream_change_event of sctp_events on) carrying the stream counts, or
// flagged association.ReconfigDenied or ReconfigFailed. It fails with
// an error wrapping association.ErrNoStreamsToAdd for none,
// association.ErrTooManyStreams beyond 65535 streams or, for incoming
// ones, beyond the socket's max_instreams (sctp_initmsg), and the errors
// of ResetAssoc.
func (s *Socket) AddStreams(assoc AssocID, out, in uint16) error {
	return opError("add_streams", assoc, -1, s.do(func(now timer.Time) error {
		_, a, err := s.assocLocked(assoc)
		if err != nil {
			return err
		}
		return a.AddStreams(now, out, in)
	}))
}

package api

// ResetStreams resets the outgoing streams of association assoc, all of
// them when none is given (RFC 6525 Section 6.3.2 sctp_reset_streams with
// SCTP_STREAM_RESET_OUTGOING, a gensctp addition): once the messages
// queued on them are sent, the peer is asked to reset them, and each
// stream's next message then has stream sequence number 0. It returns at
// once; the outcome is a StreamResetEvent (with the stream_reset_event
// of sctp_events on). Until then a send to those streams fails with an
// error wrapping association.ErrStreamResetting. It fails with an error
// wrapping association.ErrReconfigNotSupported when the peer did not
// offer stream reconfiguration, association.ErrReconfigInProgress while
// an earlier reset waits for its answer, and ErrInvalidStream for a
// stream the association does not have.
func (s *Socket) ResetStreams(assoc AssocID, streams ...uint16) error {
	return s.ResetStreamsDir(assoc, ResetOutgoing, streams...)
}

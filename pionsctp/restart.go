package sctp

// restarted handles the peer's restart (RFC 9260 Section 5.2.4: the
// socket reports it with an api.Restart AssocChange) as pion/sctp v1.12
// does: the association goes on with the restarted peer, and so do its
// open streams, whose sequence numbers start again from 0 in the socket.
// What belonged to the association before goes: the writes not yet sent
// are dropped (the socket failed those it held; blocking writers get
// ErrAssociationRestarted, and OnBufferedAmountLow fires as the buffered
// amounts fall; a write the socket took between the restart and its
// report here goes to the restarted peer), the resets not yet asked for too, and the streams being
// closed are closed: their reads return io.EOF, and their ids open new
// streams. The parts of a message being received were dropped
// (dropPartial).
func (a *Association) restarted() {
	a.mu.Lock()
	var closing []*Stream
	for id, s := range a.streams {
		if s.State() != StreamStateOpen {
			closing = append(closing, s)
			delete(a.streams, id)
		}
	}
	q := a.sendq
	a.sendq = nil
	a.gen++
	if a.sending != nil {
		a.sending()
	}
	a.releaseLocked(a.resets.pending)
	a.resets.pending = nil
	a.cond.Broadcast()
	a.mu.Unlock()
	if st, err := a.sock.Status(a.id); err == nil {
		a.outStreams.Store(int32(st.Outstrms))
	}
	for _, s := range closing {
		s.restartClosed()
	}
	a.failItems(q, ErrAssociationRestarted, true)
}

// restartClosed closes the stream, which was being closed when the peer
// restarted: reads return io.EOF once the messages queued are read.
func (s *Stream) restartClosed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = StreamStateClosed
	if s.readErr == nil {
		s.readErr = errEOF
	}
	s.uncharge()
	s.cond.Broadcast()
}

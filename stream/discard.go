package stream

import "github.com/gensctp/gensctp/chunk"

// Discard removes every message queued on stream id and returns them in
// queue order, for the association to report as unsent (for example in
// send-failed events after an ABORT). If the stream's front message was
// partly handed out by Next, it is removed too and comes first; its
// SentBytes is positive, so the association can report it as "sent in
// part". The association must not expect more fragments of it: it
// abandons the rest (after an ABORT, or with PR-SCTP FORWARD TSN). Discard
// keeps the stream's SSN counter. It returns nil if nothing was queued.
func (q *SendQueue) Discard(id chunk.StreamID) []*OutMessage {
	s := q.streams.get(id)
	if s == nil || s.q.len() == 0 {
		return nil
	}
	out := q.drain(nil, s)
	if q.sched == FirstComeFirstServed {
		q.ready.filter(func(x chunk.StreamID) bool { return x != id })
	} else {
		q.unready(s)
	}
	return out
}

// DiscardAll removes every queued message and returns them: first the
// messages partly handed out by Next, if any (see Discard; one without
// interleaving), then the rest, streams in increasing identifier order,
// each in queue order. It keeps the SSN counters. It returns nil if the
// queue was empty.
func (q *SendQueue) DiscardAll() []*OutMessage {
	if q == nil || q.msgs == 0 {
		return nil
	}
	out := make([]*OutMessage, 0, q.msgs)
	if q.cur != nil || q.partial > 0 {
		q.streams.each(0, func(_ chunk.StreamID, s *sendStream) {
			if m, ok := s.q.front(); ok && m.sent > 0 {
				s.q.pop()
				rest := len(m.Data) - m.sent
				s.buffered -= rest
				q.buffered -= rest
				m.queued = false
				q.msgs--
				out = append(out, m)
			}
		})
		q.partial = 0
	}
	q.streams.each(0, func(_ chunk.StreamID, s *sendStream) {
		out = q.drain(out, s)
		s.inReady = false
	})
	q.cur, q.pkt = nil, nil
	q.ready.reset()
	clear(q.heap.s)
	q.heap.s = q.heap.s[:0]
	return out
}

// SetStreams sets the number of outbound streams to n (clamped to [0,
// MaxStreams]), for example once the peer's MIS is known (RFC 9260 Section
// 5.1.1) or after streams are added (RFC 6525). Shrinking removes the
// state of the streams at or above n, SSN counters included, and returns
// the messages that were queued on them, as Discard does. Enqueue then
// refuses those streams with ErrInvalidStream.
func (q *SendQueue) SetStreams(n int) []*OutMessage {
	n = clampStreams(n)
	old := q.numStreams
	q.numStreams = n
	if n >= old {
		return nil
	}
	var out []*OutMessage
	var gone []chunk.StreamID
	q.streams.each(n, func(id chunk.StreamID, _ *sendStream) { gone = append(gone, id) })
	for _, id := range gone {
		out = append(out, q.Discard(id)...)
		q.streams.remove(id)
	}
	return out
}

// drain appends the messages of s to out, front first, and empties s.
func (q *SendQueue) drain(out []*OutMessage, s *sendStream) []*OutMessage {
	for {
		m, ok := s.q.pop()
		if !ok {
			break
		}
		if m.sent > 0 && q.cur != s {
			q.partial-- // (cur's is not counted)
		}
		m.queued = false
		q.msgs--
		out = append(out, m)
	}
	q.buffered -= s.buffered
	s.buffered = 0
	if q.cur == s {
		q.cur = nil
	}
	if q.pkt == s {
		q.pkt = nil
	}
	return out
}

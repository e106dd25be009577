package stream

import "github.com/gensctp/gensctp/chunk"

// Peek returns the message that Next would hand its next fragment from,
// and false if the queue is empty. The association checks its lifetime
// before sending it.
func (q *SendQueue) Peek() (*OutMessage, bool) {
	s := q.peekStream()
	if s == nil {
		return nil, false
	}
	return s.q.front()
}

// Each calls f with every queued message, stream by stream in increasing
// identifier order, each in queue order, until f returns false. f must
// not change the queue.
func (q *SendQueue) Each(f func(*OutMessage) bool) {
	if q == nil {
		return
	}
	more := true
	q.streams.each(0, func(_ chunk.StreamID, s *sendStream) {
		for i := 0; more && i < s.q.len(); i++ {
			more = f(s.q.at(i))
		}
	})
}

// Remove takes the queued message m out of the queue, wherever it is in
// its stream, and reports whether it was queued. A message partly handed
// out by Next is removed too: the association abandons the rest of it
// (PR-SCTP, RFC 3758 Section 3.5 A3: "all other TSN's within that
// fragmented message MUST be abandoned at the same time"); its SentBytes
// says how much went out. The stream keeps its SSN counter: an ordered
// message never handed out has taken no SSN. The work is a step per
// message queued on m's stream.
func (q *SendQueue) Remove(m *OutMessage) bool {
	if q == nil || m == nil || !m.queued {
		return false
	}
	s := q.streams.get(m.Stream)
	if s == nil {
		return false
	}
	idx := -1
	for i := range s.q.len() {
		if s.q.at(i) == m {
			idx = i
			break
		}
	}
	if idx < 0 {
		return false
	}
	s.q.filter(func(x *OutMessage) bool { return x != m })
	rest := len(m.Data) - m.sent
	s.buffered -= rest
	q.buffered -= rest
	q.msgs--
	m.queued = false
	if q.cur == s && idx == 0 {
		// The message being handed out: its stream is not in ready.
		q.cur = nil
		if s.q.len() > 0 && q.sched != FirstComeFirstServed {
			// First come, first served: its other messages are in ready
			// already.
			q.markReady(s)
		}
		return true
	}
	if m.sent > 0 {
		q.partial--
	}
	if q.sched == FirstComeFirstServed {
		// The k-th entry of s in ready is its k-th message waiting (the
		// one being handed out has none).
		k := idx
		if q.cur == s {
			k--
		}
		filterNth(&q.ready, s.id, k)
		return true
	}
	if s.q.len() == 0 {
		q.unready(s)
	}
	return true
}

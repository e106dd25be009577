package stream

import "github.com/gensctp/gensctp/chunk"

// Pop returns the next message, or piece of a message under partial
// delivery, and false if there is none. Messages come in the order they
// became deliverable: a whole message when its last fragment arrived and,
// if ordered, every earlier SSN of its stream was queued; a piece when
// partial delivery started or, once started, whenever further contiguous
// fragments arrived. The caller owns m.Data.
//
// With fragment interleave level 0 or 1, once Pop returned the first piece
// of a partial delivery, it returns only pieces of that message until the
// last one, and false while the next piece has not arrived.
func (r *Reassembly) Pop() (m InMessage, ok bool) {
	if r == nil {
		return InMessage{}, false
	}
	x := r.active
	switch {
	case x != nil && !x.queued:
		return InMessage{}, false
	case x == nil:
		if x, ok = r.ready.pop(); !ok {
			return InMessage{}, false
		}
	}
	x.queued = false
	m = InMessage{
		Stream: x.stream, PPID: x.ppid, Unordered: x.unordered, SSN: x.ssn, MID: x.mid,
		Data: x.buf, FirstTSN: x.pieceFirst, LastTSN: x.last,
		// A partial delivery that completed before its first piece
		// was popped yields the whole message.
		Partial: x.pd && (!x.lastE || x.delivered > 0), EndOfMessage: x.lastE,
	}
	r.buffered -= len(x.buf)
	r.chunks -= x.nchunks
	x.buf, x.nchunks = nil, 0
	if !x.lastE {
		// A partial delivery goes on: the next piece starts after this
		// one.
		x.delivered += len(m.Data)
		x.pieceFirst = x.last.Add(1)
		if r.interleave < 2 {
			r.active = x
		}
		return m, true
	}
	if x == r.active {
		r.active = nil
	}
	r.freeRun(x)
	return m, true
}

// FragmentInterleave returns the fragment interleave level.
func (r *Reassembly) FragmentInterleave() int { return r.interleave }

// SetFragmentInterleave sets how partial deliveries interleave with other
// messages (RFC 6458 Section 8.1.20, SCTP_FRAGMENT_INTERLEAVE), and reports
// whether level is valid (0, 1 or 2). At level 2, the default, nothing of
// a stream overtakes its partial delivery, but other streams go on: a
// caller that reassembles pieces keeps one buffer per stream. At level 0
// or 1 (the same for one association; RFC 6458 recommends level 0 for
// one-to-one sockets) a partial delivery, once its first piece is out,
// blocks every other message of the association: "when a partial delivery
// begins, no other messages will be received except the message being
// partially delivered". Beware that messages blocked behind it occupy the
// receive buffer, which can stall the rest of the message.
func (r *Reassembly) SetFragmentInterleave(level int) bool {
	if level < 0 || level > 2 {
		return false
	}
	r.interleave = level
	if a := r.active; level == 2 && a != nil {
		r.active = nil
		if a.queued {
			r.ready.push(a)
		}
	}
	return true
}

// PartialDeliveryPoint returns the partial delivery point in bytes; 0
// means partial delivery is off.
func (r *Reassembly) PartialDeliveryPoint() int { return r.pdPoint }

// SetPartialDeliveryPoint sets the partial delivery point to n bytes (RFC
// 6458 Section 8.1.21, SCTP_PARTIAL_DELIVERY_POINT); n <= 0 turns partial
// delivery off for messages that have not started it.
//
// With a point of n, an incomplete message that is next in line on its
// stream (the next SSN if ordered; any unordered one) and has at least n
// contiguous bytes from its B fragment starts a partial delivery: Pop
// returns those bytes as a piece with Partial set, then, as further
// contiguous fragments arrive, more pieces, the last with EndOfMessage
// set. A message of n bytes or fewer is never delivered in parts (RFC 6458
// Section 8.1.21: "any single message having a length smaller than or
// equal to the SCTP partial delivery point will be delivered in a single
// read call"). While a partial delivery is in progress on a stream,
// nothing else of that stream is delivered ahead of its last piece; other
// streams go on unless SetFragmentInterleave says otherwise. This is the partial delivery of RFC 9260 Section 6.9:
// "If the data receiver runs out of buffer space while still waiting for
// more fragments to complete the reassembly of the message, it SHOULD
// dispatch part of its inbound message through a partial delivery API".
//
// The association keeps n at most its receive buffer (RFC 6458 Section
// 8.1.21); otherwise a message larger than the buffer stalls.
func (r *Reassembly) SetPartialDeliveryPoint(n int) {
	r.pdPoint = max(n, 0)
	if r.pdPoint == 0 {
		return
	}
	r.streams.each(0, func(_ chunk.StreamID, s *recvStream) {
		r.chase(s)
		for i := 0; i < len(s.unord) && s.pd == nil; i++ {
			r.maybeStartPartial(s, s.unord[i])
		}
	})
}

// AbortPartial drops every message under partial delivery, for example
// when the association aborts, and reports them in stream order. For an
// entry with Delivered > 0 the user has seen part of the message and is
// told with an SCTP_PARTIAL_DELIVERY_ABORTED event (RFC 6458 Section
// 6.1.7: "This happens, for example, if an association is aborted while a
// partial delivery is going on"). Messages of the same streams held
// behind the dropped ones become deliverable; an ordered stream skips the
// dropped SSN. Later fragments of a dropped message are not expected:
// Reassembly refuses those of an ordered one (its SSN is delivered) and
// holds those of an unordered one forever, so AbortPartial is for an
// association that is going away (or, with PR-SCTP, that skips the
// message). It returns nil if no partial delivery was in progress.
func (r *Reassembly) AbortPartial() []PartialAbort {
	if r == nil {
		return nil
	}
	var out []PartialAbort
	r.streams.each(0, func(_ chunk.StreamID, s *recvStream) {
		x := s.pd
		if x == nil {
			return
		}
		out = append(out, PartialAbort{
			Stream: x.stream, SSN: x.ssn, Unordered: x.unordered, MID: x.mid, Delivered: x.delivered,
		})
		switch {
		case x == r.active:
			r.active = nil
		case x.queued:
			r.ready.filter(func(y *run) bool { return y != x })
		}
		r.buffered -= len(x.buf)
		r.chunks -= x.nchunks
		delete(r.byFirst, x.first)
		delete(r.byLast, x.last)
		r.untrack(s, x)
		r.clearPD(s)
		if !x.unordered {
			delete(r.ordered, orderedKey(x.stream, x.ssn))
			r.ssns.set(s.id, x.ssn.Add(1))
		}
		r.bufs().Put(x.buf)
		x.buf = nil
		if r.idata {
			r.forgetI(x)
		}
		r.freeRun(x)
		r.resume(s)
		r.settle(s)
	})
	return out
}

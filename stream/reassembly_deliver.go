package stream

// complete handles run x of stream s that just became a whole message.
func (r *Reassembly) complete(s *recvStream, x *run) {
	r.untrack(s, x)
	if !x.pd {
		r.deliver(s, x)
		return
	}
	// The last piece of a partial delivery: the partial delivery ends
	// once it is queued, so the stream's other messages queue behind it.
	if !x.queued {
		r.push(x)
	}
	r.clearPD(s)
	if !x.unordered {
		delete(r.ordered, orderedKey(x.stream, x.ssn))
		r.ssns.set(s.id, x.ssn.Add(1))
	}
	r.resume(s)
}

// deliver queues the whole message x of stream s for delivery, or holds it
// until it may be delivered.
//
// RFC 9260 Section 6.6: "Within a stream, an endpoint MUST deliver DATA
// chunks received with the U flag set to 0 to the upper layer according to
// the order of their Stream Sequence Number. If DATA chunks arrive out of
// order of their Stream Sequence Number, the endpoint MUST hold the
// received DATA chunks from delivery to the ULP until they are reordered."
// RFC 9260 Section 3.3.1: "After reassembly (if necessary), unordered DATA
// chunks MUST be dispatched to the upper layer by the receiver without any
// attempt to reorder." The one exception is a partial delivery in progress
// on the stream, which nothing of the stream overtakes.
func (r *Reassembly) deliver(s *recvStream, x *run) {
	switch {
	case x.unordered && s.pd != nil:
		x.uidx = len(s.held)
		s.held = append(s.held, x)
	case x.unordered:
		r.push(x)
	case s.pd == nil && x.ssn == r.ssns.get(s.id):
		delete(r.ordered, orderedKey(x.stream, x.ssn))
		r.push(x)
		r.ssns.set(s.id, x.ssn.Add(1))
		r.chase(s)
	default:
		r.setOrdered(x)
	}
}

// chase queues the ordered messages of stream s that the last queued one
// unblocked, then checks whether the next one should start a partial
// delivery.
func (r *Reassembly) chase(s *recvStream) {
	if len(r.ordered) == 0 {
		return
	}
	for s.pd == nil {
		next := r.ssns.get(s.id)
		key := orderedKey(s.id, next)
		x := r.ordered[key]
		if x == nil {
			return
		}
		if !x.lastE {
			r.maybeStartPartial(s, x)
			return
		}
		delete(r.ordered, key)
		r.push(x)
		r.ssns.set(s.id, next.Add(1))
	}
}

// resume runs when the partial delivery on stream s ended: it queues the
// messages held behind it and looks for the next partial delivery.
func (r *Reassembly) resume(s *recvStream) {
	for i, x := range s.held {
		x.uidx = -1
		r.push(x)
		s.held[i] = nil
	}
	s.held = s.held[:0]
	r.chase(s)
	for i := 0; i < len(s.unord) && s.pd == nil; i++ {
		r.maybeStartPartial(s, s.unord[i])
	}
}

// grew runs after user data was appended to the begun, incomplete run x of
// stream s.
func (r *Reassembly) grew(s *recvStream, x *run) {
	if x.pd {
		if !x.queued {
			r.push(x) // a further piece is ready
		}
		return
	}
	r.maybeStartPartial(s, x)
}

// maybeStartPartial starts the partial delivery of the begun, incomplete
// run x of stream s if it has reached the partial delivery point, no
// partial delivery is in progress on s, and x is next in line on s (any
// unordered message; the next SSN for an ordered one).
func (r *Reassembly) maybeStartPartial(s *recvStream, x *run) {
	if r.pdPoint <= 0 || s.pd != nil || len(x.buf) < r.pdPoint ||
		!x.unordered && x.ssn != r.ssns.get(s.id) {
		return
	}
	r.setPD(s, x)
	r.push(x)
}

// setPD puts the message x of stream s under partial delivery.
func (r *Reassembly) setPD(s *recvStream, x *run) {
	s.pd = x
	x.pd = true
	hi := int(s.id >> 8)
	for hi >= len(r.pdPages) {
		r.pdPages = append(r.pdPages, 0)
	}
	r.pdPages[hi]++
}

// clearPD ends the partial delivery of stream s, if any (setPD).
func (r *Reassembly) clearPD(s *recvStream) {
	if s.pd != nil {
		s.pd = nil
		r.pdPages[s.id>>8]--
	}
}

// push appends x to the delivery queue. The message whose partial
// delivery blocks Pop (fragment interleave below 2) is served without
// queueing.
func (r *Reassembly) push(x *run) {
	x.queued = true
	r.unhold(x)
	if x != r.active {
		r.ready.push(x)
	}
}

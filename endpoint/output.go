package endpoint

import (
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// reply is a packet the endpoint itself sends (not an association).
type reply struct {
	to   netip.AddrPort
	from netip.Addr
	data []byte
}

// replyQueue is a bounded FIFO of replies whose buffers are reused.
type replyQueue struct {
	q    fifo[reply]
	free [][]byte
}

// buf returns an empty buffer for a reply, or nil when MaxPendingReplies
// are queued.
func (r *replyQueue) buf() []byte {
	if r.q.len() >= MaxPendingReplies {
		return nil
	}
	if n := len(r.free); n > 0 {
		b := r.free[n-1]
		r.free = r.free[:n-1]
		return b[:0]
	}
	return make([]byte, 0, 256)
}

// push queues data (built in a buffer from buf) for to.
func (r *replyQueue) push(to netip.AddrPort, from netip.Addr, data []byte) {
	r.q.push(reply{to: to, from: from, data: data})
}

// maxFreeReplies bounds the buffers kept for reuse: the replies to one
// batch of datagrams between two drains of AppendPacket. Beyond, a burst
// of replies (up to MaxPendingReplies) allocates, and its buffers go back
// to the garbage collector instead of staying with the endpoint.
const maxFreeReplies = 64

// recycle returns an unused buffer.
func (r *replyQueue) recycle(b []byte) {
	if cap(b) > 0 && cap(b) <= 1<<16 && len(r.free) < maxFreeReplies {
		r.free = append(r.free, b[:0])
	}
}

// AppendPacket returns the next packet to transmit, written into buf's
// capacity (buf[:0]), with its destination; false when there is nothing to
// send now. Call it in a loop after every input until it returns false.
//
// The endpoint's own replies (to INIT, out-of-the-blue packets, stale
// cookies) come first, then the associations take turns in round-robin
// order: each sends up to Config.SendQuantum packets (default 1) and goes
// to the back of the queue, so that one busy association cannot starve
// the others; an association leaves the queue when it has nothing to send
// and rejoins after its next input. The cost is O(1) per packet plus one
// call per association that was touched since the last round, never a
// scan over idle associations.
func (e *Endpoint) AppendPacket(now timer.Time, buf []byte) (association.Outgoing, bool) {
	out, ok := e.appendPacket(now, buf)
	if ok {
		e.counters.out(len(out.Data))
	}
	return out, ok
}

// appendPacket is AppendPacket without the counting.
func (e *Endpoint) appendPacket(now timer.Time, buf []byte) (association.Outgoing, bool) {
	e.tick(now)
	e.flushDirty()
	if r, ok := e.replies.q.pop(); ok {
		out := association.Outgoing{To: r.to, From: r.from, Data: append(buf[:0], r.data...)}
		e.replies.recycle(r.data)
		return out, true
	}
	for e.sendQ.len() > 0 {
		en := e.sendQ.peek()
		if en.removed {
			e.sendQ.pop()
			continue
		}
		out, ok := en.a.AppendPacket(now, buf[:0])
		e.observe(en) // sending frees send buffer, may change the state
		if ok {
			e.deadlines.set(en, en.a.NextDeadline()) // sending may start T3-rtx
			en.sent++
			if en.sent >= e.cfg.SendQuantum {
				en.sent = 0
				e.sendQ.pop()
				e.sendQ.push(en)
			}
			return out, true
		}
		e.sendQ.pop()
		en.sendQ, en.sent = false, 0
		e.maybeRemove(en)
	}
	return association.Outgoing{}, false
}

// Poll returns the next delivery (message or event) of any association,
// with the association's ID. Associations take turns, one delivery each,
// so that one association with many deliveries does not delay the
// others; the deliveries of one association keep their order. A
// one-to-one listener reports an accepted association only after Accept
// took it, and never an association taken out with Detach (see
// PollAssoc). A closed association is forgotten once its last delivery
// (its final AssocChange event) has been polled.
func (e *Endpoint) Poll() (AssocID, association.Delivery, bool) {
	e.flushDirty()
	for e.pollQ.len() > 0 {
		en, _ := e.pollQ.pop()
		if en.removed {
			continue
		}
		if en.detached {
			en.pollQ = false
			e.maybeRemove(en)
			continue
		}
		d, ok := en.a.Poll()
		if !ok {
			en.pollQ = false
			e.maybeRemove(en)
			continue
		}
		en.polled()
		if en.a.Pending() > 0 {
			e.pollQ.push(en)
		} else {
			en.pollQ = false
		}
		if en.closed {
			e.maybeRemove(en) // nothing more to send comes from polling
		} else {
			// Reading frees receive window: the association may now owe
			// the peer a window update (RFC 9260 Section 6.2).
			e.markDirty(en)
		}
		return en.id, d, true
	}
	return 0, association.Delivery{}, false
}

// Deliverable reports whether Poll may have a delivery to return: an
// association it reads has deliveries (it may turn out to have none for
// Poll: one detached since, for example). A user with several readers
// tells by it whether one that just polled should wake another.
func (e *Endpoint) Deliverable() bool {
	e.flushDirty()
	return e.pollQ.len() > 0
}

// NextDeadline returns when HandleTimeout must next be called: the
// earliest deadline of all associations and the next cookie secret
// rotation, or timer.Never. It is O(1) in the number of associations
// (a min-heap keyed by deadline).
func (e *Endpoint) NextDeadline() timer.Time {
	e.flushDirty()
	return timer.Min(e.deadlines.next(), e.acceptor.Cookies().NextRotation())
}

// HandleTimeout runs the timers due at now: it rotates the cookie secret
// when due (RFC 9260 Section 5.1.3) and calls HandleTimeout on exactly the
// associations whose deadline has passed. Calling it early or late is
// harmless.
func (e *Endpoint) HandleTimeout(now timer.Time) {
	e.tick(now)
	e.flushDirty()
	if keys := e.acceptor.Cookies(); keys.NextRotation() <= now {
		keys.Rotate(now)
	}
	e.expireReserved()
	// Take the due associations out first, so that one whose timer is
	// re-armed at or before now is not run twice in one call.
	due := e.due[:0]
	for en := e.deadlines.popDue(now); en != nil; en = e.deadlines.popDue(now) {
		due = append(due, en)
	}
	for i, en := range due {
		en.a.HandleTimeout(now)
		e.sync(en)
		due[i] = nil
	}
	e.due = shrunk(due[:0])
}

package api

import (
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
)

// Whom a change wakes. A socket's callers wait on queues of their own:
// rq for the readers (Recv, Conn.Read), aq for Accept, one queue per
// association for the senders (senders), one per blocking Connect (its
// connectWait). The endpoint reports the associations that changed
// (endpoint.Endpoint.TakeChanged) to changedLocked, which wakes the
// queues of the socket owning each one and runs that socket's
// active-mode delivery; changes of a socket itself (closed, options,
// deliveries read ahead by Connect) wake it directly. Nothing else is
// woken, so the cost of an event does not grow with idle sockets or
// callers: a delivery wakes one reader (WakeOne), which wakes the next
// if it leaves more to read (readTakenLocked); send buffer space freed on
// one association wakes the senders of that association.

// readable wakes the readers of a socket and runs its active-mode
// delivery.
const readable = endpoint.Readable | endpoint.StateChanged | endpoint.Removed

// ended wakes every reader of a one-to-one socket (and every sender):
// they may fail now.
const ended = endpoint.StateChanged | endpoint.Removed

// writable wakes the senders of an association.
const writable = endpoint.Writable | ended

// changedLocked is the endpoint's watcher (stack.Watch): for each
// association that changed, it wakes the socket that owns it (the opening
// socket, or the peeled-off or accepted one; for a new association in a
// one-to-one backlog, the listener): a reader and the active-mode
// delivery for new deliveries (every reader of a one-to-one socket for a
// new state or its association gone), the callers of Accept for a new
// association in the backlog, the Connect waiting for it, and the
// association's senders for send buffer space, a new state or the
// association gone. A change of an association of a closed socket
// concerns only the Close waiting for it (closedChangedLocked).
func (e *epShare) changedLocked(now timer.Time, cs []endpoint.Change) {
	if len(cs) == 0 { // the transport closed (stack.WatchFunc)
		e.failedLocked()
		return
	}
	for _, c := range cs {
		s := e.owner(c.ID)
		if s == nil {
			continue
		}
		if s.closed {
			s.closedChangedLocked(now, c)
			continue
		}
		if c.What&readable != 0 {
			s.readableLocked(s.typ == Stream && c.What&ended != 0)
			if w := s.connecting[c.ID]; w != nil {
				w.q.Wake()
			}
		}
		if c.What&endpoint.Backlogged != 0 {
			s.aq.Wake()
		}
		if c.What&writable != 0 {
			s.wakeSendersLocked(c.ID, c.What&endpoint.Removed != 0)
		}
	}
}

// failedLocked wakes every caller of the sockets of the endpoint, whose
// transport closed under them (stack.Stack.Failed): those that wait for
// something other than a change of one of their associations (Accept,
// Recv on a socket without any) fail, since it will never come.
func (e *epShare) failedLocked() {
	if e.parent != nil {
		e.parent.kickLocked()
	}
	for _, s := range e.peeled {
		s.kickLocked()
	}
}

// readableLocked wakes a reader of the socket (every reader: all) and,
// in active mode or with deliveries in the outbox, runs its delivery.
func (s *Socket) readableLocked(all bool) {
	if all {
		s.rq.Wake()
	} else {
		s.rq.WakeOne()
	}
	if s.st.active.on() || s.outbox.len() > 0 {
		s.stk.Schedule(&s.pump)
	}
}

// readTakenLocked runs when a reader took a delivery: if the socket has
// more to read, it wakes another reader, which a delivery woken for one
// reader (WakeOne) would otherwise leave asleep.
func (s *Socket) readTakenLocked() {
	if s.rq.Len() > 0 && s.moreToReadLocked() {
		s.rq.WakeOne()
	}
}

// moreToReadLocked reports whether the socket may have a delivery to
// read (false positives are harmless: a reader woken for nothing waits
// again).
func (s *Socket) moreToReadLocked() bool {
	switch {
	case s.stash.len() > 0 || s.rest.on:
		return true
	case s.peeled:
		return s.share.ep.PendingAssoc(s.assoc1) > 0
	}
	return s.share.parent == s && s.share.ep.Deliverable()
}

// sendQueueLocked returns the queue of the senders of association id,
// made if there is none.
func (s *Socket) sendQueueLocked(id AssocID) *stack.WaitQueue {
	q := s.senders[id]
	if q == nil {
		if q, s.spareQ = s.spareQ, nil; q == nil {
			q = new(stack.WaitQueue)
		}
		if s.senders == nil {
			s.senders = make(map[AssocID]*stack.WaitQueue)
		}
		s.senders[id] = q
		s.share.ep.Bind(q, id)
	}
	return q
}

// sentLeftLocked runs when a sender of association id is done waiting:
// the queue of id goes once no one waits on it.
func (s *Socket) sentLeftLocked(id AssocID) {
	if q := s.senders[id]; q != nil && q.Len() == 0 {
		delete(s.senders, id)
		s.spareQ = q
	}
}

// wakeSendersLocked wakes the senders of association id; drop forgets
// their queue (the association is gone or no longer the socket's: they
// fail when they look).
func (s *Socket) wakeSendersLocked(id AssocID, drop bool) {
	q := s.senders[id]
	if q == nil {
		return
	}
	q.Wake()
	if drop {
		delete(s.senders, id)
	}
}

// kickLocked wakes every caller of the socket and runs its active-mode
// delivery: the socket itself changed (closed, options set).
func (s *Socket) kickLocked() {
	s.rq.Wake()
	s.aq.Wake()
	for _, q := range s.senders {
		q.Wake()
	}
	for _, w := range s.connecting {
		w.q.Wake()
	}
	s.stk.Schedule(&s.pump)
}

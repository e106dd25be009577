package api

import (
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

// Whom a change wakes. A socket's callers wait on its queues: rq for the
// readers (Recv, Conn.Read, Accept, a blocking Connect), wq for the
// senders. The endpoint reports the associations that changed
// (endpoint.Endpoint.TakeChanged) to changedLocked, which wakes the
// queues of the socket owning each one and runs that socket's
// active-mode delivery; changes of a socket itself (closed, options,
// deliveries read ahead by Connect) wake it directly. Nothing else is
// woken, so the cost of an event does not grow with idle sockets or
// callers.

// readable wakes the readers of a socket and runs its active-mode
// delivery.
const readable = endpoint.Readable | endpoint.StateChanged | endpoint.Removed | endpoint.Backlogged

// writable wakes the senders of a socket.
const writable = endpoint.Writable | endpoint.StateChanged | endpoint.Removed

// changedLocked is the endpoint's watcher (stack.Watch): for each
// association that changed, it wakes the socket that owns it (the opening
// socket, or the peeled-off or accepted one; for a new association in a
// one-to-one backlog, the listener): its readers and active-mode delivery
// for new deliveries, its senders for send buffer space, both for a new
// state or an association gone. Associations that no open socket owns
// concern only the Close calls waiting for them.
func (e *epShare) changedLocked(_ timer.Time, cs []endpoint.Change) {
	for _, c := range cs {
		s := e.owner(c.ID)
		if s == nil || s.closed {
			e.closing.Wake()
			continue
		}
		if c.What&readable != 0 {
			s.readableLocked()
		}
		if c.What&writable != 0 {
			s.wq.Wake()
		}
	}
}

// readableLocked wakes the readers of the socket and, in active mode or
// with deliveries in the outbox, runs its delivery.
func (s *Socket) readableLocked() {
	s.rq.Wake()
	if s.st.active.on() || s.outbox.len() > 0 {
		s.stk.Schedule(&s.pump)
	}
}

// kickLocked wakes every caller of the socket and runs its active-mode
// delivery: the socket itself changed (closed, options set).
func (s *Socket) kickLocked() {
	s.rq.Wake()
	s.wq.Wake()
	s.stk.Schedule(&s.pump)
}

package api

import (
	"github.com/gensctp/gensctp/association"
)

// rawDelivery is a delivery of the endpoint, with its association.
type rawDelivery struct {
	id AssocID
	d  association.Delivery
}

// Bounds of the routing of deliveries between the sockets of one
// endpoint.
const (
	// stashLimit bounds the deliveries the socket that polls the
	// endpoint keeps for a peeled-off socket that has not read them yet.
	// Beyond it, the polling socket reads its own associations directly,
	// so that a slow reader cannot make the other grow memory.
	stashLimit = 64
	// pollBudget bounds the endpoint polls of one pollLocked call.
	pollBudget = 256
)

// pollLocked returns the next delivery of the socket's associations, in
// order: first what others polled for it (the stash), then, for a
// peeled-off socket, its association's own queue, else the endpoint's
// round-robin (deliveries of peeled-off associations are stashed for
// their socket, and the waiters are to be woken: see wakeLocked).
// Polling frees receive window: it is called only when the delivery can
// be handed on, which keeps the association's window the only buffer of
// unread data (back-pressure to the peer).
func (s *Socket) pollLocked() (r rawDelivery, ok bool) {
	if r, ok := s.stash.pop(); ok {
		return r, true
	}
	ep := s.share.ep
	if s.peeled {
		a, found := ep.Assoc(s.assoc1)
		if !found {
			return rawDelivery{}, false
		}
		d, ok := a.Poll()
		return rawDelivery{id: s.assoc1, d: d}, ok
	}
	if !s.share.stashFull() {
		for range pollBudget {
			id, d, ok := ep.Poll()
			if !ok {
				return rawDelivery{}, false
			}
			o := s.share.owner(id)
			if o == s {
				return rawDelivery{id: id, d: d}, true
			}
			if o != nil && !o.closed {
				o.stash.push(rawDelivery{id: id, d: d})
				s.share.wake = true
				if o.stash.len() >= stashLimit {
					break
				}
			}
			if o != nil && o.closed {
				// A closed peeled-off socket: drop the delivery, and the
				// socket once its association is gone.
				if _, alive := ep.Assoc(id); !alive {
					delete(s.share.peeled, id)
				}
			}
			// With no owner (the parent is closed) it is dropped too.
		}
	}
	// A peeled-off socket does not keep up: read the own associations
	// directly (O(associations), only in this case).
	for _, id := range s.ownedLocked() {
		if a, found := ep.Assoc(id); found && a.Pending() > 0 {
			d, _ := a.Poll()
			return rawDelivery{id: id, d: d}, true
		}
	}
	return rawDelivery{}, false
}

// wakeLocked reports, and clears, that deliveries were handed to other
// waiters (stashed for another socket, or a connect outcome given to its
// Connect) while the caller's wait condition stays false: the caller must
// then end its wait (and wait again), so that Stack.Wait wakes the
// others.
func (s *Socket) wakeLocked() bool {
	w := s.share.wake
	s.share.wake = false
	return w
}

// stashFull reports whether a peeled-off socket has stashLimit
// deliveries waiting.
func (e *epShare) stashFull() bool {
	for _, p := range e.peeled {
		if p.stash.len() >= stashLimit {
			return true
		}
	}
	return false
}

// goneLocked reports whether a peeled-off or accepted socket's
// association no longer exists (its last delivery was read).
func (s *Socket) goneLocked() bool {
	if !s.peeled || s.stash.len() > 0 {
		return false
	}
	a, ok := s.share.ep.Assoc(s.assoc1)
	return !ok || a.State() == association.StateClosed && a.Pending() == 0
}

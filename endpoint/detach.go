package endpoint

import (
	"fmt"

	"github.com/gensctp/gensctp/association"
)

// Detach takes association id out of Poll's round-robin: from then on
// its deliveries are read only with PollAssoc. It is for a user of the
// endpoint that hands one association to its own reader (gen_sctp
// peeloff/2, RFC 6458 Section 9.2): the others keep polling the endpoint
// and never see that association's messages and events. Detaching is
// permanent. It reports false for an unknown association and for one
// still waiting in a one-to-one backlog (take it with Accept first).
func (e *Endpoint) Detach(id AssocID) bool {
	en, ok := e.ids[id]
	if !ok || en.backlog {
		return false
	}
	en.detached = true
	return true
}

// PollAssoc returns the next delivery of association id only, detached or
// not, with the bookkeeping of Poll: reading frees receive window (the
// association may owe the peer a window update, RFC 9260 Section 6.2),
// and a closed association is forgotten once its last delivery was read.
// It returns false when the association has nothing to deliver, does not
// exist, or waits in a one-to-one backlog.
func (e *Endpoint) PollAssoc(id AssocID) (association.Delivery, bool) {
	en, ok := e.ids[id]
	if !ok || en.removed || en.backlog {
		return association.Delivery{}, false
	}
	d, ok := en.a.Poll()
	if ok {
		en.polled()
	}
	if ok && !en.closed {
		e.markDirty(en)
		return d, true
	}
	e.maybeRemove(en)
	return d, ok
}

// PeekAssoc returns the delivery PollAssoc would return next, without
// taking it (see association.Association.Peek): for a reader that takes
// only some kinds of deliveries and leaves the others for another path.
func (e *Endpoint) PeekAssoc(id AssocID) (association.Delivery, bool) {
	en, ok := e.ids[id]
	if !ok || en.removed || en.backlog {
		return association.Delivery{}, false
	}
	return en.a.Peek()
}

// PendingAssoc returns the number of deliveries association id holds for
// PollAssoc (0 for an unknown association), without marking it for
// re-examination as Assoc does.
func (e *Endpoint) PendingAssoc(id AssocID) int {
	en, ok := e.ids[id]
	if !ok || en.removed {
		return 0
	}
	return en.a.Pending()
}

// SetBacklog changes the backlog of a one-to-one listener (Config.Backlog;
// 0 means DefaultBacklog): gen_sctp listen/2 with an integer. Associations
// already in the backlog stay there when it shrinks; no new one enters
// until Accept made room.
func (e *Endpoint) SetBacklog(n int) error {
	if n < 0 {
		return fmt.Errorf("%w: Backlog = %d", ErrInvalidConfig, n)
	}
	if n == 0 {
		n = DefaultBacklog
	}
	e.cfg.Backlog = n
	return nil
}

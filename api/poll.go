package api

import (
	"github.com/gensctp/gensctp/association"
)

// rawDelivery is a delivery of the endpoint, with its association.
type rawDelivery struct {
	id AssocID
	d  association.Delivery
	// owned: the message's Data was gathered by the socket (gatherLocked)
	// rather than being a buffer of the endpoint's pool.
	owned bool
	// whole: a whole message that Conn.Read stashed while another went
	// out in pieces; it is never gathered into a message in pieces, and
	// its bytes are charged to its association's budget (stashLocked).
	whole bool
}

// pollLocked returns the next delivery of the socket's associations, in
// order: first what a blocking Connect read ahead for the socket (the
// stash), then, for a peeled-off socket, its association's own queue
// (Endpoint.PollAssoc: peeled-off associations are detached from the
// endpoint's round-robin), else the endpoint's round-robin, which holds
// exactly the associations the socket owns. Polling frees receive window:
// it is called only when the delivery can be handed on, which keeps the
// association's window the only buffer of unread data (back-pressure to
// the peer). skipStash leaves the stash for later: Conn.Read does while a
// message goes out in pieces, stashing the other messages it meets
// meanwhile.
func (s *Socket) pollLocked(skipStash bool) (rawDelivery, bool) {
	s.direct.Store(false) // the caller may leave the receive side otherwise (see directLocked)
	if !skipStash {
		if r, ok := s.stash.pop(); ok {
			if r.whole {
				s.unchargeLocked(r.id, len(r.d.Message.Data))
			}
			return r, true
		}
	}
	ep := s.share.ep
	if s.peeled {
		d, ok := ep.PollAssoc(s.assoc1)
		return rawDelivery{id: s.assoc1, d: d}, ok
	}
	if s.share.parent != s {
		return rawDelivery{}, false
	}
	id, d, ok := ep.Poll()
	return rawDelivery{id: id, d: d}, ok
}

// nothingMoreLocked returns, for a socket with nothing to read now, the
// error that says nothing will come: that of its transport once closed
// under it (ErrTransportClosed), ErrNotConnected once the association of
// a peeled-off or accepted socket is gone; nil while something may come.
func (s *Socket) nothingMoreLocked() error {
	if err := s.stk.Failed(); err != nil {
		return err
	}
	if s.goneLocked() {
		return ErrNotConnected
	}
	return nil
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

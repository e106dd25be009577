package api

import (
	"context"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// Peeloff moves association assoc of a one-to-many socket to a new
// one-to-one socket (gen_sctp peeloff/2, RFC 6458 Section 9.2): from then
// on its messages and events arrive only on the new socket, with the same
// association id, and sends go through it (assoc 0 or the id). The new
// socket inherits the options of this one (as since OTP 27.2), including
// the active mode, and has its own delivery channel. This socket keeps
// its other associations; closing it does not affect the peeled-off one.
// Errors: ErrNotSupported on a one-to-one socket (reason enotsup),
// ErrNoAssociation (reason einval), and ErrAssociationClosed with reason
// einval for an association that has ended (aborted, shut down or failed)
// but whose last events (its final AssocChange) were not read yet: as
// Linux's sctp_peeloff (EINVAL, the association is gone), no socket is
// made for it, and the events stay on this socket, which reads them.
func (s *Socket) Peeloff(assoc AssocID) (*Socket, error) {
	var child *Socket
	err := s.do(func(timer.Time) error {
		if s.typ != SeqPacket || s.peeled {
			return ErrNotSupported
		}
		id, a, err := s.assocLocked(assoc)
		if err != nil {
			return err
		}
		if a.State() == association.StateClosed {
			return &Error{Op: "peeloff", Assoc: assoc, Stream: -1, Reason: Einval, Err: ErrAssociationClosed}
		}
		if s.connecting[id] != nil {
			return ErrNoAssociation // still being set up by a blocking Connect
		}
		child = s.adoptLocked(id)
		return nil
	})
	if err != nil {
		return nil, opError("peeloff", assoc, -1, err)
	}
	return child, nil
}

// Accept takes the oldest association that a listening one-to-one
// (Stream) socket has set up, and returns a one-to-one socket for it, as
// net.Listener's Accept does (gen_sctp has no accept: this is an addition;
// its backlog is the endpoint's, endpoint.DefaultBacklog). It blocks until
// one is there, ctx ends, the read deadline passes or the socket closes.
func (s *Socket) Accept(ctx context.Context) (*Socket, error) {
	if s == nil {
		return nil, nilSocketError("accept")
	}
	var child *Socket
	var err error
	werr := s.wait(ctx, &s.rdl, &s.aq, func(timer.Time) bool {
		switch {
		case s.closed:
			err = errClosed
		case s.typ != Stream || s.peeled:
			err = ErrNotSupported
		default:
			id, ok := s.share.ep.Accept()
			if !ok {
				err = s.stk.Failed() // none will come once the transport closed
				return err != nil
			}
			child = s.adoptLocked(id)
		}
		return true
	})
	if werr != nil {
		err = werr
	}
	if err != nil {
		return nil, opError("accept", 0, -1, err)
	}
	return child, nil
}

// adoptLocked returns a new one-to-one socket for association id of s,
// with a copy of s's settings, and moves to it what s holds for id.
func (s *Socket) adoptLocked(id AssocID) *Socket {
	st := s.st.clone()
	st.typ = Stream
	st.perAssoc = nil
	if p := s.st.perAssoc[id]; p != nil {
		st.perAssoc = map[AssocID]*assocSettings{id: p}
		delete(s.st.perAssoc, id)
	}
	s.share.ep.Detach(id) // from now on read with PollAssoc only
	// Its senders on s fail (ErrNoAssociation) once woken: Send goes
	// through the new socket.
	s.wakeSendersLocked(id, true)
	child := newSocket(s.share, st)
	child.peeled, child.assoc1 = true, id
	child.bindLocked(id)
	if ap, ok := s.peers[id]; ok {
		child.peers[id] = ap
	}
	s.stash.filter(func(r rawDelivery) bool {
		if r.id == id {
			child.stash.push(r)
			return false
		}
		return true
	})
	for k, p := range s.partial {
		if k.id == id {
			if child.partial == nil {
				child.partial = make(map[partialKey]*partialMsg)
			}
			child.partial[k] = p
			delete(s.partial, k)
		}
	}
	if s.rest.on && s.rest.key.id == id { // a message RecvBuffer is handing out
		child.rest, s.rest = s.rest, piece{}
		child.rest.d.Socket = child
	}
	for k := range s.pieced {
		if k.id == id {
			child.markPiecedLocked(k)
			delete(s.pieced, k)
		}
	}
	if n, ok := s.partialLen[id]; ok {
		child.partialLen = map[AssocID]int{id: n}
		delete(s.partialLen, id)
	}
	s.share.peeled[id] = child
	s.share.refs++
	return child
}

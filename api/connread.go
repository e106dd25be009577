package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

// errDeadline is the error of an expired deadline.
var errDeadline = os.ErrDeadlineExceeded

// Read reads the bytes of the next messages (see Conn): what is left of
// the message being read, else the next message, waiting for one. The
// bytes are copied once, from the association's buffer into b. It
// returns io.EOF once the peer shut the association down and everything
// was read. Read with an empty b returns 0, nil.
func (c *Conn) Read(b []byte) (int, error) {
	if c.Socket() == nil {
		return 0, nilConnError("read", "recv")
	}
	if len(b) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.closed.Load() {
		return 0, c.opError("read", opError("recv", 0, -1, errClosed))
	}
	if c.s.rdl.expired() {
		return 0, c.opError("read", timeoutError("recv"))
	}
	if c.rerr != nil {
		return 0, c.rerr
	}
	n, err := c.read(b)
	if err == io.EOF {
		c.rerr = io.EOF
		return 0, io.EOF
	}
	if err != nil {
		return 0, c.opError("read", err)
	}
	return n, nil
}

// read waits for the next bytes of the association's messages and copies
// them into b, skipping events; io.EOF when the peer shut down and every
// message was read; an error when the association is lost.
func (c *Conn) read(b []byte) (int, error) {
	s := c.s
	if n, ok := c.readDirect(b); ok {
		return n, nil
	}
	var n int
	var err error
	werr := s.wait(context.Background(), &s.rdl, &s.rq, func(now timer.Time) bool {
		var got bool
		n, got, err = c.nextLocked(now, b)
		if got {
			s.readTakenLocked()
		}
		s.direct.Store(s.directLocked())
		return got || err != nil
	})
	if werr != nil {
		return 0, opError("recv", 0, -1, werr)
	}
	if err == io.EOF {
		return 0, err
	}
	if err != nil {
		err = opError("recv", 0, -1, err)
		if errors.Is(err, ErrAssociationClosed) {
			c.rerr = c.opError("read", err) // lost: every later Read fails
		}
		return 0, err
	}
	return n, nil
}

// readDirect copies the next message into b straight from the
// association, under the lock of its shard only (stack.Endpoint.Direct),
// when the receive side is plain (s.direct, see directLocked) and the
// next delivery is a whole message that fits in b: the reader of an
// accepted or peeled-off socket then takes no lock that the other
// associations of the UDP port need, and Reads of Conns on different
// shards run in parallel. Anything else (nothing to read yet, an event, a
// piece, a message larger than b) is left to the path under the stack's
// lock (ok false). s.direct is read again under the shard's lock: the
// other paths clear it when they poll, which they do with that lock
// held, so that a message they began handing out is never overtaken.
// Conn.Read's lock (rmu) keeps the Conn's own paths apart.
func (c *Conn) readDirect(b []byte) (n int, ok bool) {
	s := c.s
	if !s.direct.Load() {
		return 0, false
	}
	id := s.assoc1 // fixed for a peeled socket, which direct requires
	ok = s.share.ep.Direct(id, func(_ timer.Time, ep *endpoint.Endpoint) bool {
		if !s.direct.Load() {
			return false
		}
		d, ok := ep.PeekAssoc(id)
		m := d.Message
		if !ok || d.Event != nil || !m.EndOfRecord || len(m.Data) > len(b) {
			return false
		}
		ep.PollAssoc(id)
		n = copy(b, m.Data)
		ep.Buffers().Put(m.Data)
		s.stats.received(n)
		return true
	})
	return n, ok
}

// directLocked reports whether Conn.Read may take the socket's next
// message straight from its association (readDirect): the socket is
// peeled off (one association, polled with PollAssoc) and open, in
// passive mode, and holds nothing of its own to hand out first (a rest,
// the stash, messages in pieces or being gathered).
func (s *Socket) directLocked() bool {
	return s.peeled && !s.closed && !s.st.active.on() && !s.rest.on && s.stash.len() == 0 &&
		s.outbox.len() == 0 && len(s.pieced) == 0 && len(s.partial) == 0
}

// nextLocked copies the next bytes into b (got), or reports that there
// are none yet, or the error that ends the read side. While a message
// goes out in pieces (b smaller than the message, or the association
// delivering it in parts), the messages of other streams met meanwhile
// are gathered and stashed for after it, so that the bytes of two
// messages never mix.
func (c *Conn) nextLocked(now timer.Time, b []byte) (n int, got bool, err error) {
	s := c.s
	if s.closed {
		return 0, false, errClosed
	}
	if s.st.active.on() {
		return 0, false, ErrActive
	}
	if s.rest.on {
		return len(s.readRestLocked(b).Data), true, nil
	}
	for {
		busy := len(s.pieced) > 0
		r, ev, ok := s.nextUnitLocked(now, busy)
		if !ok {
			if !busy && c.endedLocked() {
				return 0, false, io.EOF
			}
			return 0, false, nil
		}
		if ev.Kind != 0 {
			if err := connEventErr(ev); err != nil {
				return 0, false, err
			}
			continue
		}
		if !r.whole && (busy && !s.piecedLocked(msgKey(r)) || s.partial[msgKey(r)] != nil) {
			w, ev, ok := s.gatherLocked(now, r)
			switch {
			case ok && ev.Kind != 0:
				return 0, false, ev.Err()
			case ok:
				if ev, over := s.stashLocked(now, w); over { // read once the message in pieces ended
					return 0, false, ev.Err()
				}
			}
			continue
		}
		s.takeLocked(r)
		return len(s.readRestLocked(b).Data), true, nil
	}
}

// stashLocked stashes the whole message w, met while another message
// goes out in pieces, for after it. Polling w freed receive window, so
// the peer may send more: the stash is charged to w's association's
// budget of MaxMessageSize bytes, with the pieces gathered (see
// gatherLocked). Beyond it, w is dropped and the association aborted, as
// one whose pieces exceed it (tooLargeLocked), and the error-class
// delivery of the partial delivery aborted is returned (over), which
// Read fails with. Stopping to poll instead (back-pressure) could leave
// the rest of the message in pieces behind the messages not polled.
func (s *Socket) stashLocked(now timer.Time, w rawDelivery) (ev Delivery, over bool) {
	n := len(w.d.Message.Data)
	if s.partialLen[w.id]+n > s.st.maxMessage {
		s.recycleLocked(w)
		if a, ok := s.share.ep.Assoc(w.id); ok && a.State() != association.StateClosed {
			a.Abort(now, []byte("receive stash full"))
		}
		pd := &PdapiEvent{Indication: PartialDeliveryAborted, AssocID: w.id, Err: s.tooLargeErrLocked()}
		for k := range s.pieced {
			if k.id == w.id {
				pd.Stream = k.stream
			}
		}
		return Delivery{Kind: KindError, Socket: s, From: s.peerLocked(w.id), Event: pd}, true
	}
	if s.partialLen == nil {
		s.partialLen = make(map[AssocID]int)
	}
	s.partialLen[w.id] += n
	w.whole = true
	s.stash.push(w)
	return Delivery{}, false
}

// unchargeLocked takes n bytes off association id's budget.
func (s *Socket) unchargeLocked(id AssocID, n int) {
	if m := s.partialLen[id] - n; m > 0 {
		s.partialLen[id] = m
	} else {
		delete(s.partialLen, id)
	}
}

// connEventErr returns the error that an event ends Read with: the loss
// of the association, or a partial delivery aborted (part of the byte
// stream is lost); nil for the events Read skips.
func connEventErr(d Delivery) error {
	switch d.Kind {
	case KindEvent:
		if ac, ok := d.Event.(*AssocChange); ok && (ac.State == CommLost || ac.State == CantAssoc) {
			return &Error{Op: "recv", Assoc: ac.AssocID, Stream: -1, Reason: eventReason(ac),
				Err: fmt.Errorf("%w: %w", ErrAssociationClosed, &EventError{From: d.From, Event: ac})}
		}
	case KindError:
		if _, ok := d.Event.(*PdapiEvent); ok {
			return d.Err()
		}
	}
	return nil
}

// endedLocked reports whether the association will deliver no more
// messages: it is gone, or the peer shut it down (RFC 9260 Section 9.2:
// the SHUTDOWN sender has had all its data acknowledged) and everything
// it delivered was read. Events are not needed for this, so that it
// holds whatever the sctp_events option says.
func (c *Conn) endedLocked() bool {
	s := c.s
	if s.stash.len() > 0 {
		return false
	}
	if s.assoc1 == 0 {
		return true // a dialed socket forgets its ended association
	}
	a, ok := s.share.ep.Assoc(s.assoc1)
	if !ok {
		return true
	}
	switch a.State() {
	case association.StateClosed, association.StateShutdownReceived, association.StateShutdownAckSent:
		return a.Pending() == 0
	}
	return false
}

package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// errDeadline is the error of an expired deadline.
var errDeadline = os.ErrDeadlineExceeded

// Read reads the bytes of the next messages (see Conn): what is left of
// the message being read, else the next message, waiting for one. It
// returns io.EOF once the peer shut the association down and everything
// was read. Read with an empty b returns 0, nil.
func (c *Conn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.closed.Load() {
		return 0, c.opError("read", opError("recv", 0, -1, errClosed))
	}
	if expired(&c.s.rdl) {
		return 0, c.opError("read", timeoutError("recv"))
	}
	if len(c.rbuf) == 0 {
		if c.rerr != nil {
			return 0, c.rerr
		}
		data, err := c.next()
		if err == io.EOF {
			c.rerr = io.EOF
			return 0, io.EOF
		}
		if err != nil {
			return 0, c.opError("read", err)
		}
		c.rbuf, c.msg = data, data
	}
	n := copy(b, c.rbuf)
	c.rbuf = c.rbuf[n:]
	if len(c.rbuf) == 0 {
		c.spent, c.msg, c.rbuf = c.msg, nil, nil // reused by the association (see next)
	}
	return n, nil
}

// next waits for the next message of the association and returns its
// data, skipping events; io.EOF when the peer shut down and every
// message was read; an error when the association is lost.
func (c *Conn) next() ([]byte, error) {
	s := c.s
	ctx, done := s.rdl.merge(context.Background())
	defer done()
	var data []byte
	var err error
	werr := s.stk.WaitOn(ctx, &s.rq, func(now timer.Time) bool {
		c.releaseLocked()
		var got bool
		data, got, err = c.nextLocked(now)
		return got || err != nil
	})
	if werr != nil {
		return nil, opError("recv", 0, -1, s.rdl.cause(ctx, werr))
	}
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		err = opError("recv", 0, -1, err)
		if errors.Is(err, ErrAssociationClosed) {
			c.rerr = c.opError("read", err) // lost: every later Read fails
		}
		return nil, err
	}
	return data, nil
}

// nextLocked returns the next message, or got false when there is none
// yet, or the error that ends the read side.
func (c *Conn) nextLocked(now timer.Time) (data []byte, got bool, err error) {
	s := c.s
	if s.closed {
		return nil, false, errClosed
	}
	if s.st.active.on() {
		return nil, false, ErrActive
	}
	for {
		d, ok := s.nextLocked(now)
		if !ok {
			if c.endedLocked() {
				return nil, false, io.EOF
			}
			return nil, false, nil
		}
		switch d.Kind {
		case KindData:
			return d.Data, true, nil
		case KindEvent:
			if ac, ok := d.Event.(*AssocChange); ok && (ac.State == CommLost || ac.State == CantAssoc) {
				return nil, false, &Error{Op: "recv", Assoc: ac.AssocID, Stream: -1, Reason: eventReason(ac),
					Err: fmt.Errorf("%w: %w", ErrAssociationClosed, &EventError{From: d.From, Event: ac})}
			}
		case KindError:
			if _, ok := d.Event.(*PdapiEvent); ok {
				return nil, false, d.Err() // part of the byte stream is lost
			}
		}
	}
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

// releaseLocked gives the buffer of the message read last back to the
// association, for the messages to come (no allocation per message in
// steady state).
func (c *Conn) releaseLocked() {
	if c.spent == nil {
		return
	}
	if a, ok := c.s.share.ep.Assoc(c.s.assoc1); ok && c.s.assoc1 != 0 {
		a.Release(c.spent)
	}
	c.spent = nil
}

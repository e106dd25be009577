package api

import (
	"context"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
)

// Bounds of the graceful close without linger (the gen_sctp documentation: gen_sctp
// waits up to 3 minutes for queued output to drain, giving up after 5
// seconds without progress).
const (
	closeMaxWait    = 3 * time.Minute
	closeNoProgress = 5 * time.Second
)

// Close closes the socket and ends its associations (gen_sctp close/1),
// per the Linger option (the gen_sctp documentation):
//
//   - Linger(true, 0): every association is aborted at once (ABORT, the
//     peer sees comm_lost);
//   - Linger(true, T): every association is shut down gracefully (queued
//     data is delivered first, RFC 9260 Section 9.2; the peer sees a
//     ShutdownEvent and shutdown_comp); Close waits until they are closed,
//     at most T seconds, and aborts what remains;
//   - default: the same, waiting as long as the shutdowns make progress
//     (at most 3 minutes, and no more than 5 seconds without progress).
//
// An association still in its handshake (ConnectInit, ConnectxInit) with
// data queued is left to come up within that time, deliver the data and
// shut down; without data queued it is aborted at once.
//
// Close unblocks every call waiting on the socket: they fail with an
// error satisfying errors.Is(err, net.ErrClosed). Deliveries still in the
// delivery channel stay there. The associations of sockets peeled off
// this one are not affected. Close is idempotent: later calls return nil.
//
// When the wait runs out (linger T, or the bounds without linger) while
// an association still has data queued or not acknowledged, that data
// is discarded with the abort, and Close, having closed the socket all
// the same, returns an *Error wrapping ErrDataDiscarded (reason timeout);
// so it does when an association whose data was queued during its
// handshake fails to come up.
// Linger(true, 0) discards by request and returns nil.
func (s *Socket) Close() error {
	if s == nil {
		return nilSocketError("close")
	}
	if !s.closeStarted.CompareAndSwap(false, true) {
		return nil
	}
	var lg lingerSetting
	_ = s.stk.Do(func(now timer.Time) error {
		s.closed = true
		s.direct.Store(false)
		lg = s.st.linger
		sh := s.share
		ids := s.ownedLocked()
		if sh.parent == s {
			sh.parent, sh.closedParent = nil, s
			sh.ep.Listen(false)
		}
		abort := lg.on && lg.seconds == 0
		for _, id := range ids {
			if a, ok := sh.ep.Assoc(id); ok {
				if abort {
					a.Abort(now, nil)
					continue
				}
				s.closeAssocLocked(now, id, a)
			}
		}
		s.kickLocked() // its callers fail: closed
		s.releaseLocked()
		s.syncRecvIPLocked() // withdraws the requests: s is closed
		return nil
	})
	s.stop()
	var err error
	if !(lg.on && lg.seconds == 0) && s.lingerWait(lg) {
		err = opError("close", 0, -1, ErrDataDiscarded)
	}
	s.logClose()
	s.share.release(s)
	return err
}

// closeAssocLocked starts the graceful close of association id of the
// closed socket and counts it for lingerWait unless it closed at once.
// One still in its handshake (COOKIE-WAIT, COOKIE-ECHOED) with data
// queued, which a shutdown would abort (association.Shutdown), is left
// to come up, deliver its data and then shut down (closedChangedLocked),
// as long as the linger lasts.
func (s *Socket) closeAssocLocked(now timer.Time, id AssocID, a *association.Association) {
	if handshaking(a.State()) && a.Buffered()+a.Outstanding() > 0 {
		s.linger.add(id)
		s.linger.handshaking[id] = struct{}{}
		return
	}
	_ = a.Shutdown(now)
	s.share.dropDeliveries(id) // nobody will read them
	if a.State() != association.StateClosed {
		s.linger.add(id)
	}
}

// handshaking reports whether st is a state of the handshake of the
// side that connects.
func handshaking(st association.State) bool {
	return st == association.StateCookieWait || st == association.StateCookieEchoed
}

// releaseLocked drops what the socket holds in memory.
func (s *Socket) releaseLocked() {
	s.stash.clear()
	s.outbox.clear()
	s.partial, s.partialLen = nil, nil
	s.rest, s.pieced = piece{}, nil
	clear(s.connecting)
}

// lingering is what the Close of a socket waits for (lingerWait): its
// associations not closed yet, counted down as the endpoint reports them
// closed or gone (closedChangedLocked), so that a change costs the Close
// nothing for the other associations, and a queue of its own that only
// changes of its associations wake.
type lingering struct {
	q        stack.WaitQueue
	open     map[AssocID]struct{}
	progress uint64 // changes of the associations that are progress: data sent, a new state
	// handshaking are the associations of open still in their handshake
	// with data queued: each shuts down once established; one that
	// closes first discarded its data (discarded).
	handshaking map[AssocID]struct{}
	discarded   bool
}

// add counts association id as not closed.
func (l *lingering) add(id AssocID) {
	if l.open == nil {
		l.open = make(map[AssocID]struct{})
		l.handshaking = make(map[AssocID]struct{})
	}
	l.open[id] = struct{}{}
}

// closedChangedLocked accounts for change c of an association of the
// closed socket s: its deliveries are dropped (nobody reads them; once
// they are, the closed association goes), and the Close waiting for it,
// if any, learns of the progress and is woken: data sent (the send
// buffer emptied), a new state, the association closed or gone. One
// that was in its handshake with data queued shuts down once it is
// established, or discarded its data if it closed.
func (s *Socket) closedChangedLocked(now timer.Time, c endpoint.Change) {
	l := &s.linger
	if _, ok := l.handshaking[c.ID]; ok && c.What&ended != 0 {
		if a, ok := s.share.ep.Assoc(c.ID); !ok || !handshaking(a.State()) {
			delete(l.handshaking, c.ID)
			if ok && a.State() == association.StateEstablished {
				_ = a.Shutdown(now)
			} else {
				l.discarded = true // the attempt failed with the data
			}
		}
	}
	if c.What&endpoint.Readable != 0 {
		s.share.dropDeliveries(c.ID)
	}
	if _, ok := l.open[c.ID]; !ok || c.What&writable == 0 {
		return
	}
	l.progress++
	if c.What&ended != 0 {
		if a, ok := s.share.ep.Assoc(c.ID); !ok || a.State() == association.StateClosed {
			delete(l.open, c.ID)
		}
	}
	l.q.Wake()
}

// lingerWait waits until the associations of the closed socket are
// closed (see lingering), within the bounds of lg, and aborts what
// remains. It reports whether data queued or not acknowledged was
// discarded with them.
func (s *Socket) lingerWait(lg lingerSetting) (discarded bool) {
	maxWait, idle := closeMaxWait, closeNoProgress
	if lg.on {
		maxWait, idle = time.Duration(lg.seconds)*time.Second, maxWait
	}
	ctx, cancel := context.WithTimeout(context.Background(), maxWait)
	defer cancel()
	var last uint64
	lastChange := time.Now()
	for ctx.Err() == nil && time.Since(lastChange) < idle {
		step, stop := context.WithTimeout(ctx, time.Second)
		done := false
		_ = s.stk.WaitOn(step, &s.linger.q, func(timer.Time) bool {
			if p := s.linger.progress; p != last {
				last, lastChange = p, time.Now()
			}
			done = len(s.linger.open) == 0
			return done
		})
		stop()
		if done {
			return s.lingerDiscarded()
		}
	}
	_ = s.stk.Do(func(now timer.Time) error {
		for id := range s.linger.open {
			if a, ok := s.share.ep.Assoc(id); ok {
				if a.State() != association.StateClosed && a.Buffered()+a.Outstanding() > 0 {
					discarded = true
				}
				a.Abort(now, nil)
				s.share.dropDeliveries(id)
			}
		}
		s.linger.open = nil
		return nil
	})
	return discarded || s.lingerDiscarded()
}

// lingerDiscarded reports whether an association of the closed socket
// failed its handshake with data queued (closedChangedLocked).
func (s *Socket) lingerDiscarded() (discarded bool) {
	_ = s.stk.Do(func(timer.Time) error {
		discarded = s.linger.discarded
		return nil
	})
	return discarded
}

// dropDeliveries polls and drops the deliveries association id holds.
func (e *epShare) dropDeliveries(id AssocID) {
	for _, ok := e.ep.PollAssoc(id); ok; _, ok = e.ep.PollAssoc(id) {
	}
}

// release drops the socket's reference to the endpoint and, with the
// last one, aborts what remains of the endpoint, sends the ABORT chunks
// and takes the endpoint off the stack (so that its SCTP port is free
// again on a shared UDP port), then releases the stack.
func (e *epShare) release(s *Socket) {
	last := false
	_ = s.stk.Do(func(now timer.Time) error {
		if s.peeled {
			// The association is detached from the endpoint: nobody else
			// reads it. Keep the closed socket as its owner while it
			// lives, so that the parent cannot use it.
			e.dropDeliveries(s.assoc1)
			if _, alive := e.ep.Assoc(s.assoc1); !alive {
				delete(e.peeled, s.assoc1)
			}
		}
		e.refs--
		if last = e.refs == 0; last {
			e.ep.Abort(now)
		}
		return nil
	})
	if last {
		_ = s.stk.RemoveEndpoint(e.ep)
		if e.capture != nil {
			e.capture.stop()
		}
		if e.untrace != nil {
			e.untrace()
		}
		e.sh.release()
	}
}

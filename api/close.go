package api

import (
	"context"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// Bounds of the graceful close without linger (REFERENCE §4.8: gen_sctp
// waits up to 3 minutes for queued output to drain, giving up after 5
// seconds without progress).
const (
	closeMaxWait    = 3 * time.Minute
	closeNoProgress = 5 * time.Second
)

// Close closes the socket and ends its associations (gen_sctp close/1),
// per the Linger option (REFERENCE §4.8):
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
// Close unblocks every call waiting on the socket: they fail with an
// error satisfying errors.Is(err, net.ErrClosed). Deliveries still in the
// delivery channel stay there. The associations of sockets peeled off
// this one are not affected. Close is idempotent: later calls return nil.
func (s *Socket) Close() error {
	if !s.closeStarted.CompareAndSwap(false, true) {
		return nil
	}
	var ids []AssocID
	var lg lingerSetting
	_ = s.stk.Do(func(now timer.Time) error {
		s.closed = true
		lg = s.st.linger
		ids = s.ownedLocked()
		sh := s.share
		if sh.parent == s {
			sh.parent = nil
			sh.ep.Listen(false)
		}
		abort := lg.on && lg.seconds == 0
		for _, id := range ids {
			if a, ok := sh.ep.Assoc(id); ok {
				if abort {
					a.Abort(now, nil)
				} else {
					_ = a.Shutdown(now)
				}
			}
		}
		s.kickLocked() // its callers fail: closed
		s.releaseLocked()
		s.syncRecvIPLocked() // withdraws the requests: s is closed
		return nil
	})
	s.stop()
	if !(lg.on && lg.seconds == 0) {
		s.lingerWait(ids, lg)
	}
	s.share.release(s)
	return nil
}

// releaseLocked drops what the socket holds in memory.
func (s *Socket) releaseLocked() {
	s.stash.clear()
	s.outbox.clear()
	s.partial, s.partialLen = nil, nil
	s.rest, s.pieced = piece{}, nil
	clear(s.connecting)
}

// lingerWait waits until the associations ids are closed, draining their
// deliveries, within the bounds of lg; it aborts what remains.
func (s *Socket) lingerWait(ids []AssocID, lg lingerSetting) {
	maxWait, idle := closeMaxWait, closeNoProgress
	if lg.on {
		maxWait, idle = time.Duration(lg.seconds)*time.Second, maxWait
	}
	ctx, cancel := context.WithTimeout(context.Background(), maxWait)
	defer cancel()
	last, lastChange := -1, time.Now()
	for ctx.Err() == nil && time.Since(lastChange) < idle {
		step, stop := context.WithTimeout(ctx, time.Second)
		done := false
		_ = s.stk.WaitOn(step, &s.share.closing, func(timer.Time) bool {
			left := s.drainLocked(ids)
			if left != last {
				last, lastChange = left, time.Now()
			}
			done = left == 0
			return done
		})
		stop()
		if done {
			return
		}
	}
	_ = s.stk.Do(func(now timer.Time) error {
		for _, id := range ids {
			if a, ok := s.share.ep.Assoc(id); ok {
				a.Abort(now, nil)
				s.share.dropDeliveries(id)
			}
		}
		return nil
	})
}

// drainLocked polls and drops the deliveries of the associations ids and
// returns a measure of what is left to do: the bytes queued or in flight
// plus one per association not closed yet (0: all closed).
func (s *Socket) drainLocked(ids []AssocID) int {
	left := 0
	for _, id := range ids {
		a, ok := s.share.ep.Assoc(id)
		if !ok {
			continue
		}
		s.share.dropDeliveries(id)
		if a.State() != association.StateClosed {
			left += 1 + a.Buffered() + a.Outstanding()
		}
	}
	return left
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
		e.sh.release()
	}
}

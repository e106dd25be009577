package api

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
)

// errClosed is the error of operations on a closed socket.
var errClosed = net.ErrClosed

// deadline is a read or write deadline with net.Conn semantics: it applies
// to pending and future calls, and setting it, even for the first time,
// moves it for the pending calls too. Its channel (done) is closed when
// the deadline passes, and callers wait on it beside their context
// (wait): nothing is allocated per call, nor per set while the deadline
// has not passed (the timer is reset). Once it has passed, the next set
// starts a new channel.
type deadline struct {
	mu    sync.Mutex
	ch    chan struct{} // closed when the deadline passed; nil until first used
	when  time.Time     // zero: none
	timer *time.Timer   // runs fire at when; nil until first needed
}

// set sets the deadline; the zero time means none.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ch == nil || d.passedLocked() {
		d.ch = make(chan struct{})
	}
	d.when = t
	if t.IsZero() {
		if d.timer != nil {
			d.timer.Stop()
		}
		return
	}
	dur := time.Until(t)
	switch {
	case dur <= 0:
		close(d.ch)
		if d.timer != nil {
			d.timer.Stop()
		}
	case d.timer == nil:
		d.timer = time.AfterFunc(dur, d.fire)
	default:
		d.timer.Reset(dur)
	}
}

// fire closes the channel once the deadline passed. A run of the timer
// for a deadline moved since (a Reset does not stop a run under way)
// finds it ahead and arms the timer for it again.
func (d *deadline) fire() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.when.IsZero() || d.passedLocked() {
		return
	}
	if dur := time.Until(d.when); dur > 0 {
		d.timer.Reset(dur)
		return
	}
	close(d.ch)
}

// passedLocked reports whether the channel is closed.
func (d *deadline) passedLocked() bool {
	select {
	case <-d.ch:
		return true
	default:
		return false
	}
}

// done returns the channel closed when the deadline passes, which pending
// calls keep watching when the deadline moves.
func (d *deadline) done() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ch == nil {
		d.ch = make(chan struct{})
	}
	return d.ch
}

// expired reports whether the deadline has passed.
func (d *deadline) expired() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ch != nil && d.passedLocked()
}

// check returns the error of a call made when the deadline has passed or
// ctx has ended, or nil.
func (d *deadline) check(ctx context.Context) error {
	if d.expired() {
		return os.ErrDeadlineExceeded
	}
	if ctx.Err() != nil {
		return d.cause(ctx, ctx.Err())
	}
	return nil
}

// cause returns the error to report for a wait (wait) that failed with
// err: os.ErrDeadlineExceeded when the deadline passed, the context's
// cause when it ended, net.ErrClosed when the stack closed.
func (d *deadline) cause(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, stack.ErrExpired):
		return os.ErrDeadlineExceeded
	case errors.Is(err, net.ErrClosed):
		return errClosed
	case ctx.Err() != nil:
		if c := context.Cause(ctx); c != nil {
			return c
		}
		return ctx.Err()
	}
	return err
}

// wait waits on q until cond (called with the stack locked) holds, ctx
// ends or the deadline d passes (stack.WaitOnUntil), and returns the
// error to report (see cause).
func (s *Socket) wait(ctx context.Context, d *deadline, q *stack.WaitQueue, cond func(now timer.Time) bool) error {
	if err := s.stk.WaitOnUntil(ctx, d.done(), q, cond); err != nil {
		return d.cause(ctx, err)
	}
	return nil
}

// waitFor is wait for a caller whose queue depends on the state (see
// stack.WaitForUntil).
func (s *Socket) waitFor(ctx context.Context, d *deadline, cond func(now timer.Time) *stack.WaitQueue) error {
	if err := s.stk.WaitForUntil(ctx, d.done(), cond); err != nil {
		return d.cause(ctx, err)
	}
	return nil
}

// SetReadDeadline sets the deadline of Recv and Accept: calls blocked
// then or later fail with an error satisfying errors.Is(err,
// os.ErrDeadlineExceeded) (reason timeout, Timeout() true). The zero time
// means none.
func (s *Socket) SetReadDeadline(t time.Time) error {
	if s == nil {
		return nilSocketError("setopts")
	}
	s.rdl.set(t)
	return nil
}

// SetWriteDeadline sets the deadline of the Send family and Connect.
func (s *Socket) SetWriteDeadline(t time.Time) error {
	if s == nil {
		return nilSocketError("setopts")
	}
	s.wdl.set(t)
	return nil
}

// SetDeadline sets both deadlines.
func (s *Socket) SetDeadline(t time.Time) error {
	if s == nil {
		return nilSocketError("setopts")
	}
	s.rdl.set(t)
	s.wdl.set(t)
	return nil
}

package stack

import (
	"context"
	"errors"

	"github.com/gensctp/gensctp/timer"
)

// WaitQueue is the callers blocked in WaitOn for one kind of change (the
// readers of a socket, its senders, ...): whoever makes that change wakes
// them with Wake, and no one else is woken. The zero value is an empty
// queue. A WaitQueue is used with one Stack and guarded by its lock.
type WaitQueue struct {
	head *waiter
	n    int
}

// waiter is one caller blocked in WaitOn, in one queue.
type waiter struct {
	ch         chan struct{} // 1-buffered: woken since it last looked
	prev, next *waiter
}

// Wake wakes every caller waiting on q: each evaluates its condition
// again. Call it with the lock held. A caller woken while its condition
// still fails waits again (spurious wake-ups are harmless); a caller
// registered before the change is never missed.
func (q *WaitQueue) Wake() {
	for w := q.head; w != nil; w = w.next {
		select {
		case w.ch <- struct{}{}:
		default: // woken already
		}
	}
}

// Len returns the number of callers waiting on q. Call it with the lock
// held.
func (q *WaitQueue) Len() int { return q.n }

func (q *WaitQueue) push(w *waiter) {
	w.prev, w.next = nil, q.head
	if q.head != nil {
		q.head.prev = w
	}
	q.head = w
	q.n++
}

func (q *WaitQueue) remove(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		q.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	}
	w.prev, w.next = nil, nil
	q.n--
}

// maxFreeWaiters bounds the waiters a stack keeps for reuse.
const maxFreeWaiters = 256

// newWaiterLocked returns a waiter with an empty channel.
func (s *Stack) newWaiterLocked() *waiter {
	if n := len(s.wake.free); n > 0 {
		w := s.wake.free[n-1]
		s.wake.free = s.wake.free[:n-1]
		return w
	}
	return &waiter{ch: make(chan struct{}, 1)}
}

// leaveLocked takes w (nil: none) off q and keeps it for reuse.
func (s *Stack) leaveLocked(q *WaitQueue, w *waiter) {
	if w == nil {
		return
	}
	q.remove(w)
	select {
	case <-w.ch: // a wake-up it did not need
	default:
	}
	if len(s.wake.free) < maxFreeWaiters {
		s.wake.free = append(s.wake.free, w)
	}
}

// WaitOnUntil blocks until cond, called with the core locked, returns
// true, ctx is done (its error is returned), expire is closed (ErrExpired;
// a nil expire never is) or the stack closes (ErrClosed). expire is for a
// deadline of the caller's that can move (net.Conn's): selecting on its
// channel costs nothing per call, where merging it with ctx into a
// context would.
// cond is evaluated at once, then again each time q is woken (Wake):
// the caller waits on q from the first evaluation that fails until it
// returns, so that a change made after that evaluation is not missed.
// cond may act on the core (poll deliveries, send): that is settled (the
// watchers run, the output is sent) before WaitOn sleeps.
func (s *Stack) WaitOnUntil(ctx context.Context, expire <-chan struct{}, q *WaitQueue, cond func(now timer.Time) bool) error {
	var w *waiter
	for {
		s.mu.Lock()
		if s.closed {
			s.leaveLocked(q, w)
			s.mu.Unlock()
			return ErrClosed
		}
		now := s.Now()
		s.wake.runs++
		done := cond(now)
		if !done && w == nil {
			w = s.newWaiterLocked()
			q.push(w)
		}
		if s.settleLocked(now) || done {
			s.wake.any.Wake()
		}
		if done {
			s.leaveLocked(q, w)
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
		select {
		case <-w.ch:
		case <-s.done: // evaluated again: the stack is closed
		case <-expire:
			s.mu.Lock()
			s.leaveLocked(q, w)
			s.mu.Unlock()
			return ErrExpired
		case <-ctx.Done():
			s.mu.Lock()
			s.leaveLocked(q, w)
			s.mu.Unlock()
			return ctx.Err()
		}
	}
}

// ErrExpired is returned by WaitOnUntil when its expire channel closed.
var ErrExpired = errors.New("stack: wait expired")

// WaitOn is WaitOnUntil without expire.
func (s *Stack) WaitOn(ctx context.Context, q *WaitQueue, cond func(now timer.Time) bool) error {
	return s.WaitOnUntil(ctx, nil, q, cond)
}

// Wait is WaitOn on the stack's own queue, which every change of the core
// wakes (an input, an operation through Do, a wait condition that
// changed something or ended): for simple users of the stack that do
// not track what they wait for. Its cost grows with its callers; the api
// package waits on queues of its own.
func (s *Stack) Wait(ctx context.Context, cond func(now timer.Time) bool) error {
	return s.WaitOn(ctx, &s.wake.any, cond)
}

// Wakeups returns the number of wait conditions evaluated (by WaitOn and
// Wait) and tasks run so far: the work that wake-ups cost, for tests and
// statistics.
func (s *Stack) Wakeups() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wake.runs
}

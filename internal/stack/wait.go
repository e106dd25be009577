package stack

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/gensctp/gensctp/timer"
)

// WaitQueue is the callers blocked in WaitOn for one kind of change (the
// readers of a socket, its senders, ...): whoever makes that change wakes
// them with Wake (every caller) or WakeOne (one, for a change that one
// caller consumes, such as a delivery), and no one else is woken. The
// zero value is an empty queue. A WaitQueue is used with one Stack and
// guarded by its lock.
type WaitQueue struct {
	head, tail *waiter // newest, oldest
	n          int
	// waiting is n, for readers that do not hold the lock (the callers of
	// Wait are woken after every input, see inputLocked).
	waiting atomic.Int32
	// shard is 1 + the shard of the association the callers work on
	// (Endpoint.Bind), 0 for none: written with the lock held, read
	// before taking it.
	shard atomic.Int32
}

// waiter is one caller blocked in WaitOn, in one queue.
type waiter struct {
	ch         chan struct{} // 1-buffered: the wake-up
	woken      bool          // woken since it last looked (guarded by the lock)
	prev, next *waiter       // newer, older
}

// wake wakes w unless it was woken already, and reports whether it did.
func (w *waiter) wake() bool {
	if w.woken {
		return false
	}
	w.woken = true
	w.ch <- struct{}{} // empty: w drains it when it looks (unqueueLocked)
	return true
}

// Wake wakes every caller waiting on q: each evaluates its condition
// again. Call it with the lock held. A caller woken while its condition
// still fails waits again (spurious wake-ups are harmless); a caller
// registered before the change is never missed.
func (q *WaitQueue) Wake() {
	for w := q.head; w != nil; w = w.next {
		w.wake()
	}
}

// WakeOne wakes the caller that has waited on q the longest among those
// not woken yet, if any: for a change that one caller consumes (a
// delivery for one of a socket's readers). Call it with the lock held. A
// caller woken by it that leaves without evaluating its condition (its
// context ended) wakes another in its place; one whose condition
// succeeds while there is more to consume should wake the next
// (WakeOne from the condition: it is off the queue then).
func (q *WaitQueue) WakeOne() {
	for w := q.tail; w != nil; w = w.prev {
		if w.wake() { // else woken already: it will evaluate its condition
			return
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
	} else {
		q.tail = w
	}
	q.head = w
	q.n++
	q.waiting.Add(1)
}

func (q *WaitQueue) remove(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		q.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		q.tail = w.prev
	}
	w.prev, w.next = nil, nil
	q.n--
	q.waiting.Add(-1)
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

// unqueueLocked takes w off q (nil: w is in no queue) and reports
// whether it had been woken since it last looked (its wake-up is
// dropped).
func unqueueLocked(q *WaitQueue, w *waiter) (woken bool) {
	if q == nil {
		return false
	}
	q.remove(w)
	woken, w.woken = w.woken, false
	select {
	case <-w.ch:
	default: // taken by the caller's select
	}
	return woken
}

// freeLocked keeps w (nil: none), in no queue, for reuse.
func (s *Stack) freeLocked(w *waiter) {
	if w != nil && len(s.wake.free) < maxFreeWaiters {
		s.wake.free = append(s.wake.free, w)
	}
}

// WaitOnUntil blocks until cond, called with the core locked, returns
// true, ctx is done (its error is returned), expire is closed (ErrExpired;
// a nil expire never is) or the stack closes (ErrClosed). expire is for a
// deadline of the caller's that can move (net.Conn's): selecting on its
// channel costs nothing per call, where merging it with ctx into a
// context would.
// cond is evaluated at once, then again each time q is woken (Wake, or
// WakeOne choosing this caller): the caller waits on q from the first
// evaluation that fails until it returns, so that a change made after
// that evaluation is not missed; it is off q while cond runs. cond may
// act on the core (poll deliveries, send): that is settled (the watchers
// run, the output is sent) before WaitOn sleeps.
func (s *Stack) WaitOnUntil(ctx context.Context, expire <-chan struct{}, q *WaitQueue, cond func(now timer.Time) bool) error {
	return s.wait(ctx, expire, q, cond, nil)
}

// WaitForUntil is WaitOnUntil for a caller whose queue depends on the
// state (the senders of one association, say): cond, called with the
// core locked, returns nil once done, else the queue to wait on until
// the next evaluation (the same one or another).
func (s *Stack) WaitForUntil(ctx context.Context, expire <-chan struct{}, cond func(now timer.Time) *WaitQueue) error {
	return s.wait(ctx, expire, nil, nil, cond)
}

// wait implements WaitOnUntil (on q with cond) and WaitForUntil (with
// pick).
func (s *Stack) wait(ctx context.Context, expire <-chan struct{}, q *WaitQueue, cond func(timer.Time) bool,
	pick func(timer.Time) *WaitQueue) error {
	var w *waiter
	var in *WaitQueue // the queue w waits on, if any
	for {
		if q != nil {
			s.lockFor(q)
		} else {
			s.lockFor(in) // the queue it waited on: its shard, if bound
		}
		unqueueLocked(in, w) // woken: off the queue while it evaluates
		in = nil
		if s.closed {
			s.freeLocked(w)
			s.unlock()
			return ErrClosed
		}
		now := s.Now()
		s.wake.runs++
		if pick != nil {
			in = pick(now)
		} else if !cond(now) {
			in = q
		}
		if in != nil {
			if w == nil {
				w = s.newWaiterLocked()
			}
			in.push(w)
		}
		// Timers run as the shard was taken (dueLocked) are an input,
		// as when the shard's runtime timer runs them (onTimer).
		if s.settleLocked(now) || in == nil || s.timersRan {
			s.timersRan = false
			s.wake.any.Wake()
		}
		if in == nil {
			s.freeLocked(w)
			s.unlock()
			return nil
		}
		s.unlock()
		select {
		case <-w.ch:
		case <-s.done: // evaluated again: the stack is closed
		case <-expire:
			s.leave(in, w)
			return ErrExpired
		case <-ctx.Done():
			s.leave(in, w)
			return ctx.Err()
		}
	}
}

// leave takes w off q when its wait ends without it evaluating its
// condition again; a wake-up it got meanwhile, which it will not use, is
// passed on to another caller of q (WakeOne).
func (s *Stack) leave(q *WaitQueue, w *waiter) {
	s.mu.Lock()
	if unqueueLocked(q, w) {
		q.WakeOne()
	}
	s.freeLocked(w)
	s.unlock()
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
	defer s.unlock()
	return s.wake.runs
}

package stack

import (
	"reflect"
	"slices"

	"github.com/gensctp/gensctp/timer"
)

// Hook is a function that the event loop runs under the stack's lock
// after every change of the core (a datagram, a timeout, an operation
// through Do, a wait condition of Wait), before the output is written: it
// is how the users of the stack hand the core's deliveries on (to a
// channel, for example) without a goroutine of their own. See AddHook.
type Hook struct {
	fn func(now timer.Time) (wake bool)
}

// AddHook registers fn as a hook and runs the hooks once. fn runs with the
// stack locked; it must not block (channel sends without room must be
// parked with Park) and must not call the stack's locking methods. It
// reports whether waiters must be woken even though the core did not
// change (it handed something to another waiter). Call AddHook without
// the lock; the hook runs until RemoveHook.
func (s *Stack) AddHook(fn func(now timer.Time) (wake bool)) (*Hook, error) {
	h := &Hook{fn: fn}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	s.hooks = append(s.hooks, h)
	s.afterLocked()
	return h, nil
}

// RemoveHook unregisters h (nil or already removed: no-op). When it
// returns, h no longer runs. Call it without the lock.
func (s *Stack) RemoveHook(h *Hook) {
	if h == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.hooks, h); i >= 0 {
		s.hooks = slices.Delete(s.hooks, i, i+1)
	}
}

// runHooksLocked runs the hooks and reports whether one asked to wake
// the waiters.
func (s *Stack) runHooksLocked(now timer.Time) (wake bool) {
	for _, h := range s.hooks {
		if h.fn(now) {
			wake = true
		}
	}
	return wake
}

// Parked is a value that a hook could not send because the channel was
// full: the stack's sender goroutine (one per stack, running only while
// something is parked) sends it as soon as the channel has room, so that
// a full channel needs no goroutine per association. The zero value is
// ready to use; a Parked is parked at most once at a time.
type Parked struct {
	ch, v reflect.Value
	sent  func(now timer.Time)
	// Guarded by the stack's lock.
	parked   bool // in Stack.parks
	inSelect bool // the sender is sending it
}

// IsParked reports whether p waits for room in its channel. Call it with
// the lock held.
func (p *Parked) IsParked() bool { return p.parked || p.inSelect }

// Park hands v to s's sender goroutine, which sends it on ch as soon as
// ch has room and then, with the lock held, calls sent (which must not
// block) and runs the event loop's usual epilogue: the hooks, the output,
// the timer, the waiters. Call Park with the lock held (from a hook, or
// within Do or a Wait condition), with p not parked (see IsParked);
// cancel it with Unpark. Park on a closed stack does nothing.
func Park[T any](s *Stack, p *Parked, ch chan<- T, v T, sent func(now timer.Time)) {
	if s.closed || p.IsParked() {
		return
	}
	p.ch, p.v, p.sent = reflect.ValueOf(ch), reflect.ValueOf(v), sent
	p.parked = true
	s.parks = append(s.parks, p)
	s.wakeSenderLocked()
	if !s.sending {
		s.sending = true
		s.senderDone = make(chan struct{})
		go s.sendLoop(s.senderDone)
	}
}

// Unpark cancels p. When it returns, p is no longer parked, and either its
// value was sent and its sent function has run, or the value will not be
// sent. Call it without the lock.
func (s *Stack) Unpark(p *Parked) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.parked {
		s.parks = slices.DeleteFunc(s.parks, func(q *Parked) bool { return q == p })
		p.parked = false
	}
	if p.inSelect {
		s.wakeSenderLocked()
		for p.inSelect {
			s.selDone.Wait()
		}
	}
	p.ch, p.v, p.sent = reflect.Value{}, reflect.Value{}, nil
}

// wakeSenderLocked interrupts the sender's select: the set of parked
// values changed or the stack closed.
func (s *Stack) wakeSenderLocked() {
	close(s.parkWake)
	s.parkWake = make(chan struct{})
}

// sendLoop is the sender goroutine: it waits, in one select, until one of
// the parked values can be sent or the set of parked values changed, and
// exits when nothing is parked or the stack closed.
func (s *Stack) sendLoop(done chan struct{}) {
	defer close(done)
	var cases []reflect.SelectCase
	var snap []*Parked
	for {
		s.mu.Lock()
		if s.closed || len(s.parks) == 0 {
			s.sending = false
			s.mu.Unlock()
			return
		}
		cases = append(cases[:0], reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(s.parkWake)})
		snap = append(snap[:0], s.parks...)
		for _, p := range snap {
			p.inSelect = true
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectSend, Chan: p.ch, Send: p.v})
		}
		s.mu.Unlock()

		i, _, _ := reflect.Select(cases)

		s.mu.Lock()
		for _, p := range snap {
			p.inSelect = false
		}
		if i > 0 {
			// Sent, even if Unpark cancelled it meanwhile: the sent
			// function accounts for it.
			p := snap[i-1]
			if p.parked {
				s.parks = slices.DeleteFunc(s.parks, func(q *Parked) bool { return q == p })
				p.parked = false
			}
			sent := p.sent
			p.ch, p.v, p.sent = reflect.Value{}, reflect.Value{}, nil
			if !s.closed && sent != nil {
				sent(s.Now())
				s.afterLocked()
			}
		}
		s.selDone.Broadcast()
		s.mu.Unlock()
		clear(cases)
		clear(snap)
	}
}

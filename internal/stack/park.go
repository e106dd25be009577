package stack

import "github.com/gensctp/gensctp/timer"

// Parker holds the value that one sender (an active-mode socket, say)
// could not send because its channel was full. Park starts a goroutine
// that sends it as soon as the channel has room and then, with the lock
// held, calls the sent function and settles the core: the goroutine
// lives only while a value is parked, so a full channel costs one
// goroutine and an idle sender none. The zero value is ready to use; a
// Parker holds at most one value at a time.
type Parker[T any] struct {
	// Guarded by the stack's lock.
	parked bool
	stop   chan struct{} // closed by Unpark
	exited chan struct{} // closed when the goroutine is gone
}

// IsParked reports whether p holds a value. Call it with the lock held.
func (p *Parker[T]) IsParked() bool { return p.parked }

// Park hands v to a goroutine that sends it on ch as soon as ch has room
// and then, with the lock held, calls sent (which must not block; it may
// Park again) and settles the core as after any change: the watchers,
// the tasks, the output, the timer. Call Park with the lock held (from a
// watcher, a task, or within Do or a wait condition) and p not parked
// (see IsParked); cancel it with Unpark. Park on a closed stack does
// nothing.
func (p *Parker[T]) Park(s *Stack, ch chan<- T, v T, sent func(now timer.Time)) {
	if s.closed || p.parked {
		return
	}
	p.parked = true
	p.stop, p.exited = make(chan struct{}), make(chan struct{})
	s.parkers.Add(1)
	go p.send(s, ch, v, sent, p.stop, p.exited)
}

// send is the goroutine of a parked value.
func (p *Parker[T]) send(s *Stack, ch chan<- T, v T, sent func(now timer.Time), stop <-chan struct{}, exited chan struct{}) {
	defer s.parkers.Done()
	defer close(exited)
	select {
	case ch <- v:
		// Sent, even if Unpark is cancelling it meanwhile: sent accounts
		// for it.
		s.lockOp()
		defer s.unlock()
		p.parked = false
		if !s.closed {
			now := s.Now()
			sent(now)
			s.afterLocked(now)
		}
	case <-stop:
	case <-s.done:
	}
}

// Unpark cancels the parked value of p, if any. When it returns, p is not
// parked, and either its value was sent and its sent function has run,
// or the value will not be sent. Call it without the lock, in a state
// where sent does not park again (or Unpark cancels that value too).
func (p *Parker[T]) Unpark(s *Stack) {
	for {
		s.mu.Lock()
		if !p.parked {
			s.unlock()
			return
		}
		stop, exited := p.stop, p.exited
		select {
		case <-stop: // another Unpark closed it
		default:
			close(stop)
		}
		s.unlock()
		<-exited
		s.mu.Lock()
		if p.exited == exited {
			p.parked = false // stopped, not sent (sent clears it itself)
		}
		s.unlock()
	}
}

package stack

import (
	"slices"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

// waking is what the stack knows about whom to wake after a change; it
// belongs to one Stack (one lock), nothing is package-global.
type waking struct {
	watch   []*watched        // one per endpoint, in the order added
	ready   []*watched        // the endpoints with changes to take
	spare   []*watched        // scratch of drainLocked
	changes []endpoint.Change // scratch of drainLocked
	tasks   []*Task           // scheduled, not run yet
	running []*Task           // scratch of runTasksLocked
	any     WaitQueue         // the callers of Wait
	free    []*waiter         // reusable waiters (wait.go)
	runs    uint64            // wait conditions evaluated and tasks run (Wakeups)
}

// watched is an endpoint of the stack and its watcher.
type watched struct {
	ep      *endpoint.Endpoint
	fn      WatchFunc
	ready   bool // in waking.ready
	removed bool // no longer on the stack
}

// WatchFunc is an endpoint's watcher (see Watch): it runs with the lock
// held and gets the associations that changed, and how. It must not
// block or call the stack's locking methods; it may wake queues
// (WaitQueue.Wake), schedule tasks (Schedule) and use the core. changes
// is valid only during the call. When the transport closes under the
// stack (Failed), each watcher is called once with no changes, besides
// those of the associations that failed: for the callers that wait for
// something other than an association (a new one, say), which will
// never come.
type WatchFunc func(now timer.Time, changes []endpoint.Change)

// Watch makes fn the watcher of ep (nil: none): after every change of the
// core, the stack takes the associations of ep that changed in a way a
// waiter may care about (endpoint.Endpoint.TakeChanged: new deliveries,
// send buffer space, a new state, a one-to-one backlog that grew, an
// association forgotten) and, if there are any, calls fn with them. It
// is how the users of the stack wake exactly the callers and the work
// concerned by a change, without scanning the rest. Call it without the
// lock; for an endpoint not attached, it returns ErrNoEndpoint.
func (s *Stack) Watch(ep *endpoint.Endpoint, fn WatchFunc) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	for _, w := range s.wake.watch {
		if w.ep == ep {
			w.fn = fn
			return nil
		}
	}
	return ErrNoEndpoint
}

// addWatchLocked starts taking the changes of ep (watched by nobody yet):
// ep tells when it has some (endpoint.Endpoint.SetNotify), so that an
// input costs nothing for the endpoints it did not change.
func (s *Stack) addWatchLocked(ep *endpoint.Endpoint) {
	w := &watched{ep: ep}
	s.wake.watch = append(s.wake.watch, w)
	ep.SetNotify(func() {
		if !w.ready && !w.removed {
			w.ready = true
			s.wake.ready = append(s.wake.ready, w)
		}
	})
}

// removeWatchLocked forgets ep and its watcher.
func (s *Stack) removeWatchLocked(ep *endpoint.Endpoint) {
	s.wake.watch = slices.DeleteFunc(s.wake.watch, func(w *watched) bool {
		if w.ep == ep {
			w.removed = true
			ep.SetNotify(nil)
		}
		return w.removed
	})
}

// Task is work that the event loop runs once, with the lock held, after
// the change during which it was scheduled (Schedule): the active-mode
// delivery of a socket that was notified, for example. Run must not block
// or call the stack's locking methods.
type Task struct {
	Run    func(now timer.Time)
	queued bool // guarded by the stack's lock
}

// Schedule queues t to run before the lock is released (a task scheduled
// again before it ran runs once). Call it with the lock held: from a
// watcher, a task, a function run by Do or a wait condition. Schedule on
// a closed stack does nothing.
func (s *Stack) Schedule(t *Task) {
	if s.closed || t.queued {
		return
	}
	t.queued = true
	s.wake.tasks = append(s.wake.tasks, t)
}

// settleLocked runs after anything that may have changed the core (an
// input, an operation, a wait condition): it hands the changes of each
// endpoint to its watcher and runs the tasks scheduled, writes out what
// the core has to send, and repeats while that brought more changes
// (sending frees send buffer space; a task that polled may have freed
// receive window); then it re-arms the timer. It reports whether there
// were changes. It ends: a round only finds changes the previous one
// made, and polling, queueing and waking make none.
func (s *Stack) settleLocked(now timer.Time) (changed bool) {
	for round := 0; ; round++ {
		n := s.drainLocked(now) + s.runTasksLocked(now)
		if n > 0 {
			changed = true
		} else if round > 0 {
			break
		}
		s.flushLocked()
	}
	s.rearmLocked()
	return changed
}

// maxKeptChanges bounds the scratch of drainLocked kept between drains.
const maxKeptChanges = 1024

// drainLocked hands the changes of the endpoints that have some to their
// watchers and returns how many there were. Its cost is that of the
// changes: the endpoints without any are not asked.
func (s *Stack) drainLocked(now timer.Time) int {
	ready := s.wake.ready
	if len(ready) == 0 {
		return 0
	}
	s.wake.ready = s.wake.spare[:0]
	n := 0
	for i, w := range ready {
		ready[i] = nil
		if w.removed {
			continue
		}
		cs := w.ep.TakeChanged(s.wake.changes[:0])
		w.ready = false // changes recorded from now on notify again
		n += len(cs)
		if len(cs) > 0 && w.fn != nil {
			w.fn(now, cs)
		}
		clear(cs)
		if cap(cs) > maxKeptChanges {
			cs = nil // a burst's scratch goes with it
		}
		s.wake.changes = cs[:0]
	}
	s.wake.spare = ready[:0]
	return n
}

// runTasksLocked runs the tasks scheduled so far (those they schedule run
// in the next round) and returns how many ran.
func (s *Stack) runTasksLocked(now timer.Time) int {
	run := s.wake.tasks
	if len(run) == 0 {
		return 0
	}
	s.wake.tasks, s.wake.running = s.wake.running[:0], nil
	for i, t := range run {
		run[i] = nil
		t.queued = false
		s.wake.runs++
		t.Run(now)
	}
	s.wake.running = run[:0]
	return len(run)
}

// reset drops the watchers and the tasks of a closing stack.
func (w *waking) reset() {
	for _, t := range w.tasks {
		t.queued = false
	}
	for _, x := range w.watch {
		x.removed = true
		x.ep.SetNotify(nil)
	}
	w.watch, w.ready, w.spare, w.tasks, w.running = nil, nil, nil, nil, nil
}

package stack

import (
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

// waking is what the stack knows about whom to wake after a change; it
// belongs to one Stack (one lock), nothing is package-global.
type waking struct {
	changes []endpoint.Change // scratch of drainLocked
	taken   []pendingChange   // scratch of drainLocked
	tasks   []*Task           // scheduled, not run yet
	running []*Task           // scratch of runTasksLocked
	any     WaitQueue         // the callers of Wait
	free    []*waiter         // reusable waiters (wait.go)
	runs    uint64            // wait conditions evaluated and tasks run (Wakeups)
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
func (s *Stack) Watch(ep *Endpoint, fn WatchFunc) error {
	s.mu.Lock()
	defer s.unlock()
	if s.closed {
		return ErrClosed
	}
	if ep.s != s || ep.removed {
		return ErrNoEndpoint
	}
	ep.watch = fn
	return nil
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
// input, an operation, a wait condition): it releases the shards the
// operation locked (their packets are queued, to be written once the
// stack's lock is released, and their timers re-armed), hands the changes
// the shards found to the watchers and runs the tasks scheduled, and
// repeats while that left work of its own: tasks scheduled, or shards
// locked by a task (one that polled may have freed receive window). It
// reports whether there were changes. It ends: a round only finds work
// the previous one made, and polling, queueing and waking make none;
// changes that readers leave meanwhile are handed on by the rounds that
// run anyway, and the rest by unlock.
func (s *Stack) settleLocked(now timer.Time) (changed bool) {
	for {
		s.releaseShardsLocked()
		if s.drainLocked(now)+s.runTasksLocked(now) > 0 {
			changed = true
		}
		s.sweepLocked() // may lock shards: another round
		if len(s.held) == 0 && len(s.wake.tasks) == 0 {
			return changed
		}
	}
}

// drainLocked hands the changes the shards left in pending to the
// watchers of their ports, and returns how many there were. Its cost is
// the changes: one call per port and shard that had some (not per
// association or per accepted socket).
func (s *Stack) drainLocked(now timer.Time) int {
	if !s.pend.flag.Load() {
		return 0
	}
	list := s.pend.take(s.wake.taken)
	for i := 0; i < len(list); {
		port := list[i].port
		cs := s.wake.changes[:0]
		for ; i < len(list) && list[i].port == port; i++ {
			cs = append(cs, list[i].c)
		}
		if port.watch != nil && !port.removed {
			port.watch(now, cs)
		}
		clear(cs)
		if cap(cs) > maxKeptChanges {
			cs = nil // a burst's scratch goes with it
		}
		s.wake.changes = cs[:0]
	}
	n := len(list)
	clear(list)
	if cap(list) > maxKeptChanges {
		list = nil
	}
	s.wake.taken = list[:0]
	return n
}

// maxKeptChanges bounds the scratch of drainLocked kept between drains.
const maxKeptChanges = 1024

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

// reset drops the tasks of a closing stack.
func (w *waking) reset() {
	for _, t := range w.tasks {
		t.queued = false
	}
	w.tasks, w.running = nil, nil
}

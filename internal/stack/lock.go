package stack

import (
	"sync"
	"sync/atomic"

	"github.com/gensctp/gensctp/endpoint"
)

// The stack's two levels of locks.
//
// The stack's lock (Stack.mu) serialises user operations and guards what
// they share: the state of the sockets above, the wait queues, the tasks,
// the watchers. An operation locks the shards it touches when it touches
// them (shardLocked, through the Endpoint methods), or every shard in
// index order for what concerns a port as a whole; it unlocks them when
// it settles, after queueing their output and taking their changes.
//
// A reader, a timer or a caller of Endpoint.Direct holds one shard lock,
// never the stack's lock: when it is done with the shard it leaves the
// changes it found in pending and tries the stack's lock (kick). If another goroutine holds it, that one
// hands the changes to the watchers before it leaves: whoever releases
// the stack's lock looks at pending afterwards (unlock). So no goroutine
// waits for the stack's lock while it holds a shard lock, and no cycle of
// waits exists: user operations wait for shards, shards never wait for
// user operations.

// pending is the changes the shards found, for the holder of the stack's
// lock to hand to the watchers (drainLocked).
type pending struct {
	mu   sync.Mutex
	list []pendingChange
	// flag is set when list is not empty or a Wait caller is to be woken
	// after an input; it is read without mu, after the stack's lock is
	// released, to see whether there is work for a new holder.
	flag atomic.Bool
	// released: the local addresses endpoints released (unbind.go).
	released releasedAddrs
}

// pendingChange is an association of an Endpoint that changed.
type pendingChange struct {
	port *Endpoint
	c    endpoint.Change
}

// add appends the changes cs of port.
func (p *pending) add(port *Endpoint, cs []endpoint.Change) {
	p.mu.Lock()
	for _, c := range cs {
		p.list = append(p.list, pendingChange{port: port, c: c})
	}
	p.flag.Store(true)
	p.mu.Unlock()
}

// take swaps the list for dst (emptied) and returns the changes.
func (p *pending) take(dst []pendingChange) []pendingChange {
	p.mu.Lock()
	list := p.list
	p.list = dst[:0]
	p.flag.Store(false)
	p.mu.Unlock()
	return list
}

// inputLocked notes, for a reader or a timer holding a shard lock, that
// the core had an input: the callers of Wait, who wait for any change,
// are to be woken.
func (s *Stack) inputLocked() {
	if s.wake.any.waiting.Load() > 0 {
		s.pend.flag.Store(true)
	}
}

// lockOp takes the stack's lock for an operation. With one shard it
// takes the shard's lock at once too, so that the operation's time is
// read with the core locked, as a single-threaded loop does.
func (s *Stack) lockOp() {
	s.mu.Lock()
	if len(s.shards) == 1 && !s.closed {
		s.shardLocked(0)
	}
}

// lockFor takes the stack's lock for a wait condition of the callers of
// q. When q is bound to an association (Endpoint.Bind), it takes the lock
// of its shard first, so that while a reader holds the shard (handling a
// batch of its packets) it waits without holding the stack's lock, which
// the operations on other shards need; it never waits for the stack's
// lock while it holds the shard's.
func (s *Stack) lockFor(q *WaitQueue) {
	i := -1
	if q != nil {
		i = int(q.shard.Load()) - 1
	}
	if i < 0 || len(s.shards) == 1 {
		s.lockOp()
		return
	}
	sh := s.shards[i]
	sh.lock()
	if s.mu.TryLock() {
		sh.held = true
		s.held = append(s.held, sh)
		if s.dueLocked(sh, s.Now()) {
			s.timersRan = true
		}
		return
	}
	sh.unlock()
	s.service(sh) // what readers left while it held the shard
	s.mu.Lock()
}

// shardLocked locks shard i for the holder of the stack's lock, unless it
// holds it already, and returns it.
func (s *Stack) shardLocked(i int) *shard {
	sh := s.shards[i]
	if !sh.held {
		sh.lock()
		sh.held = true
		s.held = append(s.held, sh)
		if s.dueLocked(sh, s.Now()) {
			s.timersRan = true
		}
	}
	return sh
}

// releaseShardLocked settles sh (see settleShardLocked) and unlocks it;
// once the stack's lock is released, its packets are written and the
// datagrams readers left meanwhile handled (service).
func (s *Stack) releaseShardLocked(sh *shard) { s.releaseShardEmptyLocked(sh, nil) }

// releaseShardEmptyLocked is releaseShardLocked for a caller that found
// nothing to deliver on ep, the shard's endpoint of its port: it returns
// the shard's gen of the release only if ep still has nothing to deliver
// once settled (settling may add a delivery: a message abandoned as it
// was about to be sent, say), else 0.
func (s *Stack) releaseShardEmptyLocked(sh *shard, ep *endpoint.Endpoint) uint64 {
	if !sh.closed {
		s.settleShardLocked(sh, s.Now())
	}
	empty := ep == nil || !ep.Deliverable()
	s.dirty |= sh.bit // serviced once the stack's lock is released
	sh.held = false
	g := sh.unlock()
	for i, x := range s.held {
		if x == sh {
			s.held = append(s.held[:i], s.held[i+1:]...)
			break
		}
	}
	if !empty {
		return 0
	}
	return g
}

// releaseShardsLocked releases every shard the holder of the stack's lock
// holds, and reports whether there were any.
func (s *Stack) releaseShardsLocked() bool {
	if len(s.held) == 0 {
		return false
	}
	now := s.Now()
	for _, sh := range s.held {
		if !sh.closed {
			s.settleShardLocked(sh, now)
		}
		s.dirty |= sh.bit // serviced once the stack's lock is released
		sh.held = false
		sh.unlock()
	}
	clear(s.held)
	s.held = s.held[:0]
	return true
}

// unlock releases the stack's lock (and the shards its holder still
// holds), writes the packets queued meanwhile, then hands on the changes
// that shards left in pending while it was held (kick).
func (s *Stack) unlock() {
	s.release()
	s.kick()
}

// release releases the stack's lock and the shards its holder still
// holds, and services the shards it held (see service).
func (s *Stack) release() {
	s.releaseShardsLocked()
	dirty := s.dirty
	s.dirty = 0
	s.mu.Unlock()
	s.flushShards(dirty)
}

// kick hands on the changes that shards left in pending: it takes the
// stack's lock for that as long as there are some and nobody else holds
// it (whoever does hands them on when it releases it), and reports
// whether it did. Call it without locks.
func (s *Stack) kick() (woke bool) { return s.kickAs(false) }

// kickHolding is kick for a goroutine that holds a socket of the
// transport (a reader pushing datagrams within its sticky read, see
// packetio.Pusher): closing a UDP socket would wait for it, so the
// addresses released meanwhile are unbound by a goroutine of their own
// (sweepLocked).
func (s *Stack) kickHolding() bool { return s.kickAs(true) }

// kickAs implements kick and kickHolding.
func (s *Stack) kickAs(holding bool) (woke bool) {
	for s.pend.flag.Load() && s.mu.TryLock() {
		if s.closed {
			s.mu.Unlock()
			return woke
		}
		s.holding = holding
		s.afterLocked(s.Now())
		s.holding = false
		s.release()
		woke = true
	}
	return woke
}

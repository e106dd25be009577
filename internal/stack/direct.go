package stack

import (
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
)

// Direct runs fn on the shard of association id with the lock of that
// shard only, not the stack's lock: the way a reader handles the shard's
// datagrams, so that a caller working on one association (the reader of
// a one-to-one socket, say) runs in parallel with the operations and the
// packets of the other shards instead of queueing for the stack's lock
// with them. fn gets the endpoint of e on that shard; it may use the
// association (PeekAssoc, PollAssoc, Buffers, ...) and state of the
// caller's own that nothing else touches meanwhile, and nothing guarded
// by the stack's lock (the WaitQueues, the sockets above, the Endpoint's
// methods). Afterwards the shard is settled as after an input (its
// packets are written once its lock is released, the changes it found
// handed to the watchers, its timer re-armed), and fn returning true
// counts as an input for the callers of Wait. Direct reports what fn
// returned, or false without calling fn once the stack is closed. Call it
// without locks.
func (e *Endpoint) Direct(id endpoint.AssocID, fn func(now timer.Time, ep *endpoint.Endpoint) bool) bool {
	s := e.s
	i := endpoint.ShardOfAssoc(id, len(e.eps))
	sh := s.shards[i]
	sh.lock()
	if sh.closed {
		sh.unlock()
		s.service(sh) // what a reader routed meanwhile goes back
		return false
	}
	now := s.Now()
	s.dueLocked(sh, now) // the timers due first, as for a datagram
	ok := fn(now, e.eps[i])
	s.settleShardLocked(sh, now)
	if ok {
		s.inputLocked()
	}
	sh.unlock()
	s.service(sh)
	s.kick()
	return ok
}

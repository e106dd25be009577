package stack

import (
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/timer"
)

// shard is one core of the stack: a Mux with an endpoint of each SCTP port
// (endpoint.Config.Shard), its runtime timer, the datagrams routed to it
// and the packets it queued for writing. Its lock is held by a reader
// handling its datagrams, by its timer, by its writer producing more
// packets, or by the holder of the stack's lock for an operation that
// touches it (see lock.go); the system calls happen outside it.
type shard struct {
	s     *Stack
	index int
	bit   uint64 // 1 << index

	mu sync.Mutex // guards the core (mux, its endpoints and associations) and the fields below
	// gen counts the acquisitions and releases of mu (lock, unlock): a
	// shard whose gen did not move since it was seen was not locked
	// since, by anyone: it is unchanged.
	gen    atomic.Uint64
	mux    *endpoint.Mux
	ready  []*shardPort // the endpoints with changes to take
	closed bool
	timer  *time.Timer
	armed  timer.Time            // the deadline timer is set to; -1: none known
	change []endpoint.Change     // scratch of takeChangesLocked
	prod   []packetio.OutMessage // scratch of produceLocked
	spare  [][]byte              // packet buffers at hand for produceLocked
	inTake []group               // scratch of handleLocked
	// released is the scratch of takeReleasedLocked.
	released []netip.Addr

	// held: locked by the holder of the stack's lock; guarded by the
	// stack's lock.
	held bool

	in  inbox
	out outbox
}

// shardPort is the endpoint of an SCTP port on a shard, and the Endpoint
// it is part of.
type shardPort struct {
	ep    *endpoint.Endpoint
	port  *Endpoint
	ready bool // in shard.ready
}

// inbox holds the datagrams routed to a shard that it has not handled
// yet, in the order they were read.
type inbox struct {
	mu sync.Mutex
	q  []group
}

// outbox holds the packets a shard produced, until they are written.
// Whoever holds wmu writes them, in order, after the shard's lock was
// released (flushShard).
type outbox struct {
	wmu sync.Mutex // the write token: one writer at a time keeps the order
	w   []packetio.OutMessage

	mu   sync.Mutex // guards the fields below (a leaf lock)
	q    []packetio.OutMessage
	more bool     // the shard stopped producing at batch: it may have more
	free [][]byte // written packets' buffers, for reuse
}

// bufSize is the capacity of a packet buffer: the largest SCTP packet
// over UDP.
const bufSize = 1 << 16

func newShard(s *Stack, i int) *shard {
	sh := &shard{s: s, index: i, bit: 1 << i, mux: endpoint.NewMux(), armed: timer.Never}
	sh.timer = time.AfterFunc(time.Hour, func() { s.onTimer(sh) })
	sh.timer.Stop()
	return sh
}

// close stops the shard: datagrams and timers find it closed.
func (sh *shard) close() {
	sh.lock()
	sh.closed = true
	sh.timer.Stop()
	sh.unlock()
}

// lock takes the shard's lock and counts it in gen: a holder may change
// the core, and publish its changes (pending) before it unlocks, so a
// shard locked since it was seen is not the shard seen.
func (sh *shard) lock() {
	sh.mu.Lock()
	sh.gen.Add(1)
}

// tryLock is lock if the lock is free; it reports whether it took it.
func (sh *shard) tryLock() bool {
	if !sh.mu.TryLock() {
		return false
	}
	sh.gen.Add(1)
	return true
}

// unlock releases the shard's lock, counting the release in gen, which
// it returns.
func (sh *shard) unlock() uint64 {
	g := sh.gen.Add(1)
	sh.mu.Unlock()
	return g
}

// add attaches ep, the endpoint of e on the shard; the caller holds its
// lock. ep tells when it has changes (endpoint.Endpoint.SetNotify), so
// that an input costs nothing for the endpoints it did not change.
func (sh *shard) add(ep *endpoint.Endpoint, e *Endpoint) error {
	if err := sh.mux.Add(ep); err != nil {
		return err
	}
	p := &shardPort{ep: ep, port: e}
	ep.SetNotify(func() {
		if !p.ready {
			p.ready = true
			sh.ready = append(sh.ready, p)
		}
	})
	return nil
}

// remove takes the endpoint of e off the shard; the caller holds its lock.
// Its cost does not grow with the other endpoints of the shard.
func (sh *shard) remove(e *Endpoint) {
	if ep := e.eps[sh.index]; sh.mux.RemoveEndpoint(ep) {
		ep.SetNotify(nil)
	}
	sh.ready = slices.DeleteFunc(sh.ready, func(p *shardPort) bool { return p.port == e })
}

// settleShardLocked runs after anything that may have changed the shard's
// core: it queues what the core has to send (up to batch packets; the
// writer asks for more), leaves the associations that changed for the
// holder of the stack's lock (pending), and re-arms the timer. It reports
// whether it queued packets.
func (s *Stack) settleShardLocked(sh *shard, now timer.Time) (queued bool) {
	queued = sh.produceLocked(now)
	s.takeChangesLocked(sh) // after producing: sending frees send buffer
	sh.rearmLocked(now)
	return queued
}

// produceLocked queues up to batch packets of the core for writing and
// reports whether it queued any.
func (sh *shard) produceLocked(now timer.Time) bool {
	msgs := sh.prod[:0]
	for len(msgs) < batch {
		buf := sh.bufLocked()
		o, ok := sh.mux.AppendPacket(now, buf)
		if !ok {
			sh.spare = append(sh.spare, buf)
			break
		}
		msgs = append(msgs, packetio.OutMessage{Data: o.Data, To: o.To, From: o.From, ECN: uint8(o.ECN)})
	}
	if len(msgs) == 0 {
		return false
	}
	sh.out.mu.Lock()
	sh.out.q = append(sh.out.q, msgs...)
	sh.out.more = sh.out.more || len(msgs) == batch
	sh.out.mu.Unlock()
	clear(msgs)
	sh.prod = msgs[:0]
	return true
}

// bufLocked returns an empty packet buffer.
func (sh *shard) bufLocked() []byte {
	if len(sh.spare) == 0 {
		sh.out.mu.Lock()
		k := max(len(sh.out.free)-batch, 0)
		sh.spare = append(sh.spare, sh.out.free[k:]...)
		clear(sh.out.free[k:])
		sh.out.free = sh.out.free[:k]
		sh.out.mu.Unlock()
	}
	n := len(sh.spare)
	if n == 0 {
		return make([]byte, 0, bufSize)
	}
	b := sh.spare[n-1]
	sh.spare[n-1] = nil
	sh.spare = sh.spare[:n-1]
	return b[:0]
}

// flushShard writes what sh queued, in order, outside every lock but the
// write token: when it returns, the packets queued before the call are
// written. It reports whether the shard stopped producing at batch
// packets (it may have more: the next settling produces them). Call it
// without locks.
func (s *Stack) flushShard(sh *shard) (more bool) {
	o := &sh.out
	o.wmu.Lock()
	defer o.wmu.Unlock()
	o.mu.Lock()
	msgs, more := o.q, o.more
	o.q, o.more = o.w[:0], false
	o.mu.Unlock()
	if len(msgs) > 0 {
		s.tapSent(msgs)
		s.write(msgs)
		o.mu.Lock()
		for _, m := range msgs {
			if cap(m.Data) >= bufSize && len(o.free) < 2*batch {
				o.free = append(o.free, m.Data[:0])
			}
		}
		o.mu.Unlock()
		clear(msgs)
	}
	o.w = msgs[:0]
	return more
}

// service runs after sh was unlocked (by whoever held it): it writes what
// sh queued, then, while datagrams wait in its inbox or it has more to
// send, and nobody holds it (whoever does will do the same once it
// unlocks it), it handles them and settles it. So datagrams queued by a
// reader that found the shard busy are handled by the goroutine that held
// it, and the reader goes on reading. Call it without locks.
func (s *Stack) service(sh *shard) {
	for {
		more := s.flushShard(sh)
		if !more && !sh.in.waiting() || !sh.tryLock() {
			return
		}
		s.handleLocked(sh)
		sh.unlock()
	}
}

// flushShards services the shards of the mask (see service).
func (s *Stack) flushShards(mask uint64) {
	for i, sh := range s.shards {
		if mask == 0 {
			return
		}
		if mask&(1<<i) != 0 {
			mask &^= 1 << i
			s.service(sh)
		}
	}
}

// rearmLocked sets the runtime timer to the shard's next deadline.
func (sh *shard) rearmLocked(now timer.Time) {
	next := sh.mux.NextDeadline()
	if next == sh.armed {
		return
	}
	sh.armed = next
	if next == timer.Never {
		sh.timer.Stop()
		return
	}
	sh.timer.Reset(max(next.Sub(now), 0))
}

// dueLocked runs the shard's protocol timers due by now, if any, and
// settles it, for a holder about to give the core an input at now (a
// datagram, a user's operation). So at one instant the timers run first,
// whichever goroutine got the shard first: a run on virtual time
// (testing/synctest, package sim) is the same whether the runtime
// timer's goroutine or the input's ran first, and in real time a timer
// the runtime fires late runs as soon as anyone takes the shard. The
// runtime timer, when it fires, finds nothing due. It reports whether
// timers ran.
func (s *Stack) dueLocked(sh *shard, now timer.Time) bool {
	if sh.closed || sh.armed < 0 || sh.armed > now {
		return false
	}
	sh.armed = -1 // set again whatever the next deadline
	sh.mux.HandleTimeout(now)
	s.settleShardLocked(sh, now)
	s.inputLocked()
	return true
}

// onTimer runs the shard's protocol timers that are due.
func (s *Stack) onTimer(sh *shard) {
	sh.lock()
	if sh.closed {
		sh.unlock()
		s.service(sh) // what a reader routed meanwhile goes back
		return
	}
	now := s.Now()
	sh.armed = -1 // fired: set it again whatever the next deadline
	sh.mux.HandleTimeout(now)
	s.settleShardLocked(sh, now)
	s.inputLocked()
	sh.unlock()
	s.service(sh)
	s.kick()
}

// takeChangesLocked leaves the associations that changed, of the shard's
// endpoints that told they have some, for the holder of the stack's lock,
// who hands them to the watchers (drainLocked).
func (s *Stack) takeChangesLocked(sh *shard) {
	for i, p := range sh.ready {
		sh.ready[i] = nil
		p.ready = false // changes recorded from now on notify again
		cs := p.ep.TakeChanged(sh.change[:0])
		if len(cs) > 0 {
			s.pend.add(p.port, cs)
		}
		s.takeReleasedLocked(sh, p)
		clear(cs)
		if cap(cs) > maxKeptChanges {
			cs = nil // a burst's scratch goes with it
		}
		sh.change = cs[:0]
	}
	sh.ready = sh.ready[:0]
}

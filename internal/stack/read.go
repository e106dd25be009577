package stack

import (
	"errors"
	"math/bits"
	"net"

	"github.com/gensctp/gensctp/packetio"
)

// reader is the state of one reader goroutine.
type reader struct {
	msgs   []packetio.Message
	groups [][]*packetio.Message // scratch of route, by shard
}

// readLoop is a reader goroutine: it reads a batch of datagrams, routes
// each to its shard and has the shards handle them, each under its own
// lock, while other readers read and handle the next batches.
//
// The reads are serialised (readTurn) and each datagram is queued in its
// shard's inbox in the order read, before the next read: a shard handles
// its datagrams in the order they arrived, whichever reader handles them.
// A reader handles the inboxes of the shards its batch went to, the free
// ones first; when another reader holds a shard, it waits for it, since
// that reader may be handling this batch's datagrams: once it has held
// each of them, its datagrams were handled and it can give the batch
// back to the transport.
func (s *Stack) readLoop() {
	defer s.readers.Done()
	r := &reader{msgs: make([]packetio.Message, batch), groups: make([][]*packetio.Message, len(s.shards))}
	for {
		<-s.readTurn
		n, err := s.conn.ReadBatch(r.msgs)
		touched := s.route(r, r.msgs[:n])
		closed := errors.Is(err, net.ErrClosed)
		// A transient read error: read again, after a pause that the
		// other readers wait for too (the backoff is the stack's).
		if !closed && !s.pause(s.readBackoff.next(n, err)) {
			s.readTurn <- struct{}{}
			return
		}
		s.readTurn <- struct{}{}
		if n > 0 {
			s.handle(touched)
			s.conn.ReleaseBatch(r.msgs[:n])
		}
		if closed {
			s.transportClosed(err)
			return
		}
	}
}

// route queues msgs in the inboxes of their shards and returns the mask
// of the shards that got some.
func (s *Stack) route(r *reader, msgs []packetio.Message) (touched uint64) {
	if len(msgs) == 0 {
		return 0
	}
	if len(s.shards) == 1 {
		g := r.groups[0][:0]
		for i := range msgs {
			g = append(g, &msgs[i])
		}
		s.shards[0].in.push(g)
		clear(g)
		r.groups[0] = g[:0]
		return 1
	}
	for i := range msgs {
		k := s.router.ShardOf(msgs[i].Data, msgs[i].From)
		r.groups[k] = append(r.groups[k], &msgs[i])
		touched |= 1 << k
	}
	for m := touched; m != 0; m &= m - 1 {
		k := bits.TrailingZeros64(m)
		s.shards[k].in.push(r.groups[k])
		clear(r.groups[k])
		r.groups[k] = r.groups[k][:0]
	}
	return touched
}

// push queues msgs.
func (in *inbox) push(msgs []*packetio.Message) {
	in.mu.Lock()
	in.q = append(in.q, msgs...)
	in.mu.Unlock()
}

// take swaps the queue for dst (emptied) and returns the datagrams.
func (in *inbox) take(dst []*packetio.Message) []*packetio.Message {
	in.mu.Lock()
	q := in.q
	in.q = dst[:0]
	in.mu.Unlock()
	return q
}

// handle has the shards of the mask handle their inboxes: those free
// first, then the others, waiting for them.
func (s *Stack) handle(touched uint64) {
	rest := touched
	for m := touched; m != 0; m &= m - 1 {
		sh := s.shards[bits.TrailingZeros64(m)]
		if sh.mu.TryLock() {
			s.handleLocked(sh)
			rest &^= sh.bit
		}
	}
	for m := rest; m != 0; m &= m - 1 {
		sh := s.shards[bits.TrailingZeros64(m)]
		sh.mu.Lock()
		s.handleLocked(sh)
	}
	s.kick()
}

// handleLocked hands the datagrams of sh's inbox to its core, settles it
// and unlocks it, then writes what it queued.
func (s *Stack) handleLocked(sh *shard) {
	msgs := sh.in.take(sh.inTake)
	queued := false
	if !sh.closed && len(msgs) > 0 {
		now := s.Now()
		for _, m := range msgs {
			d := inbound(now, m)
			_ = sh.mux.HandleDatagram(&d)
		}
		queued = s.settleShardLocked(sh, now)
		s.inputLocked()
	}
	clear(msgs)
	sh.inTake = msgs[:0]
	sh.mu.Unlock()
	if queued {
		s.flushShard(sh)
	}
}

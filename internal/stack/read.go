package stack

import (
	"errors"
	"math/bits"
	"net"
	"runtime"
	"sync/atomic"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/timer"
)

// readBatches is the number of batches a reader reads into in turn: one
// may wait in the shards' inboxes while it reads the next.
const readBatches = 2

// rbatch is a batch of datagrams read by one reader, handed to the
// shards in groups and given back to the transport when every group was
// handled.
type rbatch struct {
	msgs   []packetio.Message
	n      int                   // datagrams read
	groups [][]*packetio.Message // by shard
	left   atomic.Int32          // groups not handled yet
	free   chan *rbatch          // its reader's batches ready for a read
}

// group is the datagrams of one batch for one shard.
type group struct {
	b    *rbatch
	msgs []*packetio.Message
}

// readLoop is a reader goroutine: it reads a batch of datagrams with
// read, routes each to the inbox of its shard, and has the shards that
// are free handle their inboxes, while other readers read and handle the
// next batches.
//
// The reads of the readers that share a transport queue are serialised
// (turn, the queue's turn to read: a token, not a mutex, since a reader
// waits for it as long as another one waits for packets, and a channel
// is what a testing/synctest bubble sees as durably blocked) and each
// datagram is queued in its shard's inbox in the order read, before the
// next read: a shard handles its datagrams in the order they arrived on
// a queue, whichever goroutine handles them. A reader never waits for a
// shard: the goroutine holding one (a reader, its timer, an operation)
// handles what waits in its inbox once it is done with it (service). A
// batch goes back to the transport when its last group was handled, by
// whoever handled it; meanwhile the reader reads into its other batch.
// bo paces the reads of the queue while they fail; it is guarded by
// turn.
func (s *Stack) readLoop(turn chan struct{}, bo *backoff, read func([]packetio.Message) (int, error)) {
	defer s.readers.Done()
	free := make(chan *rbatch, readBatches)
	for range readBatches {
		free <- &rbatch{msgs: make([]packetio.Message, batch), groups: make([][]*packetio.Message, len(s.shards)), free: free}
	}
	for {
		var b *rbatch
		select {
		case b = <-free:
		case <-s.done:
			return
		}
		<-turn
		n, err := read(b.msgs)
		touched := s.route(b, n)
		closed := errors.Is(err, net.ErrClosed)
		// A transient read error: read again, after a pause that the
		// other readers of the queue wait for too.
		if !closed && !s.pause(bo.next(n, err)) {
			turn <- struct{}{}
			return
		}
		turn <- struct{}{}
		if n == 0 {
			free <- b
		}
		for m := touched; m != 0; m &= m - 1 {
			s.service(s.shards[bits.TrailingZeros64(m)])
		}
		// A reader that woke callers (the reader of a Conn, say) for the
		// datagrams it handled lets them run before it reads on: on the
		// core where the messages were just written into the shard's
		// buffers, while they are in its cache, instead of reading the
		// whole receive window ahead of them (a burst that overflows the
		// buffer pool, GOMAXPROCS=1) or leaving them to another core
		// (GOMAXPROCS>1). BenchmarkShardedServer in package api measured
		// 30 % to 40 % less CPU per packet with this.
		if s.kick() {
			runtime.Gosched()
		}
		if closed {
			s.transportClosed(err)
			return
		}
	}
}

// pushed handles the datagrams a packetio.Pusher transport received for
// queue q, on the goroutine that received them, as a reader handles a
// batch it read (readLoop): each goes to its shard's inbox in the order
// received, the free shards handle them, and it reports whether callers
// were woken, for the transport to let them run before it receives more.
// It takes a free batch of the queue for them, as a reader does; without
// wait it takes only the datagrams for which one is free at once (the
// transport then offers the rest again, waiting). Once the stack is
// closed it gives them back.
func (s *Stack) pushed(q int, msgs []packetio.Message, wait bool) (taken int, yield bool) {
	if q < 0 || q >= len(s.pushFree) {
		q = 0
	}
	for taken < len(msgs) {
		if yield {
			runtime.Gosched() // as readLoop does, between batches
		}
		var b *rbatch
		if wait {
			select {
			case b = <-s.pushFree[q]:
			case <-s.done:
			}
		} else {
			select {
			case b = <-s.pushFree[q]:
			case <-s.done:
			default:
				return taken, yield
			}
		}
		if b == nil { // closed
			s.conn.ReleaseBatch(msgs[taken:])
			return len(msgs), false
		}
		n := copy(b.msgs, msgs[taken:])
		clear(msgs[taken : taken+n])
		taken += n
		touched := s.route(b, n)
		for m := touched; m != 0; m &= m - 1 {
			s.service(s.shards[bits.TrailingZeros64(m)])
		}
		if wait {
			yield = s.kick()
		} else {
			yield = s.kickHolding()
		}
	}
	return taken, yield
}

// startPush makes a packetio.Pusher transport hand its datagrams to
// pushed, with readBatches batches for each of its nq queues; the
// readers still read what it queues (errors, its end, datagrams from
// before).
func (s *Stack) startPush(nq int) {
	p, ok := s.conn.(packetio.Pusher)
	if !ok {
		return
	}
	s.pushFree = make([]chan *rbatch, nq)
	for q := range nq {
		free := make(chan *rbatch, readBatches)
		for range readBatches {
			free <- &rbatch{msgs: make([]packetio.Message, batch), groups: make([][]*packetio.Message, len(s.shards)), free: free}
		}
		s.pushFree[q] = free
	}
	p.SetPush(s.pushed)
}

// startReaders starts the reader goroutines. A transport that splits
// its packets over a queue per shard (packetio.Queued) gets one reader
// per queue, which reads the packets of one shard and mostly handles
// them itself, on the core it runs on, in parallel with the other
// shards' readers; any other transport is read by as many readers as
// shards (at most maxReaders) in turn, each handing the datagrams of a
// batch to their shards.
func (s *Stack) startReaders() {
	n := len(s.shards)
	if qt, ok := s.conn.(packetio.Queued); ok && n > 1 && n <= maxReaders && qt.SetQueues(n) == n {
		s.queued = true
		s.readers.Add(n)
		for q := range n {
			turn := make(chan struct{}, 1)
			turn <- struct{}{}
			go s.readLoop(turn, new(backoff), func(msgs []packetio.Message) (int, error) {
				return qt.ReadQueue(q, msgs)
			})
		}
		s.startPush(n)
		return
	}
	s.startPush(1)
	turn := make(chan struct{}, 1)
	turn <- struct{}{}
	bo := new(backoff)
	readers := min(n, maxReaders)
	s.readers.Add(readers)
	for range readers {
		go s.readLoop(turn, bo, s.conn.ReadBatch)
	}
}

// route queues the n datagrams of b in the inboxes of their shards and
// returns the mask of the shards that got some.
func (s *Stack) route(b *rbatch, n int) (touched uint64) {
	b.n = n
	for i := range b.msgs[:n] {
		if b.msgs[i].PTB > 0 {
			// A Packet Too Big report quotes the peer's tag, not ours,
			// which routes packets: every shard looks for its
			// association (a rare message).
			for k := range s.shards {
				b.groups[k] = append(b.groups[k], &b.msgs[i])
				touched |= 1 << k
			}
			continue
		}
		s.tapReceived(&b.msgs[i])
		k := 0
		if len(s.shards) > 1 {
			k = s.router.ShardOf(b.msgs[i].Data, b.msgs[i].From)
		}
		b.groups[k] = append(b.groups[k], &b.msgs[i])
		touched |= 1 << k
	}
	b.left.Store(int32(bits.OnesCount64(touched)))
	for m := touched; m != 0; m &= m - 1 {
		k := bits.TrailingZeros64(m)
		s.shards[k].in.push(group{b: b, msgs: b.groups[k]})
	}
	return touched
}

// push queues g.
func (in *inbox) push(g group) {
	in.mu.Lock()
	in.q = append(in.q, g)
	in.mu.Unlock()
}

// take swaps the queue for dst (emptied) and returns the groups.
func (in *inbox) take(dst []group) []group {
	in.mu.Lock()
	q := in.q
	in.q = dst[:0]
	in.mu.Unlock()
	return q
}

// waiting reports whether datagrams wait in the inbox.
func (in *inbox) waiting() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.q) > 0
}

// handleLocked hands the datagrams of sh's inbox to its core (a closed
// shard drops them), gives back the batches whose last group they were,
// and settles the shard; it reports whether the shard queued packets.
func (s *Stack) handleLocked(sh *shard) (queued bool) {
	gs := sh.in.take(sh.inTake)
	var now timer.Time
	read := false
	if len(gs) > 0 && !sh.closed {
		now, read = s.Now(), true
		s.dueLocked(sh, now)
		for _, g := range gs {
			for _, m := range g.msgs {
				if m.PTB > 0 {
					_ = sh.mux.HandlePTB(now, association.PTB{To: m.From, MTU: m.PTB, Quoted: m.Data})
					continue
				}
				d := inbound(now, m)
				_ = sh.mux.HandleDatagram(&d)
			}
		}
		s.inputLocked()
	}
	for i, g := range gs {
		s.handled(g)
		gs[i] = group{}
	}
	sh.inTake = gs[:0]
	if sh.closed {
		return false
	}
	if !read {
		now = s.Now()
	}
	// The time the datagrams were handled at: the timers re-armed from
	// it run late by the handling's microseconds at most, and a clock
	// read per batch is saved (round trips of small messages read it
	// often).
	return s.settleShardLocked(sh, now)
}

// handled counts g as handled: its batch goes back to the transport, and
// to its reader, with its last group.
func (s *Stack) handled(g group) {
	b := g.b
	clear(g.msgs)
	if b.left.Add(-1) > 0 {
		return
	}
	for k := range b.groups {
		b.groups[k] = b.groups[k][:0]
	}
	s.conn.ReleaseBatch(b.msgs[:b.n])
	b.n = 0
	b.free <- b // never blocks: a reader's batches fit its channel
}

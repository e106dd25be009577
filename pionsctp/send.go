package sctp

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"time"

	"github.com/gensctp/gensctp/api"
)

// outItem is a write or a stream reset, queued for the send goroutine.
type outItem struct {
	s     *Stream
	data  []byte
	info  api.SndRcvInfo
	reset bool
	// done (BlockWrite only) gets the outcome; state is queued, taken or
	// canceled (the writer's deadline passed first). deadline is the
	// writer's write deadline (zero: none), which also ends the send of
	// a message taken.
	done     chan error
	deadline time.Time
	state    atomic.Int32
	gen      uint64 // the association's restarts when queued
}

// The states of an outItem.
const (
	itemQueued int32 = iota
	itemTaken
	itemCanceled
)

// wait waits for the outcome of a blocking write, or deadline (zero:
// none).
func (it *outItem) wait() (int, error) {
	var timeout <-chan time.Time
	if !it.deadline.IsZero() {
		t := time.NewTimer(time.Until(it.deadline))
		defer t.Stop()
		timeout = t.C
	}
	select {
	case err := <-it.done:
		return it.result(err)
	case <-timeout:
		if it.state.CompareAndSwap(itemQueued, itemCanceled) {
			it.s.release(len(it.data), false)
			return 0, os.ErrDeadlineExceeded
		}
		return it.result(<-it.done)
	}
}

// result is what a blocking write returns for the send's err.
func (it *outItem) result(err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return len(it.data), nil
}

// enqueue queues it for the send goroutine.
func (a *Association) enqueue(it *outItem) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ended {
		if it.reset {
			return ErrResetPacketInStateNotExist
		}
		return ErrPayloadDataStateNotExist
	}
	it.gen = a.gen
	a.sendq = append(a.sendq, it)
	a.queuedOut.Add(int64(len(it.data)))
	a.cond.Broadcast()
	return nil
}

// next waits for the next item to send; nil once the association ended.
func (a *Association) next() *outItem {
	a.mu.Lock()
	defer a.mu.Unlock()
	for len(a.sendq) == 0 && !a.ended {
		a.cond.Wait()
	}
	if a.ended {
		return nil
	}
	it := a.sendq[0]
	a.sendq[0] = nil
	a.sendq = a.sendq[1:]
	return it
}

// sendLoop hands the writes to the socket in the order they were made
// (waiting while its send buffer is full) and asks for the stream resets
// of Close in that order too, so that a reset follows the stream's data.
func (a *Association) sendLoop() {
	defer a.wg.Done()
	defer a.dropQueue()
	for {
		it := a.next()
		if it == nil {
			return
		}
		if it.reset {
			a.requestReset(it.s.id)
			continue
		}
		if !it.state.CompareAndSwap(itemQueued, itemTaken) {
			a.queuedOut.Add(int64(-len(it.data)))
			continue // its blocking writer gave up
		}
		err := a.sendOne(it)
		a.queuedOut.Add(int64(-len(it.data)))
		if err == nil {
			a.sent.Add(uint64(len(it.data)))
		}
		if err != nil && it.done == nil && a.ctx.Err() == nil && !errors.Is(err, ErrAssociationRestarted) {
			a.log.Warnf("[%s] stream %d: message of %d bytes not sent: %v", a.cfg.Name, it.s.id, len(it.data), err)
			it.s.failed(err)
		}
		it.s.release(len(it.data), true)
		if it.done != nil {
			it.done <- err
		}
	}
}

// resetPoll is how often a write to a stream whose reset is in progress
// is tried again (a stream id opened again before its reset completed).
const resetPoll = 5 * time.Millisecond

// sendOne sends one message, waiting for the reset of its stream id to
// complete if one is pending or in progress (the stream opened again).
func (a *Association) sendOne(it *outItem) error {
	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	if !it.deadline.IsZero() {
		ctx, cancel = context.WithDeadline(ctx, it.deadline)
		defer cancel()
	}
	a.mu.Lock()
	if it.gen != a.gen {
		a.mu.Unlock()
		return ErrAssociationRestarted
	}
	a.sending = cancel // the peer's restart cancels the send
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.sending = nil
		a.mu.Unlock()
	}()
	for a.resetHeld(it.s.id) {
		select {
		case <-ctx.Done():
			return a.sendCanceled(it)
		case <-time.After(resetPoll):
		}
	}
	for {
		err := a.sock.SendInfoContext(ctx, it.info, it.data)
		if ctx.Err() != nil && a.ctx.Err() == nil {
			return a.sendCanceled(it) // the writer's deadline, a restart
		}
		if !isResetting(err) {
			return err
		}
		select {
		case <-ctx.Done():
			if a.ctx.Err() == nil {
				return a.sendCanceled(it)
			}
			return err
		case <-time.After(resetPoll):
		}
	}
}

// sendCanceled is the error of the send of it whose wait ended: the
// peer's restart, the end of the association or the blocking writer's
// deadline.
func (a *Association) sendCanceled(it *outItem) error {
	a.mu.Lock()
	restarted := it.gen != a.gen
	a.mu.Unlock()
	switch {
	case restarted:
		return ErrAssociationRestarted
	case a.ctx.Err() != nil:
		return ErrPayloadDataStateNotExist
	}
	return os.ErrDeadlineExceeded
}

// dropQueue fails what is left in the send queue once the association
// ended.
func (a *Association) dropQueue() {
	a.mu.Lock()
	q := a.sendq
	a.sendq = nil
	a.mu.Unlock()
	a.failItems(q, ErrPayloadDataStateNotExist, false)
}

// failItems fails the writes of q, not sent, with err: blocking writers
// get it, the buffered amounts fall (with OnBufferedAmountLow when
// notify).
func (a *Association) failItems(q []*outItem, err error, notify bool) {
	for _, it := range q {
		if it.reset || !it.state.CompareAndSwap(itemQueued, itemTaken) {
			continue
		}
		a.queuedOut.Add(int64(-len(it.data)))
		it.s.release(len(it.data), notify)
		if it.done != nil {
			it.done <- err
		}
	}
}

// waitSent waits until the writes queued were handed to the socket.
func (a *Association) waitSent(ctx context.Context) error {
	for a.queuedOut.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-a.ctx.Done():
			return ErrAssociationClosed
		case <-time.After(resetPoll):
		}
	}
	return nil
}

// notify runs f, an OnBufferedAmountLow callback, after those before it,
// on a goroutine that ends once none is left.
func (a *Association) notify(f func()) {
	a.mu.Lock()
	a.notifyq = append(a.notifyq, f)
	start := !a.notifying
	a.notifying = true
	a.mu.Unlock()
	if start {
		go a.runNotify()
	}
}

// runNotify runs the callbacks queued until none is left.
func (a *Association) runNotify() {
	for {
		a.mu.Lock()
		if len(a.notifyq) == 0 {
			a.notifying = false
			a.mu.Unlock()
			return
		}
		f := a.notifyq[0]
		a.notifyq[0] = nil
		a.notifyq = a.notifyq[1:]
		a.mu.Unlock()
		f()
	}
}

package udpencap

import (
	"container/heap"
	"time"
)

// delayed is a datagram held back by a hook: a received one (in) or one to
// send through sock (out).
type delayed struct {
	when time.Time
	seq  uint64
	in   Message
	out  OutMessage
	sock *socket
}

// delayQueue holds the delayed datagrams of a Conn in due order. The Conn's
// dmu guards it (not mu, which Unbind holds while it closes a socket whose
// reader may be delaying a datagram); one timer goroutine, started with
// the first delay and stopped by Close, releases them.
type delayQueue struct {
	items delayHeap
	seq   uint64
	wake  chan struct{}
}

type delayHeap []delayed

func (h delayHeap) Len() int { return len(h) }
func (h delayHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].seq < h[j].seq
}
func (h delayHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *delayHeap) Push(x any)   { *h = append(*h, x.(delayed)) }
func (h *delayHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// delay schedules d after the duration dur. After Close it drops d.
func (c *Conn) delay(dur time.Duration, d delayed) {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	if c.closed.Load() {
		return
	}
	if c.delays == nil {
		c.delays = &delayQueue{wake: make(chan struct{}, 1)}
		c.wg.Add(1)
		go c.delayLoop(c.delays)
	}
	q := c.delays
	d.when = time.Now().Add(dur)
	d.seq = q.seq
	q.seq++
	heap.Push(&q.items, d)
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// delayLoop is the timer goroutine: it releases due datagrams until Close.
func (c *Conn) delayLoop(q *delayQueue) {
	defer c.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		c.dmu.Lock()
		var due []delayed
		now := time.Now()
		for len(q.items) > 0 && !q.items[0].when.After(now) {
			due = append(due, heap.Pop(&q.items).(delayed))
		}
		wait := time.Hour
		if len(q.items) > 0 {
			wait = q.items[0].when.Sub(now)
		}
		c.dmu.Unlock()
		for i := range due {
			c.release(&due[i])
		}
		t.Reset(wait)
		select {
		case <-t.C:
		case <-q.wake:
		case <-c.done:
			return
		}
	}
}

// release delivers or sends one delayed datagram.
func (c *Conn) release(d *delayed) {
	if d.sock == nil {
		c.inject([]Message{d.in})
		return
	}
	_ = d.sock.writeOne(&d.out) // a failed delayed send is a lost datagram
}

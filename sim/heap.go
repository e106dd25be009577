package sim

import "github.com/gensctp/gensctp/timer"

// inflight is one scheduled datagram.
type inflight struct {
	d    Datagram
	link *link
}

// heapKey orders the in-flight datagrams: by arrival time, then by their
// link's tie (see link.tie), then by scheduling order. It points at the
// datagram's slot.
type heapKey struct {
	at   timer.Time
	tie  uint64
	seq  uint64
	slot int
}

func (k heapKey) before(o heapKey) bool {
	if k.at != o.at {
		return k.at < o.at
	}
	if k.tie != o.tie {
		return k.tie < o.tie
	}
	return k.seq < o.seq
}

// inflightQueue holds the scheduled datagrams: the datagrams themselves
// in a slab of reusable slots, and a binary min-heap of small keys, so
// that sifting moves 32 bytes rather than whole datagrams and scheduling
// allocates nothing once the slab and the heap have grown to their working
// size. The heap is written out rather than built on container/heap, whose
// interface-typed Push and Pop would allocate for every value.
//
// Most simulations schedule arrivals in non-decreasing order (a constant
// delay without jitter or reordering). Such keys go to a FIFO instead of
// the heap, which makes push and pop O(1); pop takes the earlier of the
// FIFO's head and the heap's top, so the order is the same.
type inflightQueue struct {
	slots []inflight
	free  []int // indices of unused slots
	heap  []heapKey
	fifo  []heapKey // ring of keys in non-decreasing order; len is a power of two
	head  int       // index of the FIFO's first key
	n     int       // keys in the FIFO
}

// len returns the number of datagrams in flight.
func (q *inflightQueue) len() int { return len(q.heap) + q.n }

// fifoAt returns the i-th key of the FIFO.
func (q *inflightQueue) fifoAt(i int) heapKey { return q.fifo[(q.head+i)&(len(q.fifo)-1)] }

// fifoPush appends key to the FIFO, growing the ring when full.
func (q *inflightQueue) fifoPush(key heapKey) {
	if q.n == len(q.fifo) {
		nb := make([]heapKey, max(16, 2*len(q.fifo)))
		for i := 0; i < q.n; i++ {
			nb[i] = q.fifoAt(i)
		}
		q.fifo, q.head = nb, 0
	}
	q.fifo[(q.head+q.n)&(len(q.fifo)-1)] = key
	q.n++
}

// push schedules e with the given scheduling order.
func (q *inflightQueue) push(e inflight, seq uint64) {
	var slot int
	if k := len(q.free); k > 0 {
		slot = q.free[k-1]
		q.free = q.free[:k-1]
		q.slots[slot] = e
	} else {
		slot = len(q.slots)
		q.slots = append(q.slots, e)
	}
	key := heapKey{at: e.d.At, tie: e.link.tie, seq: seq, slot: slot}
	if q.n == 0 || !key.before(q.fifoAt(q.n-1)) {
		q.fifoPush(key)
		return
	}
	q.heap = append(q.heap, key)
	h := q.heap
	i := len(h) - 1
	for i > 0 { // sift the hole up, then fill it
		p := (i - 1) / 2
		if !key.before(h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = key
}

// peek returns the arrival time of the earliest datagram, or timer.Never.
func (q *inflightQueue) peek() timer.Time {
	t := timer.Never
	if len(q.heap) > 0 {
		t = q.heap[0].at
	}
	if q.n > 0 && q.fifoAt(0).at < t {
		t = q.fifoAt(0).at
	}
	return t
}

// pop removes and returns the earliest datagram; q must not be empty.
func (q *inflightQueue) pop() inflight {
	if q.n > 0 && (len(q.heap) == 0 || q.fifoAt(0).before(q.heap[0])) {
		top := q.fifoAt(0)
		q.head = (q.head + 1) & (len(q.fifo) - 1)
		q.n--
		return q.take(top.slot)
	}
	return q.take(q.popHeap().slot)
}

// take empties slot and returns what it held.
func (q *inflightQueue) take(slot int) inflight {
	e := q.slots[slot]
	q.slots[slot] = inflight{} // drop references for the garbage collector
	q.free = append(q.free, slot)
	return e
}

// popHeap removes and returns the heap's top key.
func (q *inflightQueue) popHeap() heapKey {
	h := q.heap
	top := h[0]
	last := h[len(h)-1]
	h = h[:len(h)-1]
	q.heap = h
	if len(h) > 0 { // sift the hole at the root down, then put last in it
		i := 0
		for {
			c := 2*i + 1
			if c >= len(h) {
				break
			}
			if r := c + 1; r < len(h) && h[r].before(h[c]) {
				c = r
			}
			if !h[c].before(last) {
				break
			}
			h[i] = h[c]
			i = c
		}
		h[i] = last
	}
	return top
}

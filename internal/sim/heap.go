package sim

import "github.com/gensctp/gensctp/timer"

// inflight is one scheduled datagram.
type inflight struct {
	d    Datagram
	link *link
}

// heapKey orders the in-flight datagrams: by arrival time, then by
// scheduling order. It points at the datagram's slot.
type heapKey struct {
	at   timer.Time
	seq  uint64
	slot int
}

func (k heapKey) before(o heapKey) bool {
	if k.at != o.at {
		return k.at < o.at
	}
	return k.seq < o.seq
}

// inflightQueue holds the scheduled datagrams: the datagrams themselves
// in a slab of reusable slots, and a binary min-heap of small keys, so
// that sifting moves 24 bytes rather than whole datagrams and scheduling
// allocates nothing once the slab and the heap have grown to their working
// size. The heap is written out rather than built on container/heap, whose
// interface-typed Push and Pop would allocate for every value.
type inflightQueue struct {
	slots []inflight
	free  []int // indices of unused slots
	heap  []heapKey
}

// len returns the number of datagrams in flight.
func (q *inflightQueue) len() int { return len(q.heap) }

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
	key := heapKey{at: e.d.At, seq: seq, slot: slot}
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
	if len(q.heap) == 0 {
		return timer.Never
	}
	return q.heap[0].at
}

// pop removes and returns the earliest datagram; q must not be empty.
func (q *inflightQueue) pop() inflight {
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
	e := q.slots[top.slot]
	q.slots[top.slot] = inflight{} // drop references for the garbage collector
	q.free = append(q.free, top.slot)
	return e
}

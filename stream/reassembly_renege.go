package stream

import (
	"container/heap"

	"github.com/gensctp/gensctp/chunk"
)

// heldRuns is a heap (container/heap) of the runs Renege may drop, the
// run with the highest last TSN on top. A run is in it while it holds
// chunks that are neither queued for delivery nor part of a partial
// delivery (see hold): the fragments of an incomplete message, or a
// complete message that waits for an earlier SSN of its stream or behind
// a partial delivery. Each run knows its place (run.hpos), so that it
// leaves in O(log n).
type heldRuns []*run

func (h heldRuns) Len() int           { return len(h) }
func (h heldRuns) Less(i, j int) bool { return h[i].last.GT(h[j].last) }

func (h heldRuns) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hpos, h[j].hpos = i+1, j+1
}

func (h *heldRuns) Push(v any) {
	x := v.(*run)
	*h = append(*h, x)
	x.hpos = len(*h)
}

func (h *heldRuns) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	x.hpos = 0
	return x
}

// hold updates the place of x in Reassembly.held after x changed: in it
// while it is neither queued for delivery nor under partial delivery,
// ordered by its last TSN. That TSN only grows while x is there: on top
// (as a message received in order is), x stays there.
func (r *Reassembly) hold(x *run) {
	switch {
	case x.queued || x.pd:
		r.unhold(x)
	case x.hpos == 0:
		heap.Push(&r.held, x)
	case x.hpos > 1:
		heap.Fix(&r.held, x.hpos-1)
	}
}

// unhold takes x out of Reassembly.held, if it is there.
func (r *Reassembly) unhold(x *run) {
	if x.hpos > 0 {
		heap.Remove(&r.held, x.hpos-1)
	}
}

// dropData frees the user data x holds, which no longer counts in
// Buffered and Chunks.
func (r *Reassembly) dropData(x *run) {
	r.chunks -= x.nchunks
	if r.idata {
		r.dropIData(x)
		return
	}
	if x.begun {
		r.buffered -= len(x.buf)
		r.bufs().Put(x.buf)
		x.buf = nil
		return
	}
	r.buffered -= x.bytes
	for f := x.head; f != nil; {
		next := f.next
		r.freeFrag(f)
		f = next
	}
	x.head, x.tail = nil, nil
}

// Renege drops the held chunks with the highest TSNs, one run at a time:
// the run of consecutive TSNs of one message with the highest last TSN
// among those held for reassembly or reordering, if all its TSNs are
// above after and none is above upTo. It returns the first and last TSN
// of the run dropped, whose user data no longer counts in Buffered and
// Chunks; ok is false, and nothing changes, if there is no such run.
//
// This is the reneging of RFC 9260 Section 6.2: "If the new incoming DATA
// chunk holds a TSN value less than the largest TSN received so far, then
// the receiver SHOULD drop the largest TSN held for reordering and accept
// the new incoming DATA chunk." and "the data receiver MAY drop DATA
// chunks that it has received but has not released from its receive
// buffers (i.e., delivered to the ULP)". The association passes after,
// the TSN of the chunk it makes room for (at least its Cumulative TSN Ack
// Point: data acknowledged cumulatively cannot be dropped), forgets the
// TSNs dropped and takes them again when the peer retransmits them: Add
// accepts them as if they had never arrived. What Pop can return (a
// message queued for delivery, a piece of a partial delivery) is never
// dropped, nor is a message under partial delivery, part of which the
// user has seen. A message waiting in the delivery queue behind a partial
// delivery (fragment interleave level 0 or 1) is not dropped either.
//
// Dropping a complete unordered message that waits behind a partial
// delivery changes the order in which the others waiting there are
// delivered; unordered messages have no order to keep (RFC 9260 Section
// 3.3.1).
func (r *Reassembly) Renege(after, upTo chunk.TSN) (first, last chunk.TSN, ok bool) {
	if r == nil || len(r.held) == 0 {
		return 0, 0, false
	}
	x := r.held[0]
	if !x.first.GT(after) || x.last.GT(upTo) {
		return 0, 0, false
	}
	r.unhold(x)
	first, last = x.first, x.last
	r.dropData(x)
	if r.byLast[x.last] == x { // incomplete
		delete(r.byLast, x.last)
		delete(r.byFirst, x.first)
	}
	s := r.streams.get(x.stream)
	switch {
	case !x.begun:
	case !x.unordered:
		// An incomplete message tracked by SSN, or a complete one that
		// waits for an earlier SSN.
		if key := orderedKey(x.stream, x.ssn); r.ordered[key] == x {
			delete(r.ordered, key)
		}
	case x.lastE:
		dropAt(&s.held, x) // complete, behind the stream's partial delivery
	default:
		r.untrack(s, x)
	}
	r.freeRun(x)
	if s != nil {
		r.settle(s)
	}
	return first, last, true
}

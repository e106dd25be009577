package stream

import (
	"container/heap"

	"github.com/gensctp/gensctp/chunk"
)

// The Priority, FairBandwidth and WeightedFairQueueing schedulers keep
// the streams with data in a binary heap (SendQueue.heap), ordered by
// priority or virtual time, then by the turn they joined it: O(log n) a
// fragment, and no allocation once the heap has grown.

// vtUnit is the virtual time of one byte served at weight 1: a weight w
// advances a stream's virtual time by vtUnit/w a byte, so every weight
// up to 65535 advances it.
const vtUnit = 1 << 16

// SetStreamValue sets the per-stream value of outbound stream id that
// the current scheduler uses (RFC 8260 Section 4.3.3,
// SCTP_STREAM_SCHEDULER_VALUE): the priority for Priority (0, the
// default, is the highest), the weight for WeightedFairQueueing (1 by
// default; 0 fails with ErrInvalidStreamValue). The other schedulers
// have none and ignore it ("It is ignored when the scheduler does not
// need additional information."). Priorities and weights are kept apart,
// so each survives a switch to the other scheduler. It fails with
// ErrInvalidStream if id is not below the number of streams. It may
// allocate the stream's state.
func (q *SendQueue) SetStreamValue(id chunk.StreamID, v uint16) error {
	if int(id) >= q.numStreams {
		return ErrInvalidStream
	}
	if !q.sched.HasStreamValue() {
		return nil
	}
	if q.sched == WeightedFairQueueing && v == 0 {
		return ErrInvalidStreamValue
	}
	s, created := q.streams.getOrCreate(id)
	if created {
		s.id = id
	}
	if q.sched == Priority {
		s.prio = v
	} else {
		s.weight = v
	}
	if s.inReady {
		q.heapRemove(s)
		q.heapPush(s)
	}
	return nil
}

// ClearStreamValues sets the priority and the weight of every outbound
// stream back to their defaults (0 and 1, see SetStreamValue), for a
// caller that sets the values anew.
func (q *SendQueue) ClearStreamValues() {
	q.streams.each(0, func(_ chunk.StreamID, s *sendStream) { s.prio, s.weight = 0, 0 })
	if len(q.heap.s) > 1 {
		q.heap.byPrio = q.sched == Priority
		heap.Init(&q.heap)
	}
}

// StreamValue returns the per-stream value of outbound stream id that the
// current scheduler uses (see SetStreamValue), 0 for a scheduler without
// one. It fails with ErrInvalidStream if id is not below the number of
// streams.
func (q *SendQueue) StreamValue(id chunk.StreamID) (uint16, error) {
	if int(id) >= q.numStreams {
		return 0, ErrInvalidStream
	}
	s := q.streams.get(id)
	switch q.sched {
	case Priority:
		if s != nil {
			return s.prio, nil
		}
	case WeightedFairQueueing:
		if s != nil && s.weight != 0 {
			return s.weight, nil
		}
		return 1, nil
	}
	return 0, nil
}

// charge advances the virtual time of s by n bytes served (FairBandwidth
// and WeightedFairQueueing).
func (q *SendQueue) charge(s *sendStream, n int) {
	w := uint64(1)
	if q.sched == WeightedFairQueueing && s.weight != 0 {
		w = uint64(s.weight)
	}
	s.vt += uint64(n) * vtUnit / w
}

// heapJoin puts s, which has data, into the heap: a stream that was idle
// starts from the virtual time of the last stream picked, so that no
// stream saves up credit while it has nothing to send.
func (q *SendQueue) heapJoin(s *sendStream) {
	if int64(s.vt-q.vnow) < 0 {
		s.vt = q.vnow
	}
	s.turn = q.turns
	q.turns++
	q.heapPush(s)
}

// streamHeap is the heap of the Priority, FairBandwidth and
// WeightedFairQueueing schedulers, for container/heap.
type streamHeap struct {
	s      []*sendStream
	byPrio bool // Priority; else by virtual time
}

// Len implements heap.Interface.
func (h *streamHeap) Len() int { return len(h.s) }

// Less reports whether stream i goes before stream j: the higher
// priority (lower value), or the smaller virtual time (serial
// comparison), then the earlier turn.
func (h *streamHeap) Less(i, j int) bool {
	a, b := h.s[i], h.s[j]
	if h.byPrio {
		if a.prio != b.prio {
			return a.prio < b.prio
		}
	} else if a.vt != b.vt {
		return int64(a.vt-b.vt) < 0
	}
	return a.turn < b.turn
}

// Swap implements heap.Interface.
func (h *streamHeap) Swap(i, j int) {
	h.s[i], h.s[j] = h.s[j], h.s[i]
	h.s[i].hidx, h.s[j].hidx = i, j
}

// Push implements heap.Interface.
func (h *streamHeap) Push(x any) {
	s := x.(*sendStream)
	s.hidx = len(h.s)
	h.s = append(h.s, s)
}

// Pop implements heap.Interface.
func (h *streamHeap) Pop() any {
	n := len(h.s) - 1
	s := h.s[n]
	h.s[n] = nil
	h.s = h.s[:n]
	return s
}

// heapPush adds s to the heap.
func (q *SendQueue) heapPush(s *sendStream) {
	q.heap.byPrio = q.sched == Priority
	heap.Push(&q.heap, s)
}

// heapPop removes and returns the first stream of the heap, or nil.
func (q *SendQueue) heapPop() *sendStream {
	if len(q.heap.s) == 0 {
		return nil
	}
	return heap.Pop(&q.heap).(*sendStream)
}

// heapRemove takes s out of the heap.
func (q *SendQueue) heapRemove(s *sendStream) { heap.Remove(&q.heap, s.hidx) }

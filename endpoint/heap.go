package endpoint

import "github.com/gensctp/gensctp/timer"

// deadlineHeap is a binary min-heap of associations keyed by their next
// deadline, so that NextDeadline is O(1) and HandleTimeout touches only the
// associations that are due, however many are idle. Each entry records its
// index (heapIdx, -1 when absent) so that a changed deadline is fixed in
// O(log n). An idle association has one entry, for its heartbeat (RFC
// 9260 Section 8.3: one HEARTBEAT per HB.interval plus an RTO on an idle
// path), none with heartbeats off: the cost of an idle association is an
// O(log n) move in this heap per heartbeat, no goroutine and no runtime
// timer (TestIdleAssociationTimers).
type deadlineHeap struct {
	h []*entry
}

func (q *deadlineHeap) len() int { return len(q.h) }

// next returns the earliest deadline, or timer.Never.
func (q *deadlineHeap) next() timer.Time {
	if len(q.h) == 0 {
		return timer.Never
	}
	return q.h[0].deadline
}

// set moves en to deadline d: it is added, moved or (for timer.Never)
// removed.
func (q *deadlineHeap) set(en *entry, d timer.Time) {
	switch {
	case d == timer.Never:
		if en.heapIdx >= 0 {
			q.remove(en)
		}
		en.deadline = d
	case en.heapIdx < 0:
		en.deadline = d
		en.heapIdx = len(q.h)
		q.h = append(q.h, en)
		q.up(en.heapIdx)
	case d != en.deadline:
		old := en.deadline
		en.deadline = d
		if d < old {
			q.up(en.heapIdx)
		} else {
			q.down(en.heapIdx)
		}
	}
}

// popDue removes and returns the entry with the earliest deadline if it is
// at or before now.
func (q *deadlineHeap) popDue(now timer.Time) *entry {
	if len(q.h) == 0 || q.h[0].deadline > now {
		return nil
	}
	en := q.h[0]
	q.remove(en)
	return en
}

func (q *deadlineHeap) remove(en *entry) {
	i := en.heapIdx
	last := len(q.h) - 1
	if i != last {
		q.swap(i, last)
	}
	q.h[last] = nil
	q.h = shrunk(q.h[:last])
	en.heapIdx = -1
	if i < last {
		q.down(i)
		q.up(i)
	}
}

func (q *deadlineHeap) less(i, j int) bool {
	a, b := q.h[i], q.h[j]
	if a.deadline != b.deadline {
		return a.deadline < b.deadline
	}
	return a.id < b.id // deterministic order among equal deadlines
}

func (q *deadlineHeap) swap(i, j int) {
	q.h[i], q.h[j] = q.h[j], q.h[i]
	q.h[i].heapIdx = i
	q.h[j].heapIdx = j
}

func (q *deadlineHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			return
		}
		q.swap(i, p)
		i = p
	}
}

func (q *deadlineHeap) down(i int) {
	n := len(q.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && q.less(r, l) {
			m = r
		}
		if !q.less(m, i) {
			return
		}
		q.swap(i, m)
		i = m
	}
}

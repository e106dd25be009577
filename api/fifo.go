package api

// fifo is a FIFO queue in a ring buffer whose length is a power of two. It
// allocates only to grow.
type fifo[T any] struct {
	buf  []T
	head int
	n    int
}

func (q *fifo[T]) len() int { return q.n }

func (q *fifo[T]) grow() {
	nb := make([]T, max(8, 2*len(q.buf)))
	for i := 0; i < q.n; i++ {
		nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = nb, 0
}

func (q *fifo[T]) push(v T) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = v
	q.n++
}

// pushFront puts v before the first element.
func (q *fifo[T]) pushFront(v T) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.head = (q.head - 1) & (len(q.buf) - 1)
	q.buf[q.head] = v
	q.n++
}

// peek returns the first element without removing it.
func (q *fifo[T]) peek() (T, bool) {
	if q.n == 0 {
		var zero T
		return zero, false
	}
	return q.buf[q.head], true
}

func (q *fifo[T]) pop() (T, bool) {
	var zero T
	if q.n == 0 {
		return zero, false
	}
	v := q.buf[q.head]
	q.buf[q.head] = zero
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return v, true
}

// filter keeps the elements for which keep returns true, in order.
func (q *fifo[T]) filter(keep func(T) bool) {
	n := q.n
	for range n {
		v, _ := q.pop()
		if keep(v) {
			q.push(v)
		}
	}
}

// clear drops every element.
func (q *fifo[T]) clear() {
	for q.n > 0 {
		q.pop()
	}
}

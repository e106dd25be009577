package endpoint

// fifo is a FIFO queue in a ring buffer whose length is a power of two. It
// allocates only to grow, and to shrink (see minShrink) once mostly empty.
type fifo[T any] struct {
	buf  []T
	head int
	n    int
}

func (q *fifo[T]) len() int { return q.n }

func (q *fifo[T]) push(v T) {
	if q.n == len(q.buf) {
		q.resize(max(8, 2*len(q.buf)))
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = v
	q.n++
}

// peek returns the first element; the queue must not be empty.
func (q *fifo[T]) peek() T { return q.buf[q.head] }

// at returns the i-th element from the front.
func (q *fifo[T]) at(i int) *T { return &q.buf[(q.head+i)&(len(q.buf)-1)] }

func (q *fifo[T]) pop() (T, bool) {
	var zero T
	if q.n == 0 {
		return zero, false
	}
	v := q.buf[q.head]
	q.buf[q.head] = zero
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	if len(q.buf) >= minShrink && q.n <= len(q.buf)/4 {
		q.resize(len(q.buf) / 2)
	}
	return v, true
}

// resize moves the elements to a new buffer of n elements, a power of
// two at least q.len().
func (q *fifo[T]) resize(n int) {
	nb := make([]T, n)
	for i := 0; i < q.n; i++ {
		nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = nb, 0
}

package stream

// ring is a growable FIFO over a power-of-two slice. It allocates only when
// it grows past its largest size so far, so a queue in steady state pushes
// and pops without allocating.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

// len returns the number of queued elements.
func (r *ring[T]) len() int { return r.n }

// push appends v at the back.
func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = v
	r.n++
}

// grow doubles the capacity, keeping the order.
func (r *ring[T]) grow() {
	size := 2 * len(r.buf)
	if size == 0 {
		size = 8
	}
	buf := make([]T, size)
	for i := range r.n {
		buf[i] = r.at(i)
	}
	r.buf, r.head = buf, 0
}

// at returns the i-th element from the front; i must be below len.
func (r *ring[T]) at(i int) T { return r.buf[(r.head+i)&(len(r.buf)-1)] }

// front returns the front element, or the zero value when empty.
func (r *ring[T]) front() (T, bool) {
	if r.n == 0 {
		var zero T
		return zero, false
	}
	return r.buf[r.head], true
}

// pop removes and returns the front element.
func (r *ring[T]) pop() (T, bool) {
	var zero T
	if r.n == 0 {
		return zero, false
	}
	v := r.buf[r.head]
	r.buf[r.head] = zero // drop the reference for the garbage collector
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	return v, true
}

// filter keeps, in order, the elements for which keep returns true, and
// returns how many it removed. It runs in O(len).
func (r *ring[T]) filter(keep func(T) bool) int {
	var zero T
	w := 0
	for i := range r.n {
		v := r.at(i)
		if keep(v) {
			r.buf[(r.head+w)&(len(r.buf)-1)] = v
			w++
		}
	}
	for i := w; i < r.n; i++ {
		r.buf[(r.head+i)&(len(r.buf)-1)] = zero
	}
	removed := r.n - w
	r.n = w
	return removed
}

// reset empties the ring, keeping its storage.
func (r *ring[T]) reset() {
	clear(r.buf)
	r.head, r.n = 0, 0
}

// filterNth removes the k-th (from 0) occurrence of v in r, if any.
func filterNth[T comparable](r *ring[T], v T, k int) {
	n := 0
	r.filter(func(x T) bool {
		if x != v {
			return true
		}
		n++
		return n-1 != k
	})
}

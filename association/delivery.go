package association

// deliveryQueue is a FIFO of deliveries in a ring buffer whose length is
// a power of two.
type deliveryQueue struct {
	buf  []Delivery
	head int
	n    int
}

func (q *deliveryQueue) len() int { return q.n }

func (q *deliveryQueue) push(d Delivery) {
	if q.n == len(q.buf) {
		nb := make([]Delivery, max(8, 2*len(q.buf)))
		for i := 0; i < q.n; i++ {
			nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = d
	q.n++
}

func (q *deliveryQueue) pop() (Delivery, bool) {
	if q.n == 0 {
		return Delivery{}, false
	}
	d := q.buf[q.head]
	q.buf[q.head] = Delivery{}
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return d, true
}

// pushEvent queues an event for Poll.
func (a *Association) pushEvent(e Event) { a.pending.push(Delivery{Event: e}) }

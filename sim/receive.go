package sim

import "github.com/gensctp/gensctp/timer"

// NextArrival returns the arrival time of the earliest datagram in flight,
// or timer.Never if nothing is in flight.
func (n *Network) NextArrival() timer.Time { return n.inflight.peek() }

// Receive removes and returns the earliest datagram whose arrival time is
// at or before now; datagrams arriving at the same time come out in the
// order they were scheduled (with IsolateLinks, those of one link so, the
// links in an order fixed by their addresses). It returns false if no
// datagram has arrived by now. The caller owns d.Data (see Recycle).
func (n *Network) Receive(now timer.Time) (d Datagram, ok bool) {
	if n.inflight.len() == 0 || n.inflight.peek() > now {
		return Datagram{}, false
	}
	e := n.inflight.pop()
	size := uint64(len(e.d.Data))
	for _, s := range [...]*Stats{&n.stats, &e.link.stats} {
		s.Delivered++
		s.DeliveredBytes += size
		s.InFlight--
	}
	n.recordDelivery(&e.d)
	return e.d, true
}

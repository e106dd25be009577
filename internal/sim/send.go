package sim

import (
	"time"

	"github.com/gensctp/gensctp/timer"
)

// Send puts a copy of b on the link from → to at time now: it runs the
// filters, applies the link's configuration (see the package doc for the
// order) and schedules the arrival, or drops the datagram and counts why.
// Send does not retain b. Datagrams larger than MaxDatagram are dropped as
// MTU drops without being copied.
//
// Send never fails: like a UDP send, losing a datagram is not an error.
// Nothing bounds the number of datagrams in flight except the links'
// QueueLimit; a caller that never calls Receive grows the network.
func (n *Network) Send(now timer.Time, from, to Addr, b []byte) {
	// The datagram lives in n.cur rather than on the stack: filters get a
	// pointer to it, which would otherwise move it to the heap.
	n.cur = Datagram{From: from, To: to, Sent: now}
	n.send(now, b, &n.cur)
	n.cur = Datagram{}
}

// send is Send on the scratch datagram d.
func (n *Network) send(now timer.Time, b []byte, d *Datagram) {
	from, to := d.From, d.To
	n.stats.Sent++
	n.stats.SentBytes += uint64(len(b))
	if len(b) > MaxDatagram {
		l := n.link(from, to)
		l.stats.Sent++
		l.stats.SentBytes += uint64(len(b))
		n.drop(l, DropMTU, d)
		return
	}
	d.Data = n.copyBuf(b)
	if n.trace != nil {
		n.trace(Event{Kind: EventSent, Datagram: *d})
	}
	hold, dropped := n.runFilters(d)
	l := n.link(d.From, d.To) // a filter may have rewritten the addresses
	l.stats.Sent++
	l.stats.SentBytes += uint64(len(b))
	if dropped {
		n.drop(l, DropFilter, d)
		return
	}
	if hold > 0 {
		for _, s := range n.counters(l) {
			s.Delayed++
		}
	}
	c := *n.config(l)
	depart, ok := n.traverse(now, l, &c, d)
	if !ok {
		return
	}
	n.schedule(l, &c, depart, hold, *d, false)
	if c.Duplicate > 0 && n.rng.Float64() < c.Duplicate {
		d.Data = n.copyBuf(d.Data)
		for _, s := range n.counters(l) {
			s.Duplicated++
		}
		n.schedule(l, &c, depart, hold, *d, true)
	}
}

// traverse applies Down, the MTU, loss, corruption and the bandwidth
// bottleneck to d, and returns the time d leaves the bottleneck, or false
// if d was dropped.
func (n *Network) traverse(now timer.Time, l *link, c *LinkConfig, d *Datagram) (timer.Time, bool) {
	size := len(d.Data)
	switch {
	case c.Down:
		n.drop(l, DropDown, d)
		return 0, false
	case size > MaxDatagram || (c.MTU > 0 && size > c.MTU):
		n.drop(l, DropMTU, d)
		return 0, false
	case c.Loss > 0 && n.rng.Float64() < c.Loss:
		n.drop(l, DropLoss, d)
		return 0, false
	}
	if c.Corrupt > 0 && size > 0 && n.rng.Float64() < c.Corrupt {
		n.corrupt(d.Data)
		for _, s := range n.counters(l) {
			s.Corrupted++
		}
	}
	if c.Bandwidth <= 0 {
		return now, true
	}
	start := max(now, l.busyUntil)
	tx := serialization(size, c.Bandwidth)
	if c.QueueLimit > 0 && start.Sub(now)+tx > serialization(c.QueueLimit, c.Bandwidth) {
		n.drop(l, DropQueue, d)
		return 0, false
	}
	l.busyUntil = start.Add(tx)
	return l.busyUntil, true
}

// corrupt flips 1 to 3 distinct random bits of b (len(b) > 0).
func (n *Network) corrupt(b []byte) {
	nbits := uint64(len(b)) * 8
	var flipped [3]uint64
	k := min(1+n.rng.IntN(3), int(nbits))
	for i := 0; i < k; i++ {
		bit := n.rng.Uint64N(nbits)
		for j := 0; j < i; j++ {
			if flipped[j] == bit { // already flipped: take the next free bit
				bit = (bit + 1) % nbits
				j = -1
			}
		}
		flipped[i] = bit
		b[bit/8] ^= 1 << (bit % 8)
	}
}

// schedule puts one copy of d in flight on l: it adds the delay, the
// jitter, reordering and the filters' hold-back to depart, keeps the link
// FIFO for copies that are neither reordered nor held, and pushes d.
func (n *Network) schedule(l *link, c *LinkConfig, depart timer.Time, hold time.Duration, d Datagram, dup bool) {
	at := depart.Add(c.Delay)
	if c.Jitter > 0 {
		at = at.Add(time.Duration(n.rng.Uint64N(uint64(c.Jitter) + 1)))
	}
	reordered := c.Reorder > 0 && n.rng.Float64() < c.Reorder
	if reordered {
		at = at.Add(c.ReorderDelay)
		for _, s := range n.counters(l) {
			s.Reordered++
		}
	}
	if !reordered && hold == 0 {
		at = max(at, l.lastArrival)
		l.lastArrival = at
	}
	d.At = at.Add(hold)
	n.seq++
	n.inflight.push(inflight{d: d, link: l}, n.seq)
	for _, s := range n.counters(l) {
		s.InFlight++
	}
	if n.trace != nil {
		n.trace(Event{Kind: EventScheduled, Duplicate: dup, OutOfOrder: reordered || hold > 0, Datagram: d})
	}
}

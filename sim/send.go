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
func (n *Network) Send(now timer.Time, from, to Addr, b []byte) { n.SendECN(now, from, to, b, 0) }

// SendECN is Send for a datagram whose IP header carries the ECN field
// ecn (Datagram.ECN; only its two low bits count): ECT(0) or ECT(1) for a
// sender that does ECN, which a link with a CEThreshold may turn into CE.
func (n *Network) SendECN(now timer.Time, from, to Addr, b []byte, ecn uint8) {
	// The datagram lives in n.cur rather than on the stack: filters get a
	// pointer to it, which would otherwise move it to the heap.
	n.cur = Datagram{From: from, To: to, Sent: now, ECN: ecn & 3}
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
	n.r = n.rng
	if l.rng != nil {
		n.r = l.rng
	}
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
	if c.Duplicate > 0 && n.r.Float64() < c.Duplicate {
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
	case len(n.partitions) > 0 && n.partitioned(now, d.From.Addr(), d.To.Addr()):
		n.drop(l, DropPartition, d)
		return 0, false
	case size > MaxDatagram || (c.MTU > 0 && size > c.MTU):
		n.drop(l, DropMTU, d)
		return 0, false
	case c.Loss > 0 && n.r.Float64() < c.Loss:
		n.drop(l, DropLoss, d)
		return 0, false
	case n.burst(l, c):
		n.drop(l, DropBurst, d)
		return 0, false
	}
	if c.Corrupt > 0 && size > 0 && n.r.Float64() < c.Corrupt {
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
	if c.CEThreshold > 0 && (d.ECN == 1 || d.ECN == 2) &&
		start.Sub(now) > serialization(c.CEThreshold, c.Bandwidth) {
		d.ECN = 3 // RFC 3168 Section 5: CE instead of a drop
		for _, s := range n.counters(l) {
			s.CEMarked++
		}
	}
	l.busyUntil = start.Add(tx)
	return l.busyUntil, true
}

// burst reports whether the next datagram on l falls in a loss burst
// (LinkConfig.BurstLoss), and draws whether the burst goes on.
func (n *Network) burst(l *link, c *LinkConfig) bool {
	if !l.inBurst {
		if c.BurstLoss <= 0 || n.r.Float64() >= c.BurstLoss {
			return false
		}
	}
	l.inBurst = c.BurstLength > 1 && n.r.Float64() < 1-1/c.BurstLength
	return true
}

// corrupt flips 1 to 3 distinct random bits of b (len(b) > 0).
func (n *Network) corrupt(b []byte) {
	nbits := uint64(len(b)) * 8
	var flipped [3]uint64
	k := min(1+n.r.IntN(3), int(nbits))
	for i := 0; i < k; i++ {
		bit := n.r.Uint64N(nbits)
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
		at = at.Add(time.Duration(n.r.Uint64N(uint64(c.Jitter) + 1)))
	}
	reordered := c.Reorder > 0 && n.r.Float64() < c.Reorder
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

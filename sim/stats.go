package sim

// Stats counts what happened to the datagrams of one link or of the whole
// network. The counters satisfy
//
//	Sent + Duplicated == Delivered + Dropped() + InFlight
//
// at every moment, per link and in total.
type Stats struct {
	// Sent counts calls to Send; SentBytes their payload bytes.
	Sent, SentBytes uint64
	// Delivered counts datagrams returned by Receive (duplicates
	// included); DeliveredBytes their payload bytes.
	Delivered, DeliveredBytes uint64
	// InFlight counts datagrams scheduled but not yet received.
	InFlight uint64
	// Duplicated counts extra copies created by the Duplicate knob.
	Duplicated uint64
	// Corrupted counts datagrams whose bits were flipped.
	Corrupted uint64
	// Reordered counts copies held back by ReorderDelay.
	Reordered uint64
	// Delayed counts datagrams held back by a filter's Delay verdict.
	Delayed uint64
	// CEMarked counts ECN-capable datagrams the bottleneck marked
	// Congestion Experienced (LinkConfig.CEThreshold).
	CEMarked uint64
	// DroppedLoss counts random losses.
	DroppedLoss uint64
	// DroppedBurst counts the datagrams of loss bursts.
	DroppedBurst uint64
	// DroppedMTU counts datagrams larger than the MTU or MaxDatagram.
	DroppedMTU uint64
	// DroppedQueue counts tail drops at the bandwidth bottleneck.
	DroppedQueue uint64
	// DroppedDown counts datagrams sent on a link that was down.
	DroppedDown uint64
	// DroppedFilter counts datagrams a filter dropped.
	DroppedFilter uint64
	// DroppedPartition counts datagrams sent across a partition.
	DroppedPartition uint64
}

// Dropped returns the number of datagrams dropped for any reason.
func (s Stats) Dropped() uint64 {
	return s.DroppedLoss + s.DroppedBurst + s.DroppedMTU + s.DroppedQueue + s.DroppedDown +
		s.DroppedFilter + s.DroppedPartition
}

// Stats returns the counters of the whole network.
func (n *Network) Stats() Stats { return n.stats }

// LinkStats returns the counters of the link from → to (zero if nothing
// was ever sent on it).
func (n *Network) LinkStats(from, to Addr) Stats {
	if l, ok := n.links[linkKey{from, to}]; ok {
		return l.stats
	}
	return Stats{}
}

// counters returns the total and the per-link counters, for updating both.
func (n *Network) counters(l *link) [2]*Stats { return [2]*Stats{&n.stats, &l.stats} }

// drop counts d as dropped for reason r on l, reports it, and recycles its
// buffer.
func (n *Network) drop(l *link, r DropReason, d *Datagram) {
	for _, s := range n.counters(l) {
		switch r {
		case DropLoss:
			s.DroppedLoss++
		case DropMTU:
			s.DroppedMTU++
		case DropQueue:
			s.DroppedQueue++
		case DropDown:
			s.DroppedDown++
		case DropFilter:
			s.DroppedFilter++
		case DropBurst:
			s.DroppedBurst++
		case DropPartition:
			s.DroppedPartition++
		}
	}
	if n.trace != nil {
		n.trace(Event{Kind: EventDropped, Reason: r, Datagram: *d})
	}
	n.recycle(d.Data)
	d.Data = nil
}

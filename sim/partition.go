package sim

import (
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/timer"
)

// partition is one scheduled network partition.
type partition struct {
	start, heal timer.Time
	a, b        []netip.Addr
}

// Partition cuts the network between the IP addresses of side a and those
// of side b, in both directions, from start until heal: a datagram sent
// at a time t with start <= t < heal from an address of one side to an
// address of the other is dropped (DropPartition). heal timer.Never is a
// partition that never heals. Datagrams already in flight when it starts
// are still delivered. Partitions may overlap; the returned function
// removes this one at once (healing it early).
//
// Where Down and SetDown cut one direction of one link now, Partition
// schedules a failure in advance, by address rather than by link, so that
// a scenario states its failures before it runs (a multihomed host that
// loses one of its networks for a minute, say).
func (n *Network) Partition(start, heal timer.Time, a, b []netip.Addr) (remove func()) {
	p := &partition{start: start, heal: heal, a: slices.Clone(a), b: slices.Clone(b)}
	n.partitions = append(n.partitions, p)
	n.nextHeal = min(n.nextHeal, heal)
	return func() {
		// By identity: a second call, or the removal of another partition
		// of the same sides and times, leaves this one alone.
		if i := slices.Index(n.partitions, p); i >= 0 {
			n.partitions = slices.Delete(n.partitions, i, i+1)
		}
	}
}

// partitioned reports whether a partition in effect at now separates from
// and to. It first forgets the partitions healed by now, so that a long
// scenario that schedules many does not scan them all on every Send: the
// times of Send do not go back (virtual time), so a healed partition can
// no longer apply.
func (n *Network) partitioned(now timer.Time, from, to netip.Addr) bool {
	if now >= n.nextHeal {
		n.pruneHealed(now)
	}
	for _, p := range n.partitions {
		if now < p.start || now >= p.heal {
			continue
		}
		if slices.Contains(p.a, from) && slices.Contains(p.b, to) ||
			slices.Contains(p.b, from) && slices.Contains(p.a, to) {
			return true
		}
	}
	return false
}

// pruneHealed removes the partitions healed at now and sets nextHeal to
// the earliest heal time of those left (timer.Never if none).
func (n *Network) pruneHealed(now timer.Time) {
	n.partitions = slices.DeleteFunc(n.partitions, func(p *partition) bool { return now >= p.heal })
	n.nextHeal = timer.Never
	for _, p := range n.partitions {
		n.nextHeal = min(n.nextHeal, p.heal)
	}
}

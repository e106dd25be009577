package sim

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// A partition drops what crosses it, in both directions, only while it is
// in effect, and spares other addresses and what was already in flight.
func TestPartitionStartsAndHeals(t *testing.T) {
	n := New(1)
	require.NoError(t, n.SetDefault(LinkConfig{Delay: 10 * time.Millisecond}))
	start, heal := timer.Time(0).Add(time.Second), timer.Time(0).Add(2*time.Second)
	n.Partition(start, heal, []netip.Addr{addrA.Addr()}, []netip.Addr{addrB.Addr()})
	before := start.Add(-time.Millisecond)
	n.Send(before, addrA, addrB, payload(1, 10)) // in flight across the start
	for _, at := range []timer.Time{start, start.Add(500 * time.Millisecond), heal.Add(-1)} {
		n.Send(at, addrA, addrB, payload(2, 10))
		n.Send(at, addrB, addrA, payload(3, 10))
		n.Send(at, addrA, addrC, payload(4, 10)) // not across the partition
	}
	n.Send(heal, addrA, addrB, payload(5, 10))
	got := drainAll(t, n)
	var ids []uint64
	for _, d := range got {
		ids = append(ids, idOf(d))
	}
	require.Equal(t, []uint64{1, 4, 4, 4, 5}, ids)
	s := n.Stats()
	require.Equal(t, uint64(6), s.DroppedPartition)
	require.Equal(t, uint64(6), s.Dropped())
	requireBalanced(t, s)
}

// The function Partition returns heals the partition at once; a partition
// that never heals (timer.Never) lasts until then.
func TestPartitionRemove(t *testing.T) {
	n := New(1)
	side := []netip.Addr{addrA.Addr()}
	other := []netip.Addr{addrB.Addr()}
	n.Partition(0, timer.Never, side, []netip.Addr{addrC.Addr()})
	remove := n.Partition(0, timer.Never, side, other)
	n.Send(5, addrA, addrB, payload(1, 10))
	remove()
	remove() // harmless
	n.Send(6, addrA, addrB, payload(2, 10))
	n.Send(6, addrA, addrC, payload(3, 10))
	got := drainAll(t, n)
	require.Len(t, got, 1)
	require.Equal(t, uint64(2), idOf(got[0]))
	require.Equal(t, uint64(2), n.Stats().DroppedPartition)
}

// Partitions are forgotten once healed, so that Send does not scan every
// partition a long scenario scheduled; those not healed yet still apply.
func TestPartitionPrunedWhenHealed(t *testing.T) {
	n := New(1)
	side, other := []netip.Addr{addrA.Addr()}, []netip.Addr{addrB.Addr()}
	sec := timer.Time(0).Add(time.Second)
	for i := range 100 {
		n.Partition(0, sec.Add(time.Duration(i)*time.Millisecond), side, other)
	}
	late := n.Partition(sec.Add(time.Hour), timer.Never, side, other)
	n.Send(0, addrA, addrB, payload(1, 10))
	require.Len(t, n.partitions, 101)
	n.Send(sec.Add(50*time.Millisecond), addrA, addrB, payload(2, 10))
	require.Len(t, n.partitions, 50)
	n.Send(sec.Add(time.Minute), addrA, addrB, payload(3, 10))
	require.Len(t, n.partitions, 1)
	n.Send(sec.Add(2*time.Hour), addrA, addrB, payload(4, 10))
	late()
	require.Empty(t, n.partitions)
	n.Send(sec.Add(3*time.Hour), addrA, addrB, payload(5, 10))
	var ids []uint64
	for _, d := range drainAll(t, n) {
		ids = append(ids, idOf(d))
	}
	require.Equal(t, []uint64{3, 5}, ids)
	require.Equal(t, uint64(3), n.Stats().DroppedPartition)
}

// Bursts drop runs of consecutive datagrams whose mean length is
// BurstLength, and as many datagrams in all as the model predicts.
func TestBurstLoss(t *testing.T) {
	const total = 20000
	n := New(3)
	// Bursts start with probability 1 %, last 5 datagrams on average.
	require.NoError(t, n.SetDefault(LinkConfig{BurstLoss: 0.01, BurstLength: 5}))
	for i := range total {
		n.Send(timer.Time(i), addrA, addrB, payload(uint64(i), 20))
	}
	got := drainAll(t, n)
	s := n.Stats()
	requireBalanced(t, s)
	require.Equal(t, s.DroppedBurst, s.Dropped())
	// Runs of missing ids.
	runs, lost := 0, 0
	prev := uint64(0)
	for i, d := range got {
		id := idOf(d)
		if gap := id - prev; (i == 0 && id > 0) || (i > 0 && gap > 1) {
			runs++
		}
		prev = id
	}
	lost = total - len(got)
	require.Equal(t, uint64(lost), s.DroppedBurst)
	mean := float64(lost) / float64(runs)
	require.InDelta(t, 5, mean, 1, "mean burst length (%d lost in %d bursts)", lost, runs)
	// A fraction p/(p+1/L) of the time is spent in bursts: about 4.8 %.
	require.InDelta(t, 0.048*total, float64(lost), 0.015*total)
}

// BurstLength 0 or 1 drops single datagrams; bursts stay off by default.
func TestBurstLossSingle(t *testing.T) {
	for _, l := range []float64{0, 1} {
		n := New(3)
		require.NoError(t, n.SetDefault(LinkConfig{BurstLoss: 1, BurstLength: l}))
		n.Send(0, addrA, addrB, payload(1, 20))
		n.Send(0, addrA, addrB, payload(2, 20))
		require.Equal(t, uint64(2), n.Stats().DroppedBurst)
		require.NoError(t, n.SetDefault(LinkConfig{}))
		n.Send(0, addrA, addrB, payload(3, 20))
		require.Len(t, drainAll(t, n), 1, "BurstLength %v", l)
	}
}

func TestBurstConfigValidate(t *testing.T) {
	for _, c := range []LinkConfig{{BurstLoss: 1.5}, {BurstLoss: -1}, {BurstLength: -1}, {BurstLength: 2e9}} {
		require.ErrorIs(t, c.Validate(), ErrInvalidConfig, "%+v", c)
	}
	require.NoError(t, LinkConfig{BurstLoss: 0.5, BurstLength: 10}.Validate())
}

// The function Partition returns removes its own partition only, once:
// called again, or with another partition of the same sides and times in
// effect, it leaves that one cutting the network.
func TestPartitionRemoveTwiceKeepsTheSameOther(t *testing.T) {
	n := New(1)
	side, other := []netip.Addr{addrA.Addr()}, []netip.Addr{addrB.Addr()}
	remove := n.Partition(0, timer.Never, side, other)
	n.Partition(0, timer.Never, side, other) // the same failure, scheduled twice
	remove()
	remove()
	n.Send(5, addrA, addrB, payload(1, 10))
	require.Empty(t, drainAll(t, n))
	require.Equal(t, uint64(1), n.Stats().DroppedPartition)
}

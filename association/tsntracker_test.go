package association

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// checkTracker adds the TSNs that data encodes (two bytes each: an offset
// above the Cumulative TSN Ack Point, below 700 or, one time in four,
// below 8 so that the point moves) to a tsnTracker that starts just
// below the wrap of the TSN space, or (one time in four) removes up to
// four received TSNs from an offset below 700 on, as reneging does, or
// (one time in eight) skips to a new point as a FORWARD TSN does, and
// after each step compares it with a map of the TSNs received: what has
// reports, the point, the highest TSN, the number of ranges and the gap
// blocks of a SACK. It returns the final point.
func checkTracker(t *testing.T, data []byte) chunk.TSN {
	var tr tsnTracker
	tr.init(0xffffff00)
	got := map[chunk.TSN]bool{}
	cum := tr.cum
	for len(data) >= 2 {
		o := binary.BigEndian.Uint16(data)
		data = data[2:]
		if o&3 == 3 {
			first := cum + 1 + chunk.TSN(o>>2%700)
			last := first
			for last-first < chunk.TSN(o>>12%4) && got[last+1] {
				last++
			}
			if got[first] {
				tr.remove(first, last)
				for k := first; k.LE(last); k++ {
					delete(got, k)
				}
				compareTracker(t, &tr, got, cum)
			}
			continue
		}
		if o&7 == 5 {
			// A FORWARD TSN, one time in eight: up to 720 TSNs ahead,
			// or a little behind the point.
			newCum := cum + chunk.TSN(o>>3%730) - 10
			tr.skip(newCum)
			for ; newCum.GT(cum); cum++ {
				delete(got, cum+1)
			}
			for got[cum+1] {
				cum++
				delete(got, cum)
			}
			compareTracker(t, &tr, got, cum)
			continue
		}
		if o&1 == 0 {
			o %= 700
		} else {
			o = o >> 2 % 8
		}
		tsn := cum + 1 + chunk.TSN(o)
		require.Equal(t, got[tsn], tr.has(tsn), "has(%d)", tsn)
		if got[tsn] || !tr.canAdd(tsn) {
			continue
		}
		tr.add(tsn)
		got[tsn] = true
		for got[cum+1] {
			cum++
			delete(got, cum)
		}
		compareTracker(t, &tr, got, cum)
	}
	return tr.cum
}

// compareTracker compares tr with got, the TSNs received above cum.
func compareTracker(t *testing.T, tr *tsnTracker, got map[chunk.TSN]bool, cum chunk.TSN) {
	require.Equal(t, cum, tr.cum)
	highest := cum
	var blocks []chunk.GapBlock
	for o := uint32(1); o <= 700; o++ {
		switch {
		case !got[cum+chunk.TSN(o)]:
			continue
		case len(blocks) > 0 && uint32(blocks[len(blocks)-1].End) == o-1:
			blocks[len(blocks)-1].End++
		default:
			blocks = append(blocks, chunk.GapBlock{Start: uint16(o), End: uint16(o)})
		}
		highest = cum + chunk.TSN(o)
	}
	require.Equal(t, highest, tr.highest)
	require.Equal(t, len(blocks), tr.ranges)
	require.Equal(t, uint32(highest.Sub(cum)-uint32(len(got))), tr.missing())
	var s chunk.SACK
	tr.fillSACK(&s, 1000)
	require.Equal(t, cum, s.CumTSNAck)
	if len(blocks) == 0 {
		require.Empty(t, s.GapBlocks)
	} else {
		require.Equal(t, blocks, s.GapBlocks)
	}
}

// The ring of bits against a map: random TSNs in a window of 700 above the
// point, across the wrap of the TSN space and the growth of the ring,
// with reneging and FORWARD TSN skips (RFC 3758 Section 3.6).
func TestTSNTrackerModel(t *testing.T) {
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 7))
		data := make([]byte, 10000)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		cum := checkTracker(t, data)
		require.True(t, cum.GT(0) && cum < 0xffffff00, "the point wrapped: %d", cum)
	}
}

func FuzzTSNTracker(f *testing.F) {
	f.Add([]byte{0, 5, 0, 3, 0, 1, 0, 0, 0, 1})
	f.Add([]byte{2, 0, 0, 70, 0, 64, 0, 63, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		_ = checkTracker(t, data)
	})
}

// A TSN that would open range maxTSNRanges+1 is refused; one that extends
// or joins ranges, or fills the first gap, is not. A TSN maxTSNAhead or
// more above the point is refused whatever the ranges.
func TestTSNTrackerLimits(t *testing.T) {
	var tr tsnTracker
	tr.init(1000)
	for k := range chunk.TSN(maxTSNRanges) {
		require.True(t, tr.canAdd(1001+2*k))
		tr.add(1001 + 2*k)
	}
	require.Equal(t, maxTSNRanges, tr.ranges)
	next := chunk.TSN(1001 + 2*maxTSNRanges)
	require.False(t, tr.canAdd(next), "a new range")
	require.True(t, tr.canAdd(next-1), "extends the last range")
	require.True(t, tr.canAdd(1002), "joins two ranges")
	require.True(t, tr.canAdd(1000), "fills the first gap")
	tr.add(1000)
	require.Equal(t, chunk.TSN(1001), tr.cum)
	require.Equal(t, maxTSNRanges-1, tr.ranges)
	require.False(t, tr.canAdd(tr.cum+1+maxTSNAhead))
}

package association

import "github.com/gensctp/gensctp/chunk"

// maxTSNRanges bounds the out-of-order ranges a receiver tracks; DATA that
// would create more is dropped (and not acknowledged), as RFC 9260 Section
// 6.2 allows when the receiver is out of resources.
const maxTSNRanges = 1024

// maxDupTSNs bounds the duplicate TSNs reported in one SACK.
const maxDupTSNs = 32

// tsnRange is an inclusive range of received TSNs.
type tsnRange struct{ first, last chunk.TSN }

// tsnTracker records which TSNs the receiver has: the Cumulative TSN Ack
// Point and the ranges received above it (RFC 9260 Section 6.2), and the
// duplicates to report.
type tsnTracker struct {
	cum     chunk.TSN  // last TSN received in sequence
	ranges  []tsnRange // sorted, disjoint, non-adjacent, all above cum+1
	dups    []chunk.TSN
	highest chunk.TSN
	// steps counts the ranges examined by has, canAdd and add: the work
	// the peer's DATA chunks cost, which the hostile tests bound.
	steps uint64
}

// init sets the point before the peer's initial TSN (RFC 9260 Section 5.1:
// "each endpoint MUST set its internal Cumulative TSN Ack Point to the
// value of its transmitted Initial TSN minus one", seen from the receiver).
func (t *tsnTracker) init(peerInitialTSN chunk.TSN) {
	t.cum = peerInitialTSN - 1
	t.highest = t.cum
	t.ranges = t.ranges[:0]
	t.dups = t.dups[:0]
}

// has reports whether tsn was received.
func (t *tsnTracker) has(tsn chunk.TSN) bool {
	if tsn.LE(t.cum) {
		return true
	}
	for _, r := range t.ranges {
		t.steps++
		if tsn.LT(r.first) {
			return false
		}
		if tsn.LE(r.last) {
			return true
		}
	}
	return false
}

// canAdd reports whether tsn (not yet received) can be recorded without
// exceeding the range limit.
func (t *tsnTracker) canAdd(tsn chunk.TSN) bool {
	if len(t.ranges) < maxTSNRanges || tsn == t.cum+1 {
		return true
	}
	for _, r := range t.ranges {
		t.steps++
		if tsn == r.first-1 || tsn == r.last+1 {
			return true
		}
	}
	return false
}

// add records tsn, which has not been received, and advances the
// cumulative point over contiguous ranges.
func (t *tsnTracker) add(tsn chunk.TSN) {
	if tsn.GT(t.highest) {
		t.highest = tsn
	}
	if tsn == t.cum+1 {
		t.cum = tsn
		if len(t.ranges) > 0 && t.ranges[0].first == t.cum+1 {
			t.cum = t.ranges[0].last
			t.ranges = append(t.ranges[:0], t.ranges[1:]...)
		}
		return
	}
	i := 0
	for i < len(t.ranges) && t.ranges[i].last.LT(tsn) {
		t.steps++
		i++
	}
	switch {
	case i < len(t.ranges) && t.ranges[i].first == tsn+1:
		t.ranges[i].first = tsn
		if i > 0 && t.ranges[i-1].last+1 == tsn {
			t.ranges[i-1].last = t.ranges[i].last
			t.ranges = append(t.ranges[:i], t.ranges[i+1:]...)
		}
	case i > 0 && t.ranges[i-1].last+1 == tsn:
		t.ranges[i-1].last = tsn
	default:
		t.ranges = append(t.ranges, tsnRange{})
		copy(t.ranges[i+1:], t.ranges[i:])
		t.ranges[i] = tsnRange{tsn, tsn}
	}
}

// addDup records a duplicate TSN for the next SACK.
func (t *tsnTracker) addDup(tsn chunk.TSN) {
	if len(t.dups) < maxDupTSNs {
		t.dups = append(t.dups, tsn)
	}
}

// hasGaps reports whether TSNs are missing below the highest received.
func (t *tsnTracker) hasGaps() bool { return len(t.ranges) > 0 }

// fillSACK writes the cumulative TSN, up to maxBlocks gap blocks and the
// duplicates (within the same budget) into s, reusing its slices.
func (t *tsnTracker) fillSACK(s *chunk.SACK, maxBlocks int) {
	s.CumTSNAck = t.cum
	s.GapBlocks = s.GapBlocks[:0]
	s.DupTSNs = s.DupTSNs[:0]
	for _, r := range t.ranges {
		if len(s.GapBlocks) >= maxBlocks {
			break
		}
		// RFC 9260 Section 3.3.4: gap block offsets are relative to the
		// Cumulative TSN Ack; they fit 16 bits when the window does.
		start, end := r.first.Sub(t.cum), r.last.Sub(t.cum)
		if end > 0xffff {
			break
		}
		s.GapBlocks = append(s.GapBlocks, chunk.GapBlock{Start: uint16(start), End: uint16(end)})
	}
	for _, d := range t.dups {
		if len(s.GapBlocks)+len(s.DupTSNs) >= maxBlocks {
			break
		}
		s.DupTSNs = append(s.DupTSNs, d)
	}
}

// clearDups forgets the reported duplicates.
func (t *tsnTracker) clearDups() { t.dups = t.dups[:0] }

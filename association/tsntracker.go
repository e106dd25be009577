package association

import (
	"math/bits"

	"github.com/gensctp/gensctp/chunk"
)

// maxTSNRanges bounds the out-of-order ranges a receiver tracks; DATA that
// would create more is dropped (and not acknowledged), as RFC 9260 Section
// 6.2 allows when the receiver is out of resources.
const maxTSNRanges = 1024

// maxTSNAhead bounds how far above the Cumulative TSN Ack Point a received
// TSN is recorded, whatever the receive buffer (see tsnWindow): TSNs up to
// 2^15 ahead keep the Stream Sequence Numbers a peer can have in flight
// within half the 16-bit space of the next one expected, where serial
// number comparisons are defined (RFC 1982 Section 3.2), and fit the
// 16-bit offsets of Gap Ack Blocks (RFC 9260 Section 3.3.4).
const maxTSNAhead = 1 << 15

// maxDupTSNs bounds the duplicate TSNs reported in one SACK.
const maxDupTSNs = 32

// tsnTracker records which TSNs the receiver has: the Cumulative TSN Ack
// Point, the TSNs received above it (RFC 9260 Section 6.2), and the
// duplicates to report. The TSNs above the point are a ring of bits, one
// per TSN from the point + 1 on (as in the mapping arrays of the kernel
// SCTP stacks): looking up, adding and recording a DATA chunk cost a
// constant number of steps whatever the peer sent before, and advancing
// the point costs one step per 64 TSNs.
type tsnTracker struct {
	cum     chunk.TSN // last TSN received in sequence
	highest chunk.TSN // highest TSN received
	// above holds a bit for each TSN cum+1+o (o the offset), at bit
	// (head+o) mod 64*len(above); len(above) is 0 or a power of two,
	// and the bits at and after highest's are clear.
	above  []uint64
	head   uint32
	held   uint32 // TSNs received above cum
	ranges int    // runs of received TSNs above cum+1
	dups   []chunk.TSN
	// steps counts the words of above read: the work the peer's DATA
	// chunks cost, which the hostile tests bound.
	steps uint64
}

// init sets the point before the peer's initial TSN (RFC 9260 Section 5.1:
// "each endpoint MUST set its internal Cumulative TSN Ack Point to the
// value of its transmitted Initial TSN minus one", seen from the receiver).
func (t *tsnTracker) init(peerInitialTSN chunk.TSN) {
	t.cum = peerInitialTSN - 1
	t.highest = t.cum
	clear(t.above)
	t.head, t.held, t.ranges = 0, 0, 0
	t.dups = t.dups[:0]
}

// offset returns the offset of tsn, above cum.
func (t *tsnTracker) offset(tsn chunk.TSN) uint32 { return tsn.Sub(t.cum + 1) }

// end returns the offset after the highest TSN received: every bit at
// and after it is clear.
func (t *tsnTracker) end() uint32 { return t.highest.Sub(t.cum) }

// bit reports whether the TSN at offset o was received.
func (t *tsnTracker) bit(o uint32) bool {
	if o >= t.end() {
		return false
	}
	t.steps++
	i := (t.head + o) & uint32(64*len(t.above)-1)
	return t.above[i>>6]&(1<<(i&63)) != 0
}

// word returns the bits of the TSNs at offsets o to o+63 (bit i is offset
// o+i), for o below end; the bits of offsets at or after end are
// meaningless.
func (t *tsnTracker) word(o uint32) uint64 {
	t.steps++
	mask := uint32(64*len(t.above) - 1)
	i := (t.head + o) & mask
	w := t.above[i>>6] >> (i & 63)
	if i&63 != 0 {
		w |= t.above[((i+64)&mask)>>6] << (64 - i&63)
	}
	return w
}

// next returns the first offset from o on, below end, whose bit is v, or
// end if there is none.
func (t *tsnTracker) next(o, end uint32, v bool) uint32 {
	for ; o < end; o += 64 {
		w := t.word(o)
		if !v {
			w = ^w
		}
		if w != 0 {
			return min(o+uint32(bits.TrailingZeros64(w)), end)
		}
	}
	return end
}

// set sets or clears the bit of offset o, which the ring holds.
func (t *tsnTracker) set(o uint32, v bool) {
	i := (t.head + o) & uint32(64*len(t.above)-1)
	if v {
		t.above[i>>6] |= 1 << (i & 63)
	} else {
		t.above[i>>6] &^= 1 << (i & 63)
	}
}

// has reports whether tsn was received.
func (t *tsnTracker) has(tsn chunk.TSN) bool {
	return tsn.LE(t.cum) || t.bit(t.offset(tsn))
}

// canAdd reports whether tsn (not yet received) can be recorded without
// exceeding the range limit or maxTSNAhead.
func (t *tsnTracker) canAdd(tsn chunk.TSN) bool {
	o := t.offset(tsn)
	if o >= maxTSNAhead {
		return false
	}
	return o == 0 || t.ranges < maxTSNRanges || t.bit(o-1) || t.bit(o+1)
}

// add records tsn, which has not been received and which canAdd allows,
// and advances the cumulative point over contiguous TSNs.
func (t *tsnTracker) add(tsn chunk.TSN) {
	o := t.offset(tsn)
	left, right := o > 0 && t.bit(o-1), t.bit(o+1)
	switch {
	case o == 0 && right:
		t.ranges-- // the first range joins the point
	case o > 0 && left && right:
		t.ranges--
	case o > 0 && !left && !right:
		t.ranges++
	}
	if tsn.GT(t.highest) {
		if o > 0 {
			t.grow(o)
		}
		t.highest = tsn
	}
	if o > 0 {
		t.set(o, true)
		t.held++
		return
	}
	// The point advances over tsn and the run of TSNs after it.
	end := t.end()
	n := t.next(1, end, false)
	for k := uint32(1); k < n; k++ {
		t.set(k, false) // each TSN passed was added once: amortised constant
	}
	t.cum += chunk.TSN(n)
	t.held -= n - 1
	if len(t.above) > 0 {
		t.head = (t.head + n) & uint32(64*len(t.above)-1)
	}
}

// grow makes the ring hold offset o, doubling it as needed; maxTSNAhead
// bounds it.
func (t *tsnTracker) grow(o uint32) {
	size := uint32(64 * len(t.above))
	if o < size {
		return
	}
	n := max(64, size)
	for n <= o {
		n *= 2
	}
	above := make([]uint64, n/64)
	for k := t.next(1, t.end(), true); k < t.end(); k = t.next(k+1, t.end(), true) {
		above[k>>6] |= 1 << (k & 63)
	}
	t.above, t.head = above, 0
}

// remove forgets the TSNs first to last, received above cum+1, as if
// they had never arrived (reneging, RFC 9260 Section 6.2: "If a data
// receiver drops DATA chunks, it MUST NOT include them in Gap Ack Blocks
// in subsequent SACK chunks until they are received again via
// retransmission."). It costs a step per TSN forgotten, and, when it
// forgets the highest TSN received, a step per 64 TSNs down to the next
// highest.
func (t *tsnTracker) remove(first, last chunk.TSN) {
	lo, hi := t.offset(first), t.offset(last)
	left, right := t.bit(lo-1), t.bit(hi+1)
	for o := lo; o <= hi; o++ {
		t.set(o, false)
	}
	t.held -= hi - lo + 1
	switch {
	case left && right:
		t.ranges++ // a range splits
	case !left && !right:
		t.ranges-- // a range goes
	}
	if last == t.highest {
		t.highest = t.cum + 1 + chunk.TSN(t.prev(lo))
	}
}

// prev returns the highest offset below o whose bit is set, or -1 (the
// offset of cum) if there is none.
func (t *tsnTracker) prev(o uint32) uint32 {
	for o > 0 {
		lo := o - min(o, 64)
		w := t.word(lo) // bits lo to lo+63
		if n := o - lo; n < 64 {
			w &= 1<<n - 1
		}
		if w != 0 {
			return lo + uint32(63-bits.LeadingZeros64(w))
		}
		o = lo
	}
	return ^uint32(0)
}

// addDup records a duplicate TSN for the next SACK.
func (t *tsnTracker) addDup(tsn chunk.TSN) {
	if len(t.dups) < maxDupTSNs {
		t.dups = append(t.dups, tsn)
	}
}

// hasGaps reports whether TSNs are missing below the highest received.
func (t *tsnTracker) hasGaps() bool { return t.ranges > 0 }

// missing returns the number of TSNs missing below the highest received.
func (t *tsnTracker) missing() uint32 { return t.end() - t.held }

// fillSACK writes the cumulative TSN, up to maxBlocks gap blocks and the
// duplicates (within the same budget) into s, reusing its slices.
func (t *tsnTracker) fillSACK(s *chunk.SACK, maxBlocks int) {
	s.CumTSNAck = t.cum
	s.GapBlocks = s.GapBlocks[:0]
	s.DupTSNs = s.DupTSNs[:0]
	end := t.end()
	for o := t.next(1, end, true); o < end && len(s.GapBlocks) < maxBlocks; {
		last := t.next(o, end, false) // the offset after the run
		// RFC 9260 Section 3.3.4: gap block offsets are relative to the
		// Cumulative TSN Ack; maxTSNAhead keeps them within 16 bits.
		s.GapBlocks = append(s.GapBlocks, chunk.GapBlock{Start: uint16(o + 1), End: uint16(last)})
		o = t.next(last, end, true)
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

// skip moves the point forward to newCum, as if every TSN up to it had
// been received, then over the run of TSNs received after it (RFC 3758
// Section 3.6: "the data receiver MUST first update its cumulative TSN
// point to the value carried in the FORWARD TSN chunk, and then MUST
// further advance its cumulative TSN point locally if possible"). A
// newCum at or behind the point changes nothing. It costs a step per
// TSN received and passed, and a step per 64 TSNs of the run after.
func (t *tsnTracker) skip(newCum chunk.TSN) {
	if !newCum.GT(t.cum) {
		return
	}
	if !newCum.LT(t.highest) {
		// Everything received is at or below newCum.
		clear(t.above)
		t.cum, t.highest = newCum, newCum
		t.head, t.held, t.ranges = 0, 0, 0
		return
	}
	// newCum is below the highest TSN received: the ring holds its offset
	// n-1. Every run starting at or before n (newCum+1) leaves the ranges:
	// passed, or joined to the point.
	n := newCum.Sub(t.cum)
	end := t.end()
	for o := t.next(0, end, true); o <= n && o < end; {
		e := t.next(o, end, false)
		t.ranges--
		for k := o; k < min(e, n); k++ {
			t.set(k, false)
			t.held--
		}
		if e > n {
			break
		}
		o = t.next(e, end, true)
	}
	t.cum = newCum
	t.head = (t.head + n) & uint32(64*len(t.above)-1)
	// The point advances over the run after newCum, if any.
	m := t.next(0, t.end(), false)
	for k := uint32(0); k < m; k++ {
		t.set(k, false)
	}
	t.cum += chunk.TSN(m)
	t.held -= m
	t.head = (t.head + m) & uint32(64*len(t.above)-1)
}

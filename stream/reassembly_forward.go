package stream

import (
	"cmp"
	"slices"

	"github.com/gensctp/gensctp/chunk"
)

// Forward applies a FORWARD TSN chunk (RFC 3758 Section 3.6) whose New
// Cumulative TSN is newCum and whose stream entries are skipped, after the
// association moved its cumulative TSN point to newCum, then to settled
// over the TSNs received after it. It returns the
// partial deliveries it ended, as AbortPartial does ("In the event that
// the receiver has invoked the partial delivery API, a notification
// SHOULD also be generated"), and calls dropped, if not nil, with the
// first and last TSN of each run of chunks it dropped.
//
// It drops every incomplete message held that has a chunk at or below
// newCum: "The receiver MUST remove any partially reassembled message,
// which is still missing one or more TSNs earlier than or equal to the new
// cumulative TSN point" (a correct sender abandons a message whole, so the
// chunks it still misses will not come). Then, for each entry of an
// ordered stream, "immediately make available for delivery stream
// sequence numbers earlier than or equal to the stream sequence number
// listed": the complete messages held with those SSNs are queued in SSN
// order, incomplete ones dropped, the stream's next SSN becomes the one
// after the listed SSN, and the messages it unblocks follow. An entry for
// a stream at or above Streams, or with an SSN before the stream's next
// one (already delivered or skipped), changes nothing.
//
// What the chunks held show counts as listed, so that a sender that
// leaves a stream out (RFC 3758 Section 3.2: "For ordered DATA chunks
// this field MUST be filled in") cannot stall it for good: an ordered
// message dropped with a chunk at or below newCum, or held complete with
// every TSN before it settled (at or below settled), settles the SSNs of
// its stream up to its own, all of which the sender assigned to earlier
// TSNs (RFC 9260 Section 6.5). Fragments that follow newCum without their
// first one belong to a message begun at or below it, and go as well.
//
// The work is a step per run held and per entry, the sorting of what is
// dropped and delivered included; it allocates only while it drops or
// delivers messages held out of order.
func (r *Reassembly) Forward(newCum, settled chunk.TSN, skipped []chunk.ForwardTSNStream,
	dropped func(first, last chunk.TSN)) []PartialAbort {
	if r == nil {
		return nil
	}
	if r.idata {
		return r.forwardAllI(dropped)
	}
	var out []PartialAbort
	drop := r.dropper(&out, dropped)
	var stale []*run
	for first, x := range r.byFirst {
		// A run that starts after newCum without its first fragment
		// continues a message whose earlier chunks were skipped.
		if first.LE(newCum) || !x.begun && first == newCum+1 {
			stale = append(stale, x)
		}
	}
	slices.SortFunc(stale, func(x, y *run) int { return cmp.Compare(x.first-newCum, y.first-newCum) })
	implied := slices.Clone(skipped)
	for _, x := range stale {
		if !x.unordered {
			implied = append(implied, chunk.ForwardTSNStream{StreamID: x.stream, SSN: x.ssn})
		}
		drop(x)
	}
	for _, x := range r.ordered {
		if x.begun && x.lastE && x.first.LE(settled+1) {
			implied = append(implied, chunk.ForwardTSNStream{StreamID: x.stream, SSN: x.ssn})
		}
	}
	skipped = implied
	var waiting []*run // the ordered runs held, by stream and SSN from its next
	if len(r.ordered) > 0 && len(skipped) > 0 {
		waiting = r.orderedRuns()
		skipped = r.highestPerStream(skipped)
	}
	for _, e := range skipped {
		if int(e.StreamID) >= r.numStreams || e.SSN.LT(r.ssns.get(e.StreamID)) {
			continue
		}
		r.skipTo(e.StreamID, e.SSN, waiting, drop)
	}
	return out
}

// dropper returns the function that drops an incomplete run for Forward
// and ForwardI: it tells dropped, if not nil, of the run's first and last
// TSN, and appends the partial delivery it ends to out.
func (r *Reassembly) dropper(out *[]PartialAbort, dropped func(first, last chunk.TSN)) func(*run) {
	return func(x *run) {
		if dropped != nil {
			dropped(x.first, x.last)
		}
		if pa, ok := r.dropRun(x); ok {
			*out = append(*out, pa)
		}
	}
}

// orderedRuns returns the ordered runs held (Reassembly.ordered) sorted
// by stream, then by SSN from the stream's next one.
func (r *Reassembly) orderedRuns() []*run {
	out := make([]*run, 0, len(r.ordered))
	for _, x := range r.ordered {
		out = append(out, x)
	}
	slices.SortFunc(out, r.cmpOrdered)
	return out
}

// highestPerStream returns the entries of skipped with one per stream,
// the highest SSN from the stream's next one, by stream: skipTo then
// finds the messages of each stream once.
func (r *Reassembly) highestPerStream(skipped []chunk.ForwardTSNStream) []chunk.ForwardTSNStream {
	out := slices.Clone(skipped)
	slices.SortFunc(out, func(x, y chunk.ForwardTSNStream) int {
		if c := cmp.Compare(x.StreamID, y.StreamID); c != 0 {
			return c
		}
		return cmp.Compare(r.ahead(y), r.ahead(x)) // highest first
	})
	return slices.CompactFunc(out, func(x, y chunk.ForwardTSNStream) bool { return x.StreamID == y.StreamID })
}

// ahead returns how far the SSN of e is from its stream's next one, -1
// if it is before it.
func (r *Reassembly) ahead(e chunk.ForwardTSNStream) int {
	next := r.ssns.get(e.StreamID)
	if e.SSN.LT(next) {
		return -1
	}
	return int(uint16(e.SSN - next))
}

// cmpOrdered orders ordered runs by stream, then by SSN from the
// stream's next one.
func (r *Reassembly) cmpOrdered(x, y *run) int {
	if c := cmp.Compare(x.stream, y.stream); c != 0 {
		return c
	}
	next := r.ssns.get(x.stream)
	return cmp.Compare(uint16(x.ssn-next), uint16(y.ssn-next))
}

// skipTo makes the SSNs of stream id up to last deliverable (Forward):
// the complete messages held (among waiting, see orderedRuns) with SSNs
// from the stream's next one to last are queued in order, the incomplete
// ones dropped with drop. The messages are found by binary search: a walk
// over the SSNs skipped would cost up to 2^15 steps per entry. The
// stream's record is looked up after the drops: dropping the last thing
// the stream held releases it (dropRun, settle).
func (r *Reassembly) skipTo(id chunk.StreamID, last chunk.SSN, waiting []*run, drop func(*run)) {
	next := r.ssns.get(id)
	span := uint16(last - next)
	// The first run of the stream (the search finds the lowest index).
	i, _ := slices.BinarySearchFunc(waiting, id, func(x *run, id chunk.StreamID) int {
		return cmp.Compare(x.stream, id)
	})
	for ; i < len(waiting) && waiting[i].stream == id && uint16(waiting[i].ssn-next) <= span; i++ {
		x := waiting[i]
		switch key := orderedKey(id, x.ssn); {
		case x.begun && x.lastE:
			delete(r.ordered, key)
			r.pushSkipped(id, x)
		default:
			drop(x)
		}
	}
	r.ssns.set(id, last.Add(1))
	s := r.stream(id)
	r.chase(s)
	r.settle(s)
}

// pushSkipped queues the complete ordered message x of stream id that a
// skip made deliverable, or, while a partial delivery is in progress on
// the stream, which nothing of the stream overtakes, holds it behind it
// (recvStream.held, which resume queues when it ends). Its SSN is passed:
// it is out of reach of Renege, as if queued.
func (r *Reassembly) pushSkipped(id chunk.StreamID, x *run) {
	s := r.streams.get(id)
	if s == nil || s.pd == nil {
		r.push(x)
		return
	}
	r.unhold(x)
	x.uidx = len(s.held)
	s.held = append(s.held, x)
}

// dropRun removes the incomplete run x (held for reassembly, or under
// partial delivery) and frees what it holds. It returns the partial
// delivery it ended, if x was under one.
func (r *Reassembly) dropRun(x *run) (pa PartialAbort, ok bool) {
	s := r.streams.get(x.stream)
	if x.pd && s != nil && s.pd == x {
		pa, ok = PartialAbort{Stream: x.stream, SSN: x.ssn, Unordered: x.unordered, MID: x.mid, Delivered: x.delivered}, true
		r.clearPD(s)
		switch {
		case x == r.active:
			r.active = nil
		case x.queued:
			r.ready.filter(func(y *run) bool { return y != x })
		}
		if !x.unordered {
			// The stream goes on after the message that will not be
			// completed, as after AbortPartial.
			r.ssns.set(s.id, x.ssn.Add(1))
		}
	}
	r.dropData(x)
	if r.byFirst[x.first] == x {
		delete(r.byFirst, x.first)
	}
	if r.byLast[x.last] == x {
		delete(r.byLast, x.last)
	}
	if x.begun && !x.unordered {
		if key := orderedKey(x.stream, x.ssn); r.ordered[key] == x {
			delete(r.ordered, key)
		}
	} else if x.begun && s != nil {
		r.untrack(s, x)
	}
	r.freeRun(x)
	if s != nil {
		if ok {
			r.resume(s)
		}
		r.settle(s)
	}
	return pa, ok
}

// EndsAt reports whether r holds an incomplete message whose last chunk
// so far has TSN tsn: the message a chunk at tsn+1 without the B bit
// continues.
func (r *Reassembly) EndsAt(tsn chunk.TSN) bool {
	return r != nil && r.byLast[tsn] != nil
}

// Skip settles the SSNs of ordered stream id up to ssn, as a FORWARD TSN
// entry does (Forward), for a chunk that shows them skipped: the rest of
// a message whose beginning a FORWARD TSN skipped. It returns the partial
// deliveries it ended.
func (r *Reassembly) Skip(id chunk.StreamID, ssn chunk.SSN) []PartialAbort {
	if r == nil || int(id) >= r.numStreams || ssn.LT(r.ssns.get(id)) {
		return nil
	}
	var out []PartialAbort
	var waiting []*run
	if len(r.ordered) > 0 {
		waiting = r.orderedRuns()
	}
	r.skipTo(id, ssn, waiting, func(x *run) {
		if pa, ok := r.dropRun(x); ok {
			out = append(out, pa)
		}
	})
	return out
}

package stream

import (
	"cmp"
	"slices"

	"github.com/gensctp/gensctp/chunk"
)

// ForwardI applies the stream entries of an I-FORWARD-TSN chunk (RFC 8260
// Section 2.3.1), after the association moved its cumulative TSN point to
// the New Cumulative TSN, on a Reassembly that takes I-DATA (SetIData).
// Each entry gives "the largest Message Identifier for ordered or
// unordered messages indicated by the U bit that was skipped for the
// stream", and "the principle applied to ordered messages when using
// FORWARD-TSN chunks is applied to ordered and unordered messages": every
// incomplete message held with that stream and U bit and a MID up to the
// listed one is dropped; for an ordered entry the complete messages held
// up to the listed MID are queued in order and the stream's next MID
// becomes the one after it (as Forward does with SSNs); for an unordered
// entry, later fragments of the messages skipped are refused with
// ErrStaleMessage. Entries for streams at or above Streams change
// nothing. It returns the partial deliveries it ended and calls dropped,
// if not nil, with the first TSN and the TSN of the E fragment (or the
// last fragment appended) of each message it dropped.
//
// The work is a step per message held and per entry, and the sorting of
// what is dropped.
func (r *Reassembly) ForwardI(skipped []chunk.IForwardTSNStream, dropped func(first, last chunk.TSN)) []PartialAbort {
	if r == nil || len(skipped) == 0 {
		return nil
	}
	var out []PartialAbort
	drop := r.dropper(&out, dropped)
	type skey struct {
		stream    chunk.StreamID
		unordered bool
	}
	upTo := make(map[skey]chunk.MID, len(skipped))
	var ordered []chunk.ForwardTSNStream
	for _, e := range skipped {
		if int(e.StreamID) >= r.numStreams {
			continue
		}
		k := skey{e.StreamID, e.Unordered()}
		if m, ok := upTo[k]; !ok || e.MID.GT(m) {
			upTo[k] = e.MID
		}
	}
	var victims []*run
	for key, x := range r.imsgs {
		if m, ok := upTo[skey{key.stream, key.unordered}]; ok && key.mid.LE(m) {
			victims = append(victims, x)
		}
	}
	slices.SortFunc(victims, cmpIMsg)
	for _, x := range victims {
		drop(x)
	}
	for k, m := range upTo {
		if k.unordered {
			p, _ := r.uskip.getOrCreate(k.stream)
			*p = m
			continue
		}
		ordered = append(ordered, chunk.ForwardTSNStream{StreamID: k.stream, SSN: chunk.SSN(m)})
	}
	slices.SortFunc(ordered, func(x, y chunk.ForwardTSNStream) int { return cmp.Compare(x.StreamID, y.StreamID) })
	var waiting []*run
	if len(r.ordered) > 0 && len(ordered) > 0 {
		waiting = r.orderedRuns()
	}
	for _, e := range ordered {
		if e.SSN.LT(r.ssns.get(e.StreamID)) {
			continue
		}
		r.skipTo(e.StreamID, e.SSN, waiting, drop)
	}
	return out
}

// cmpIMsg orders I-DATA messages by stream, U bit and MID.
func cmpIMsg(x, y *run) int {
	if c := cmp.Compare(x.stream, y.stream); c != 0 {
		return c
	}
	if x.unordered != y.unordered {
		if x.unordered {
			return 1
		}
		return -1
	}
	return cmp.Compare(x.mid, y.mid)
}

// StartPartialDeliveries starts the partial delivery of the begun,
// incomplete message next in line on each stream that has none in
// progress (the next MID or SSN if ordered; the largest begun unordered
// one otherwise), whatever the partial delivery point, for at most limit
// streams in stream order, and returns how many it started. The association calls it when the receive buffer is
// full of incomplete messages: with I-DATA the messages of many streams
// interleave, so that none may reach the partial delivery point before
// the buffer fills, and without it the association would stall with
// nothing to deliver (RFC 9260 Section 6.9: "If the data receiver runs
// out of buffer space while still waiting for more fragments to complete
// the reassembly of the message, it SHOULD dispatch part of its inbound
// message through a partial delivery API").
func (r *Reassembly) StartPartialDeliveries(limit int) int {
	if r == nil {
		return 0
	}
	n := 0
	for hi, p := range r.streams.pages {
		if p == nil || hi < len(r.pdPages) && r.pdPages[hi] == r.streams.used[hi] {
			continue // no stream, or every one under partial delivery
		}
		for _, s := range p {
			if n >= limit {
				return n
			}
			if s != nil && s.pd == nil && r.startPartial(s) {
				n++
			}
		}
	}
	return n
}

// startPartial starts the partial delivery of the begun, incomplete
// message next in line on stream s, which has none in progress
// (StartPartialDeliveries), and reports whether there was one.
func (r *Reassembly) startPartial(s *recvStream) bool {
	r.steps++
	x := r.ordered[orderedKey(s.id, r.ssns.get(s.id))]
	if x == nil || x.lastE || len(x.buf) == 0 {
		x = nil
		for _, y := range s.unord {
			if x == nil || len(y.buf) > len(x.buf) {
				x = y
			}
		}
		if x == nil || len(x.buf) == 0 {
			return false
		}
	}
	r.setPD(s, x)
	r.push(x)
	return true
}

// forwardAllI is Forward on a Reassembly that takes I-DATA, for the
// association reset of RFC 6525 Section 5.2.4 (the only use of Forward
// with I-DATA): every message held is settled as an I-FORWARD-TSN that
// lists it would settle it, the incomplete ones dropped and the complete
// ordered ones queued in order.
func (r *Reassembly) forwardAllI(dropped func(first, last chunk.TSN)) []PartialAbort {
	var all []*run
	for _, x := range r.imsgs {
		all = append(all, x)
	}
	for _, x := range r.ordered {
		all = append(all, x)
	}
	slices.SortFunc(all, cmpIMsg)
	entries := make([]chunk.IForwardTSNStream, 0, len(all))
	for _, x := range all {
		e := chunk.IForwardTSNStream{StreamID: x.stream, MID: x.mid}
		if x.unordered {
			e.Flags = chunk.IForwardTSNUnordered
		}
		entries = append(entries, e)
	}
	return r.ForwardI(entries, dropped)
}

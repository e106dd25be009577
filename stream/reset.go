package stream

import "github.com/gensctp/gensctp/chunk"

// ResetSSNs sets the next expected SSN of the listed inbound streams to 0,
// or of every inbound stream when ids is empty (RFC 6525 Section 5.2.2
// E3: "If no stream numbers are listed in the parameter, then all
// incoming streams MUST be reset to 0 as the next expected SSN. If
// specific stream numbers are listed, then only these specific streams
// MUST be reset to 0"). Streams at or above Streams are ignored. The
// caller resets once every DATA chunk up to the sender's last TSN before
// the reset was received, so that no ordered message of the old sequence
// still waits; messages already queued for Pop stay queued. With I-DATA
// the next ordered MID is reset with the SSN it stands for, and the
// unordered MIDs an I-FORWARD-TSN skipped are forgotten: the sender's two
// MID counters start again from 0 (RFC 8260 Section 2.3.2).
func (r *Reassembly) ResetSSNs(ids []chunk.StreamID) {
	if r == nil {
		return
	}
	if len(ids) == 0 {
		r.ssns = ssnTable{}
		r.uskip = table[chunk.MID]{}
		return
	}
	for _, id := range ids {
		if int(id) < r.numStreams {
			r.ssns.clear(id)
			r.uskip.remove(id)
		}
	}
}

// NextSSN returns the next ordered SSN stream id expects.
func (r *Reassembly) NextSSN(id chunk.StreamID) chunk.SSN {
	if r == nil {
		return 0
	}
	return r.ssns.get(id)
}

// ResetSSNs sets the next SSN of the listed outbound streams to 0, or of
// every outbound stream when ids is empty: the outgoing side of a stream
// reset (RFC 6525 Section 5.1.2). The two I-DATA MID counters of each
// stream are reset with it (RFC 8260 Section 2.3.2: "the two counters (one
// for the ordered messages, one for the unordered messages) used for the
// MIDs MUST be reset to 0"). The caller resets streams with nothing
// queued.
func (q *SendQueue) ResetSSNs(ids []chunk.StreamID) {
	if q == nil {
		return
	}
	reset := func(s *sendStream) { s.nextSSN, s.nextMID = 0, [2]chunk.MID{} }
	if len(ids) == 0 {
		q.streams.each(0, func(_ chunk.StreamID, s *sendStream) { reset(s) })
		return
	}
	for _, id := range ids {
		if s := q.streams.get(id); s != nil {
			reset(s)
		}
	}
}

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
// still waits; messages already queued for Pop stay queued.
func (r *Reassembly) ResetSSNs(ids []chunk.StreamID) {
	if r == nil {
		return
	}
	if len(ids) == 0 {
		r.ssns = ssnTable{}
		return
	}
	for _, id := range ids {
		if int(id) < r.numStreams {
			r.ssns.set(id, 0)
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
// reset (RFC 6525 Section 5.1.2). The caller resets streams with nothing
// queued.
func (q *SendQueue) ResetSSNs(ids []chunk.StreamID) {
	if q == nil {
		return
	}
	if len(ids) == 0 {
		q.streams.each(0, func(_ chunk.StreamID, s *sendStream) { s.nextSSN = 0 })
		return
	}
	for _, id := range ids {
		if s := q.streams.get(id); s != nil {
			s.nextSSN = 0
		}
	}
}

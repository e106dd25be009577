package stream

import "github.com/gensctp/gensctp/chunk"

// StampIData gives f, a fragment Next just handed out, the Message
// Identifier and Fragment Sequence Number of an I-DATA chunk (RFC 8260
// Section 2.1), for an association that negotiated user message
// interleaving: call it once per fragment, in the order Next hands them
// out. The first fragment of a message takes the next MID of its stream,
// one counter for ordered and one for unordered messages ("The sender
// uses two counters for each outgoing stream: one for ordered messages
// and one for unordered messages. All of these counters are independent
// and initially 0. They are incremented by 1 for each user message."),
// and FSN 0; each later fragment the next FSN ("starting from 0 and
// incremented by 1"). The SSN Next assigned is left as is: I-DATA does
// not carry it.
func (q *SendQueue) StampIData(f *Fragment) {
	m := f.Msg
	if m == nil {
		return
	}
	if f.Flags.Has(chunk.FlagBeginning) {
		s := q.streams.get(m.Stream)
		u := 0
		if m.Unordered {
			u = 1
		}
		if s != nil {
			m.mid = s.nextMID[u]
			s.nextMID[u]++
		}
		m.fsn = 0
	}
	f.MID, f.FSN = m.mid, m.fsn
	m.fsn++
}

// MID returns the I-DATA Message Identifier assigned to m with its first
// fragment (StampIData), or 0.
func (m *OutMessage) MID() chunk.MID { return m.mid }

// NextMID returns the MID the next ordered (unordered false) or unordered
// message of outbound stream id takes with StampIData.
func (q *SendQueue) NextMID(id chunk.StreamID, unordered bool) chunk.MID {
	s := q.streams.get(id)
	if s == nil {
		return 0
	}
	if unordered {
		return s.nextMID[1]
	}
	return s.nextMID[0]
}

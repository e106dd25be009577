package stream

import "github.com/gensctp/gensctp/chunk"

// MaxStreams is the largest number of streams an association can negotiate
// in one direction: the OS and MIS fields of INIT and INIT ACK are 16 bits
// (RFC 9260 Section 3.3.2), so stream identifiers run from 0 to 65534.
const MaxStreams = 65535

// clampStreams limits n to [0, MaxStreams].
func clampStreams(n int) int {
	return min(max(n, 0), MaxStreams)
}

// OutMessage is one user message to send.
//
// The caller fills the exported fields and hands the message to
// SendQueue.Enqueue. From then until the queue hands the last fragment out
// (or returns the message from Discard, DiscardAll or SetStreams), the
// queue owns the message and its Data: the caller must not modify either.
// Fragments alias Data, so the association keeps Data alive until the peer
// acknowledges every fragment.
type OutMessage struct {
	// Stream is the outbound stream identifier.
	Stream chunk.StreamID
	// PPID is the payload protocol identifier carried on every fragment.
	PPID chunk.PPID
	// Unordered requests unordered delivery (the U bit).
	Unordered bool
	// Data is the user message; it must not be empty. The queue does not
	// copy it.
	Data []byte
	// Context is an opaque value for the caller, for example the
	// sinfo_context reported in a send-failed event (RFC 6458 Section
	// 5.3.2). The queue ignores it.
	Context uint32
	// Tag is an opaque value for the caller. The queue ignores it.
	Tag any
	// PR holds the partial reliability of the message (RFC 3758, RFC
	// 7496) and what the association tracks of it. The queue ignores it.
	PR PRInfo

	sent   int       // bytes handed out by Next
	ssn    chunk.SSN // assigned with the first fragment (ordered only)
	mid    chunk.MID // I-DATA: assigned with the first fragment (StampIData)
	fsn    chunk.FSN // I-DATA: the FSN of the next fragment (StampIData)
	seq    uint64    // enqueue order, for the first-come-first-served scheduler
	queued bool
}

// PRInfo is what the association keeps of a message's partial
// reliability; the queue ignores it.
type PRInfo struct {
	// Policy and Value are the PR-SCTP policy and its value; their
	// meaning is the caller's.
	Policy uint8
	Value  uint32
	// UnsentBy is when the message is abandoned if none of it was sent
	// yet, SentBy when it is abandoned even if sent, in the caller's
	// time unit, when HasUnsentBy and HasSentBy are set.
	UnsentBy, SentBy       int64
	HasUnsentBy, HasSentBy bool
	// Lifetime is the lifetime the message was sent with, in the
	// caller's time unit, for the caller to report back.
	Lifetime int64
	// FirstTSN is the TSN of the first fragment handed out.
	FirstTSN chunk.TSN
	// Abandoned is set once the message is given up.
	Abandoned bool
}

// SentBytes returns how many bytes of Data the queue has handed out in
// fragments. A message returned by Discard, DiscardAll or SetStreams with
// SentBytes() > 0 was partly sent: the peer may hold its first fragments.
func (m *OutMessage) SentBytes() int { return m.sent }

// SSN returns the stream sequence number assigned to an ordered message
// when its first fragment was handed out, or 0.
func (m *OutMessage) SSN() chunk.SSN { return m.ssn }

// Fragment is the payload of one DATA chunk produced by SendQueue.Next. The
// association adds the TSN (RFC 9260 Section 6.9: "The transmitter MUST then
// assign, in sequence, a separate TSN to each of the DATA chunks in the
// series.").
type Fragment struct {
	// Stream, SSN and PPID go into the chunk header. SSN is 0 for
	// unordered messages (RFC 9260 Section 6.6: "The sender can fill the
	// 'Stream Sequence Number' with arbitrary value, but the receiver MUST
	// ignore the field.").
	Stream chunk.StreamID
	SSN    chunk.SSN
	PPID   chunk.PPID
	// Flags holds the B, E and U bits.
	Flags chunk.DataFlags
	// MID and FSN are the Message Identifier and Fragment Sequence
	// Number of an I-DATA chunk (RFC 8260 Section 2.1), set by
	// SendQueue.StampIData; zero for DATA.
	MID chunk.MID
	FSN chunk.FSN
	// Data aliases the message's Data: no copy is made.
	Data []byte
	// Msg is the message this fragment belongs to.
	Msg *OutMessage
}

// sendStream is the state of one outbound stream.
type sendStream struct {
	id       chunk.StreamID
	q        ring[*OutMessage]
	nextSSN  chunk.SSN
	nextMID  [2]chunk.MID // I-DATA: ordered, unordered (StampIData)
	buffered int
	inReady  bool // in SendQueue.ready or heap (not first come, first served)
	// The per-stream values (SetStreamValue) and the heap position of
	// the Priority, FairBandwidth and WeightedFairQueueing schedulers.
	prio   uint16
	weight uint16 // 0 means 1
	vt     uint64 // virtual time: bytes served scaled by vtUnit/weight
	turn   uint64 // when the stream last joined the heap
	hidx   int    // index in SendQueue.heap while inReady
}

// SendQueue holds the user messages not yet handed out for transmission,
// one FIFO per outbound stream, and picks the stream of the next message
// with a scheduler (RFC 8260 Section 3). It fragments messages on demand
// (RFC 9260 Section 6.9) and assigns stream sequence numbers (RFC 9260
// Section 6.5). It never copies user data and, once its queues have grown
// to their working size, Enqueue and Next do not allocate.
//
// A nil *SendQueue holds nothing: Buffered and DiscardAll treat it as an
// empty one, so that a caller can create the SendQueue with the first
// message it queues (an idle association never does).
//
// SendQueue is not safe for concurrent use; the caller serialises.
type SendQueue struct {
	numStreams int
	sched      Scheduler
	interleave bool
	// perFragment: interleave, and a scheduler other than first come,
	// first served, which picks a stream for each fragment.
	perFragment bool
	streams     table[sendStream]
	// ready lists the streams to serve next. Round robin (per message or
	// per packet): each stream with a queued message that is not held
	// (cur or pkt), once. First come, first served: the stream of every
	// queued message, in enqueue order, except the message cur is
	// sending.
	ready    ring[chunk.StreamID]
	cur      *sendStream // stream whose front message goes out back to back
	partial  int         // messages partly handed out, but cur's
	buffered int
	msgs     int
	seq      uint64

	// The other schedulers' state, after what every Next touches.
	// heap holds the streams to serve next of the Priority,
	// FairBandwidth and WeightedFairQueueing schedulers: each stream
	// with a queued message that is not cur, once.
	heap  streamHeap
	vnow  uint64      // virtual time of the stream picked last
	turns uint64      // heap joins so far
	pkt   *sendStream // stream of the current packet (RoundRobinPacket)
	// pktCarried: the packet began with the rest of pkt's message of
	// the packet before (RoundRobinPacket without interleaving).
	pktCarried bool
}

// NewSendQueue returns an empty queue for numStreams outbound streams
// (clamped to [0, MaxStreams]) using the round-robin scheduler.
func NewSendQueue(numStreams int) *SendQueue {
	return &SendQueue{numStreams: clampStreams(numStreams)}
}

// Streams returns the number of outbound streams.
func (q *SendQueue) Streams() int { return q.numStreams }

// Buffered returns the bytes of user data queued and not yet handed out by
// Next, over all streams.
func (q *SendQueue) Buffered() int {
	if q == nil {
		return 0
	}
	return q.buffered
}

// BufferedOn returns the bytes of user data queued on stream id and not
// yet handed out by Next.
func (q *SendQueue) BufferedOn(id chunk.StreamID) int {
	if s := q.streams.get(id); s != nil {
		return s.buffered
	}
	return 0
}

// Len returns the number of messages queued, counting a message whose
// first fragments were handed out but not its last.
func (q *SendQueue) Len() int { return q.msgs }

// Enqueue appends m to the queue of its stream. It fails with
// ErrEmptyMessage if m is nil or has no data, ErrInvalidStream if
// m.Stream is not below the number of streams, and ErrAlreadyQueued if m
// is queued already. On success the queue owns m and m.Data.
func (q *SendQueue) Enqueue(m *OutMessage) error {
	switch {
	case m == nil || len(m.Data) == 0:
		return ErrEmptyMessage
	case int(m.Stream) >= q.numStreams:
		return ErrInvalidStream
	case m.queued:
		return ErrAlreadyQueued
	}
	s, created := q.streams.getOrCreate(m.Stream)
	if created {
		s.id = m.Stream
	}
	m.sent, m.ssn, m.seq, m.queued = 0, 0, q.seq, true
	q.seq++
	s.q.push(m)
	s.buffered += len(m.Data)
	q.buffered += len(m.Data)
	q.msgs++
	q.markReady(s)
	return nil
}

// markReady records that s has a new message for the scheduler, or
// (other than first come, first served) more to send.
func (q *SendQueue) markReady(s *sendStream) {
	switch {
	case q.sched == FirstComeFirstServed:
		q.ready.push(s.id)
	case s.inReady || s == q.cur:
	case q.sched == RoundRobin: // the default first: no pkt to look at
		s.inReady = true
		q.ready.push(s.id)
	case s == q.pkt:
	case q.sched == RoundRobinPacket:
		s.inReady = true
		q.ready.push(s.id)
	default:
		s.inReady = true
		q.heapJoin(s)
	}
}

// unready takes s, whose queue just emptied, out of the scheduler
// (other than first come, first served).
func (q *SendQueue) unready(s *sendStream) {
	if !s.inReady {
		return
	}
	s.inReady = false
	if q.sched <= RoundRobinPacket {
		q.ready.filter(func(x chunk.StreamID) bool { return x != s.id })
	} else {
		q.heapRemove(s)
	}
}

// NextLen returns the number of bytes of user data left in the message
// that Next would take its next fragment from, and false if the queue is
// empty. The association uses it to avoid splitting a small message
// across packets.
func (q *SendQueue) NextLen() (int, bool) {
	s := q.peekStream()
	if s == nil {
		return 0, false
	}
	m, _ := s.q.front()
	return len(m.Data) - m.sent, true
}

// Next hands out the next fragment to send: at most maxPayload bytes of
// user data of the message the scheduler picks. Without interleaving,
// once a message's first fragment is out, Next continues that message
// until its last fragment before it serves another (RFC 8260 Section
// 3.2: "When not interleaving user messages, this scheduler provides a
// fair scheduling based on the number of user messages"); with
// interleaving (SetInterleave) the scheduler picks again for every
// fragment ("When interleaving user messages, this scheduler provides a
// fair scheduling based on the number of I-DATA chunks"). It returns
// false if the queue is empty, maxPayload is not positive, or the
// scheduler serves nothing more in this packet (RoundRobinPacket).
//
// The first fragment of an ordered message takes the stream's next SSN
// (RFC 9260 Section 6.5: "The Stream Sequence Number of an outgoing
// stream MUST be incremented by 1 for each ordered user message sent on
// that outgoing stream."), and every fragment of the message carries it
// (RFC 9260 Section 3.3.1: "the same Stream Sequence Number MUST be
// carried in each of the fragments of the message"). Unordered messages
// take no SSN (RFC 9260 Section 6.5: "For unordered user messages, the
// Stream Sequence Number MUST NOT be changed.").
func (q *SendQueue) Next(maxPayload int) (Fragment, bool) {
	if maxPayload <= 0 {
		return Fragment{}, false
	}
	s := q.cur
	picked := s == nil
	if picked {
		if q.sched == RoundRobin { // the default, inline
			id, ok := q.ready.pop()
			if !ok {
				return Fragment{}, false
			}
			s = q.streams.get(id)
			s.inReady = false
		} else if s = q.pick(); s == nil {
			return Fragment{}, false
		}
		q.cur = s
	}
	m, _ := s.q.front()
	var flags chunk.DataFlags
	if m.Unordered {
		flags |= chunk.FlagUnordered
	}
	if m.sent == 0 {
		flags |= chunk.FlagBeginning
		if !m.Unordered {
			m.ssn = s.nextSSN
			s.nextSSN = s.nextSSN.Add(1)
		}
	} else if picked {
		q.partial-- // a message left partly sent resumes
	}
	n := min(maxPayload, len(m.Data)-m.sent)
	f := Fragment{
		Stream: m.Stream, SSN: m.ssn, PPID: m.PPID,
		Data: m.Data[m.sent : m.sent+n : m.sent+n], Msg: m,
	}
	m.sent += n
	s.buffered -= n
	q.buffered -= n
	if q.sched >= FairBandwidth {
		q.charge(s, n)
	}
	switch {
	case m.sent == len(m.Data):
		flags |= chunk.FlagEnd
		s.q.pop()
		m.queued = false
		q.msgs--
		q.cur = nil
		switch {
		case s.q.len() == 0 || q.sched == FirstComeFirstServed:
		case q.sched == RoundRobin: // markReady, inline
			s.inReady = true
			q.ready.push(s.id)
		default:
			q.markReady(s)
		}
	case q.perFragment:
		// I-DATA: the scheduler picks again for the next fragment.
		q.cur = nil
		q.partial++
		q.markReady(s)
	}
	f.Flags = flags
	return f, true
}

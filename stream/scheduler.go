package stream

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/gensctp/gensctp/chunk"
)

// Scheduler selects how a SendQueue picks the stream of the next message
// or fragment (RFC 8260 Section 3). Without user message interleaving
// (DATA chunks, the default), a scheduler only picks the next message: a
// message's fragments always go out back to back. With interleaving on
// (SetInterleave, for I-DATA), every scheduler but FirstComeFirstServed
// picks a stream for every fragment.
type Scheduler uint8

// Schedulers. The numbering is gensctp's own; String gives the RFC 8260
// names.
const (
	// RoundRobin cycles over the streams that have queued messages, one
	// message per stream per turn (one fragment with interleaving); a
	// stream that gets its first message joins the end of the cycle. It
	// is SCTP_SS_RR of RFC 8260 Section 3.2 and the default.
	RoundRobin Scheduler = iota
	// FirstComeFirstServed sends messages in the order Enqueue accepted
	// them, whatever their stream. It is SCTP_SS_FCFS of RFC 8260 Section
	// 3.1: "It just passes through the messages in the order in which
	// they have been delivered by the application."; "The usage of user
	// message interleaving does not affect the sending of the chunks".
	FirstComeFirstServed
	// RoundRobinPacket is the round robin that switches streams only at
	// the start of a packet (SCTP_SS_RR_PKT, RFC 8260 Section 3.3: "It
	// bundles only DATA or I-DATA chunks referring to the same stream in
	// a packet."). The caller marks packets with StartPacket. Without
	// interleaving, a message begun in one packet is finished first.
	RoundRobinPacket
	// Priority serves the stream of the highest priority that has data
	// (SCTP_SS_PRIO, RFC 8260 Section 3.4): the lowest per-stream value,
	// 0 (the default) being the highest (RFC 8260 Section 4.3.2: "The
	// higher the assigned value, the lower the priority"). Streams of
	// equal priority are served round robin. With interleaving, a large
	// message of a lower priority yields to a higher priority between
	// its fragments.
	Priority
	// FairBandwidth gives every stream with data an equal share of the
	// bytes sent (SCTP_SS_FB, the fair capacity scheduler SCTP_SS_FC of
	// RFC 8260 Section 3.5): it serves the stream that has been served
	// the fewest bytes, by virtual time (see WeightedFairQueueing).
	FairBandwidth
	// WeightedFairQueueing shares the bytes sent between the streams
	// with data in proportion to their weights (SCTP_SS_WFQ, RFC 8260
	// Section 3.6: "If the weight of stream S1 is n times the weight of
	// stream S2, the scheduler should assign to stream S1 n times the
	// capacity it assigns to stream S2."). The weight is the per-stream
	// value, 1 by default. Each stream keeps a virtual time, advanced by
	// the bytes it is served divided by its weight; the stream of the
	// smallest virtual time goes next, and a stream that had no data
	// starts from the virtual time of the last stream served, so that
	// idleness earns no credit (start-time fair queueing).
	WeightedFairQueueing

	numSchedulers
)

// schedulerNames are the RFC 8260 Section 4.3.2 names, in order.
var schedulerNames = [numSchedulers]string{
	"SCTP_SS_RR", "SCTP_SS_FCFS", "SCTP_SS_RR_PKT", "SCTP_SS_PRIO", "SCTP_SS_FB", "SCTP_SS_WFQ",
}

// String returns the RFC 8260 name of the scheduler.
func (s Scheduler) String() string {
	if s < numSchedulers {
		return schedulerNames[s]
	}
	return "Scheduler(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the schedulers above.
func (s Scheduler) Valid() bool { return s < numSchedulers }

// HasStreamValue reports whether the scheduler uses a per-stream value
// (RFC 8260 Section 4.3.3): a priority (Priority) or a weight
// (WeightedFairQueueing).
func (s Scheduler) HasStreamValue() bool { return s == Priority || s == WeightedFairQueueing }

// ParseScheduler returns the scheduler of an RFC 8260 name, with or
// without its SCTP_SS_ prefix, in any case ("SCTP_SS_WFQ", "wfq");
// "SCTP_SS_DEFAULT" is RoundRobin and "SCTP_SS_FC" FairBandwidth. It
// reports false for an unknown name.
func ParseScheduler(name string) (Scheduler, bool) {
	n := strings.ToUpper(name)
	if !strings.HasPrefix(n, "SCTP_SS_") {
		n = "SCTP_SS_" + n
	}
	switch n {
	case "SCTP_SS_DEFAULT":
		return RoundRobin, true
	case "SCTP_SS_FC":
		return FairBandwidth, true
	}
	for i, s := range schedulerNames {
		if s == n {
			return Scheduler(i), true
		}
	}
	return 0, false
}

// Scheduler returns the scheduler in use.
func (q *SendQueue) Scheduler() Scheduler { return q.sched }

// SetInterleave turns user message interleaving on or off (off by
// default). Off, a message's fragments are handed out back to back, as
// DATA chunks require (RFC 8260 Section 1: with DATA, "a large message
// ... blocks all other messages" until its last fragment); the
// association keeps it off for DATA. On, every scheduler but
// FirstComeFirstServed picks a stream for each fragment, so Next may
// switch streams between the fragments of a message, as I-DATA allows
// (RFC 8260 Section 2.1); each stream still sends its own messages one
// after the other. Turned off while several messages are partly handed
// out, each of them is finished in turn once picked.
func (q *SendQueue) SetInterleave(on bool) {
	q.interleave = on
	q.perFragment = on && q.sched != FirstComeFirstServed
}

// Interleave reports whether user message interleaving is on.
func (q *SendQueue) Interleave() bool { return q.interleave }

// SetScheduler switches to scheduler s, keeping every queued message. A
// message being handed out back to back is finished first. Switching to
// FirstComeFirstServed orders the queued messages by the time Enqueue
// accepted them; switching to another scheduler starts it with the
// streams in order of their oldest message (the per-stream values stay).
// An unknown scheduler is ignored and false is returned. SetScheduler
// allocates; it is not meant for the hot path.
func (q *SendQueue) SetScheduler(s Scheduler) bool {
	if !s.Valid() {
		return false
	}
	q.sched = s
	q.perFragment = q.interleave && s != FirstComeFirstServed
	q.pkt, q.pktCarried = nil, false
	// Collect every queued message but the one cur is sending, oldest
	// first.
	var all []*OutMessage
	q.streams.each(0, func(_ chunk.StreamID, st *sendStream) {
		st.inReady = false
		for i := range st.q.len() {
			if i > 0 || st != q.cur {
				all = append(all, st.q.at(i))
			}
		}
	})
	slices.SortFunc(all, func(a, b *OutMessage) int { return cmp.Compare(a.seq, b.seq) })
	q.ready.reset()
	clear(q.heap.s)
	q.heap.s = q.heap.s[:0]
	for _, m := range all {
		st := q.streams.get(m.Stream)
		if s == FirstComeFirstServed {
			q.ready.push(st.id)
		} else {
			q.markReady(st)
		}
	}
	return true
}

// pick takes the stream to serve next out of the scheduler, or returns
// nil when none may be served now.
func (q *SendQueue) pick() *sendStream {
	var s *sendStream
	switch q.sched {
	case RoundRobin, FirstComeFirstServed:
		id, ok := q.ready.pop()
		if !ok {
			return nil
		}
		s = q.streams.get(id)
	case RoundRobinPacket:
		if p := q.pkt; p != nil {
			// RFC 8260 Section 3.3: only the packet's stream until the
			// next packet.
			if p.q.len() == 0 || q.pktCarried {
				return nil
			}
			return p
		}
		id, ok := q.ready.pop()
		if !ok {
			return nil
		}
		s = q.streams.get(id)
		q.pkt = s
	default:
		s = q.heapPop()
		if s == nil {
			return nil
		}
		q.vnow = s.vt
	}
	s.inReady = false
	return s
}

// peekStream returns the stream Next would serve, without taking it, or
// nil.
func (q *SendQueue) peekStream() *sendStream {
	if q.cur != nil {
		return q.cur
	}
	switch q.sched {
	case RoundRobin, FirstComeFirstServed:
	case RoundRobinPacket:
		if p := q.pkt; p != nil {
			if p.q.len() == 0 || q.pktCarried {
				return nil
			}
			return p
		}
	default:
		if len(q.heap.s) == 0 {
			return nil
		}
		return q.heap.s[0]
	}
	id, ok := q.ready.front()
	if !ok {
		return nil
	}
	return q.streams.get(id)
}

// StartPacket tells the queue that the fragments Next hands out from now
// on go into a new packet. Only RoundRobinPacket uses it: the stream of
// the previous packet, if it has more to send, goes to the end of the
// cycle and the next stream gets the packet (RFC 8260 Section 3.3: "only
// switches streams when starting to fill a new packet"), unless it is in
// the middle of a message that must go out back to back. Such a stream
// finishes its message in the packet but starts no other there: were it
// to start one too large for the rest of the packet, that one would have
// to go on in the next packet, and so on, and the stream would never
// yield.
func (q *SendQueue) StartPacket() {
	if q == nil || q.sched != RoundRobinPacket {
		return
	}
	p := q.pkt
	q.pkt, q.pktCarried = q.cur, q.cur != nil
	if p != nil && p != q.cur && p.q.len() > 0 {
		q.markReady(p)
	}
}

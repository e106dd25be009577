package stream

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/gensctp/gensctp/chunk"
)

// Scheduler selects how a SendQueue picks the stream of the next message
// (RFC 8260 Section 3). Without user message interleaving (DATA chunks), a
// scheduler only picks the next message: a message's fragments always go
// out back to back.
type Scheduler uint8

// Schedulers.
const (
	// RoundRobin cycles over the streams that have queued messages, one
	// message per stream per turn; a stream that gets its first message
	// joins the end of the cycle. It is SCTP_SS_RR of RFC 8260 Section
	// 3.2 and the default.
	RoundRobin Scheduler = iota
	// FirstComeFirstServed sends messages in the order Enqueue accepted
	// them, whatever their stream. It is SCTP_SS_FCFS of RFC 8260 Section
	// 3.1: "It just passes through the messages in the order in which
	// they have been delivered by the application."
	FirstComeFirstServed
)

// String returns the RFC 8260 name of the scheduler.
func (s Scheduler) String() string {
	switch s {
	case RoundRobin:
		return "SCTP_SS_RR"
	case FirstComeFirstServed:
		return "SCTP_SS_FCFS"
	}
	return "Scheduler(" + strconv.Itoa(int(s)) + ")"
}

// Scheduler returns the scheduler in use.
func (q *SendQueue) Scheduler() Scheduler { return q.sched }

// SetScheduler switches to scheduler s, keeping every queued message. A
// message partly handed out is finished first. Switching to
// FirstComeFirstServed orders the queued messages by the time Enqueue
// accepted them; switching to RoundRobin starts a cycle in order of each
// stream's oldest message. An unknown scheduler is ignored and false is
// returned. SetScheduler allocates; it is not meant for the hot path.
func (q *SendQueue) SetScheduler(s Scheduler) bool {
	if s != RoundRobin && s != FirstComeFirstServed {
		return false
	}
	q.sched = s
	// Collect every queued message that is not being sent, oldest first.
	var all []*OutMessage
	q.streams.each(0, func(_ chunk.StreamID, st *sendStream) {
		st.inReady = false
		for i := range st.q.len() {
			if m := st.q.at(i); m.sent == 0 {
				all = append(all, m)
			}
		}
	})
	slices.SortFunc(all, func(a, b *OutMessage) int { return cmp.Compare(a.seq, b.seq) })
	q.ready.reset()
	for _, m := range all {
		st := q.streams.get(m.Stream)
		switch {
		case s == FirstComeFirstServed:
			q.ready.push(st.id)
		case !st.inReady && st != q.cur:
			st.inReady = true
			q.ready.push(st.id)
		}
	}
	return true
}

package association

import (
	"errors"
	"strconv"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// PRPolicy is the partial reliability policy of a message: RFC 3758
// Section 4 (timed reliability) and RFC 7496 Section 3 (limited
// retransmissions, priority), the sinfo_pr_policy of RFC 6458 Section
// 5.3.7. A policy abandons a message the peer has not acknowledged:
// whole, all its fragments, sent or not (RFC 3758 Section 3.5 A3); sent
// fragments need PR-SCTP negotiated (PartialReliability), and without it
// only the messages not sent yet are abandoned.
type PRPolicy uint8

// The policies.
const (
	// PRNone: reliable (SCTP_PR_SCTP_NONE).
	PRNone PRPolicy = iota
	// PRTimed: abandoned once PRValue milliseconds passed since Send,
	// sent or not (SCTP_PR_SCTP_TTL, RFC 3758 Section 4.1).
	PRTimed
	// PRRetransmit: abandoned when a DATA chunk of the message would be
	// retransmitted more than PRValue times, by timeout or Fast
	// Retransmit (SCTP_PR_SCTP_RTX, RFC 7496 Section 3.1); 0 never
	// retransmits.
	PRRetransmit
	// PRPriority: PRValue is the priority, 0 the highest; when a message
	// does not fit in the send buffer, queued messages of this policy
	// with a lower priority (a larger PRValue) are abandoned to make room
	// (SCTP_PR_SCTP_PRIO, RFC 7496 Section 3.2). Reliable messages rank
	// above every message of this policy.
	PRPriority
	// PRPolicies is the number of policies.
	PRPolicies
)

// String returns the RFC 7496 name of the policy.
func (p PRPolicy) String() string {
	switch p {
	case PRNone:
		return "SCTP_PR_SCTP_NONE"
	case PRTimed:
		return "SCTP_PR_SCTP_TTL"
	case PRRetransmit:
		return "SCTP_PR_SCTP_RTX"
	case PRPriority:
		return "SCTP_PR_SCTP_PRIO"
	}
	return "PRPolicy(" + strconv.Itoa(int(p)) + ")"
}

// ErrInvalidPolicy: Send was given a PRPolicy that does not exist.
var ErrInvalidPolicy = errors.New("association: invalid partial reliability policy")

// PRCounts counts abandoned messages: Unsent before any fragment was
// sent, Sent after (RFC 7496 Section 4.3, sprstat_abandoned_unsent and
// sprstat_abandoned_sent).
type PRCounts struct {
	Unsent, Sent uint64
}

// PRStatus holds the partial reliability counters of an association
// (RFC 7496 Section 4.4, SCTP_PR_ASSOC_STATUS).
type PRStatus struct {
	// Abandoned counts the messages abandoned, by the policy that
	// abandoned them (index PRPolicy): PRNone counts those whose
	// TimeToLive ended before they were sent (RFC 9260 Section 10.1),
	// with no policy.
	Abandoned [PRPolicies]PRCounts
	// ForwardTSNsSent counts the FORWARD TSN chunks in the packets
	// AppendPacket returned. ForwardTSNsReceived counts the FORWARD TSN
	// chunks the association accepted (RFC 3758 Section 3.6): well
	// formed, with PR-SCTP negotiated, in a packet whose verification tag
	// it verified, in the states that take DATA (ESTABLISHED,
	// SHUTDOWN-PENDING, SHUTDOWN-SENT) and within the receive window,
	// out-of-date ones (New Cumulative TSN at or behind its Cumulative
	// TSN Ack Point, answered with a SACK) included. The ones it discards
	// are not counted; DetailStats.ChunksReceived counts every chunk of
	// the packets received.
	ForwardTSNsSent, ForwardTSNsReceived uint64
}

// Total returns the abandoned messages of every policy (SCTP_PR_SCTP_ALL).
func (s PRStatus) Total() PRCounts {
	var t PRCounts
	for _, c := range s.Abandoned {
		t.Unsent += c.Unsent
		t.Sent += c.Sent
	}
	return t
}

// PRStatus returns the partial reliability counters.
func (a *Association) PRStatus() PRStatus {
	if a.prs == nil {
		return PRStatus{}
	}
	return a.prs.stats
}

// PRStreamStatus returns the messages of outbound stream id abandoned, by
// policy (RFC 7496 Section 4.3, SCTP_PR_STREAM_STATUS).
func (a *Association) PRStreamStatus(id chunk.StreamID) [PRPolicies]PRCounts {
	if a.prs == nil || a.prs.streams[id] == nil {
		return [PRPolicies]PRCounts{}
	}
	return *a.prs.streams[id]
}

// prState is the partial reliability state of an association, created
// with its first use (pr): an association that abandons nothing and
// receives no FORWARD TSN does not pay for it.
type prState struct {
	stats   PRStatus
	streams map[chunk.StreamID]*[PRPolicies]PRCounts
	// advPoint is the Advanced.Peer.Ack.Point of RFC 3758 Section 3.5
	// A1, valid when hasAdv (see advancedPoint).
	advPoint chunk.TSN
	hasAdv   bool
	// lastFwd is the Advanced.Peer.Ack.Point of the last FORWARD TSN
	// sent, at lastFwdAt (hasFwd); again lets the same one go again (see
	// forwardAgain).
	lastFwd   chunk.TSN
	lastFwdAt timer.Time
	hasFwd    bool
	again     bool
	// prioQueued counts the messages of the priority policy in the send
	// queue; expiring the messages in it with a lifetime, which the
	// lifetime timer abandons when it ends (sweepExpired).
	prioQueued, expiring int
	lifetime             timer.Timer
	// seen maps a stream to its entry in the FORWARD TSN being built.
	seen map[chunk.StreamID]int
}

// pr returns the partial reliability state, created at its first use.
func (a *Association) pr() *prState {
	if a.prs == nil {
		a.prs = &prState{lifetime: timer.Timer{ID: timer.Lifetime}}
		a.timers.Add(&a.prs.lifetime)
	}
	return a.prs
}

// countAbandoned counts the message m abandoned by policy, sent or not.
func (a *Association) countAbandoned(m *stream.OutMessage, policy PRPolicy, sent bool) {
	s := a.pr()
	c := &s.stats.Abandoned[policy]
	if s.streams == nil {
		s.streams = make(map[chunk.StreamID]*[PRPolicies]PRCounts)
	}
	ps := s.streams[m.Stream]
	if ps == nil {
		ps = new([PRPolicies]PRCounts)
		s.streams[m.Stream] = ps
	}
	if sent {
		c.Sent++
		ps[policy].Sent++
	} else {
		c.Unsent++
		ps[policy].Unsent++
	}
}

// setPR records the partial reliability of a message sent at now with
// info in m.PR.
func (a *Association) setPR(now timer.Time, m *stream.OutMessage, info SendInfo) {
	m.PR = stream.PRInfo{Policy: uint8(info.PRPolicy), Value: info.PRValue, Lifetime: int64(info.TimeToLive)}
	if info.TimeToLive > 0 {
		m.PR.UnsentBy, m.PR.HasUnsentBy = int64(now.Add(info.TimeToLive)), true
	}
	if info.PRPolicy == PRTimed {
		by := int64(now.Add(msDuration(info.PRValue)))
		m.PR.SentBy, m.PR.HasSentBy = by, true
		if !m.PR.HasUnsentBy || by < m.PR.UnsentBy {
			m.PR.UnsentBy, m.PR.HasUnsentBy = by, true
		}
	}
	s := a.pr()
	if m.PR.HasUnsentBy {
		s.expiring++
		a.armLifetime(now, timer.Time(m.PR.UnsentBy))
	}
	if info.PRPolicy == PRPriority {
		s.prioQueued++
	}
}

// unqueued updates the counts of setPR once m left the send queue (sent
// whole, or abandoned).
func (a *Association) unqueued(m *stream.OutMessage) {
	if a.prs == nil {
		return
	}
	if m.PR.HasUnsentBy {
		a.prs.expiring--
	}
	if PRPolicy(m.PR.Policy) == PRPriority {
		a.prs.prioQueued--
	}
}

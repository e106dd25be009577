package association

import (
	"github.com/gensctp/gensctp/timer"
)

// onT3Expired handles the expiry of T3-rtx for path p (RFC 9260 Section
// 6.3.3).
func (a *Association) onT3Expired(now timer.Time, p *path) {
	if a.out.len() == 0 || !a.canSendData() && a.state != StateShutdownPending {
		return
	}
	if p.flightSize == 0 && !a.hasMarkedFor(p) {
		// Nothing outstanding on p: a stale expiry, or (PR-SCTP) a
		// FORWARD TSN to send again (RFC 3758 Section 3.5 A5).
		a.forwardOnT3(now, p, true)
		return
	}
	a.stats.T3Expirations++
	a.logTimer("T3-rtx", p)
	a.pmtudOnT3(p)
	// E1: "adjust its ssthresh with rules defined in Section 7.2.3 and set
	// cwnd = PMDCS."
	p.cc.OnRetransmitTimeout()
	// E2: "set RTO = RTO * 2 ("back off the timer")", capped at RTO.Max.
	p.rto.Backoff()
	p.rttActive = false
	// RFC 9260 Section 6.1 rule A: window probes that go unanswered while
	// SACKs keep arriving "SHOULD NOT increment the error counter". The
	// window is closed and a SACK came in after the last transmission of
	// what is outstanding on p: the peer got the probe and had no room for
	// it. (A SACK within one RTO, the test this replaces, missed the
	// answer to a probe sent before the RTO was backed off and then
	// lowered by a heartbeat's RTT measurement.)
	probing := a.peerARwnd == 0 && a.lastSACK >= a.lastSentOn(p)
	// Every outstanding chunk sent to p is marked for retransmission; E3
	// sends as many as fit in one packet (cwnd is now one PMDCS), the rest
	// "SHOULD be marked for retransmission and sent as soon as cwnd
	// allows".
	for i := 0; i < a.out.len(); i++ {
		if c := a.out.index(i); c.path == p && !c.acked && !c.abandoned {
			if a.abandonOnRetransmit(now, c) {
				continue
			}
			a.markForRetransmit(c)
			c.fastDue = false // resent now because of the timeout
		}
	}
	a.forwardOnT3(now, p, false)
	for _, q := range a.paths {
		q.fastRtxPending = false
	}
	// RFC 9260 Section 7.2.4 does not say to leave Fast Recovery on a
	// timeout; T3 recovery supersedes it, as in RFC 5681.
	a.inRecovery = false
	wasPF := p.state == PathPotentiallyFailed
	if !probing && a.countError(now, p, true) {
		return // the association failed
	}
	if !wasPF && p.state == PathPotentiallyFailed && p.hbEnabled {
		// RFC 7829 Section 3.2 rule 6: "HEARTBEATs are sent when a
		// destination address reaches the PF state", then once per RTO
		// (rule 5), so that a HEARTBEAT ACK can bring it back (rule 7).
		// (When a heartbeat timeout made it PF, onHeartbeatTimer sends.)
		a.sendHeartbeat(now, p)
		a.startHeartbeat(now, p)
	}
	// E3 and E4: the retransmission goes to an alternate active
	// destination if there is one, and its T3-rtx starts when it is sent
	// (rule R1).
	a.rtxPath = a.retransmitPath(p)
}

// lastSentOn returns the time of the last transmission of the chunks
// outstanding on p.
func (a *Association) lastSentOn(p *path) timer.Time {
	var last timer.Time
	for i := 0; i < a.out.len(); i++ {
		if c := a.out.index(i); c.path == p && !c.acked && !c.abandoned && c.sentAt > last {
			last = c.sentAt
		}
	}
	return last
}

// retransmitPath returns where retransmissions of data last sent to p go:
// an active alternate destination if one exists (RFC 9260 Section 6.4:
// "the endpoint SHOULD try to retransmit ... to an active destination
// transport address that is different from the last destination address
// to which the DATA chunk was sent").
func (a *Association) retransmitPath(p *path) *path {
	if a.primary != p && a.primary.state == PathActive {
		return a.primary
	}
	for _, q := range a.paths {
		if q != p && q.state == PathActive {
			return q
		}
	}
	return a.dataPath()
}

// countError increments the error counters of p and, with assoc, of the
// association after an unanswered transmission (RFC 9260 Sections 8.1 and
// 8.2), and reports whether the association was torn down.
func (a *Association) countError(now timer.Time, p *path, assoc bool) bool {
	// RFC 9260 Section 8.3: once the address is inactive, "the endpoint
	// SHOULD continue sending HEARTBEAT chunks on this destination address
	// but SHOULD stop increasing the counter."
	if p.state != PathInactive {
		p.errorCount++
		p.lastError = now
	}
	if assoc {
		a.errorCount++
	}
	// RFC 7829 Section 5.1: "The SCTP sender SHOULD declare a destination
	// address in the active state as PF ... if the error count of the
	// destination address exceeds PFMR" (with PFMR < PMR).
	if a.cfg.PotentiallyFailed && p.state == PathActive && p.errorCount > a.cfg.PFMaxRetrans &&
		p.errorCount <= p.maxRetrans {
		p.state = PathPotentiallyFailed
		a.logPath(p, PathActive)
	}
	// RFC 9260 Section 8.2: "When the value of this counter exceeds the
	// protocol parameter 'Path.Max.Retrans' of that destination address,
	// the endpoint SHOULD mark the destination transport address as
	// inactive".
	if p.errorCount > p.maxRetrans && p.state != PathInactive && p.state != PathUnconfirmed {
		a.setPathState(p, PathInactive, 0)
	}
	// RFC 9260 Section 8.1: "If the value of this counter exceeds the
	// limit indicated in the protocol parameter 'Association.Max.Retrans',
	// the endpoint SHOULD consider the peer endpoint unreachable and SHALL
	// stop transmitting any more data to it (and thus the association
	// enters the CLOSED state)."
	if a.errorCount > a.cfg.MaxRetrans {
		a.abort(now, nil, CommLost)
		return true
	}
	return false
}

// setPathState changes the state of p and reports it (RFC 6458 Section
// 6.1.2 events).
func (a *Association) setPathState(p *path, s PathState, cause uint16) {
	if p.state == s {
		return
	}
	old := p.state
	p.state = s
	a.logPath(p, old)
	a.pmtudPathState(p)
	if old == PathPotentiallyFailed && s == PathActive || s == PathPotentiallyFailed {
		return // RFC 7829 states are internal; gen_sctp has no event for them
	}
	var ev PaddrState
	switch {
	case s == PathActive && old == PathUnconfirmed:
		ev = AddrConfirmed
	case s == PathActive:
		ev = AddrAvailable
	case s == PathInactive:
		ev = AddrUnreachable
	default:
		return
	}
	a.pushEvent(&PaddrChange{Addr: p.remote, State: ev})
	if ev == AddrConfirmed {
		a.asconfConfirmed(p)
	}
}

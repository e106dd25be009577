package association

import (
	"encoding/binary"
	"net/netip"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// heartbeatInfoLen is the size of our Sender-Specific Heartbeat Info: the
// path index, a 64-bit nonce (RFC 9260 Section 5.4: "it MUST include a
// random nonce of length 64 bits or longer") and the send time.
const heartbeatInfoLen = 4 + 8 + 8

// startHeartbeat arms the heartbeat timer of p (RFC 9260 Section 8.3: "On
// an idle destination address that is allowed to heartbeat, it is
// RECOMMENDED that a HEARTBEAT chunk is sent once per RTO of that
// destination address plus the protocol parameter 'HB.interval', with
// jittering of +/- 50% of the RTO value").
func (a *Association) startHeartbeat(now timer.Time, p *path) {
	if !p.hbEnabled && p.state != PathUnconfirmed {
		p.hb.Stop()
		return
	}
	d := p.hbInterval + a.jitter(p.rto.RTO())
	switch {
	case p.state == PathUnconfirmed && p.errorCount <= p.maxRetrans:
		// RFC 9260 Section 5.4: "In each RTO, a probe MAY be sent on an
		// active UNCONFIRMED path ... If during this probing the path
		// becomes inactive, this rate is lowered to the normal HEARTBEAT
		// rate."
		d = p.rto.RTO()
	case p.state == PathPotentiallyFailed:
		// RFC 7829 Section 5.1: a PF destination is probed with
		// heartbeats "at a rate of one per RTO".
		d = p.rto.RTO()
	}
	p.hb.Start(now, d)
}

// onHeartbeatTimer sends a HEARTBEAT on p if it was idle, and counts an
// error if the previous one went unanswered (RFC 9260 Section 8.3: "When
// the value of this counter exceeds ... Path.Max.Retrans ... the endpoint
// SHOULD mark the destination transport address as inactive").
func (a *Association) onHeartbeatTimer(now timer.Time, p *path) {
	if a.state < StateEstablished || a.state == StateClosed {
		return
	}
	if a.state == StateShutdownSent || a.state == StateShutdownAckSent {
		// RFC 9260 Section 8.3: "The sending of HEARTBEAT chunks ... is
		// discontinued after sending either a SHUTDOWN chunk or SHUTDOWN
		// ACK chunk." T2-shutdown watches the peer from now on.
		p.hbOutstanding = false
		return
	}
	if p.hbOutstanding {
		p.hbOutstanding = false
		p.rto.Backoff()
		// RFC 9260 Section 8.1: "Unacknowledged HEARTBEAT chunks observed
		// on paths different from the path currently used for data
		// transfer SHOULD NOT increment the association error counter";
		// Section 5.4: "When probing UNCONFIRMED addresses, however, the
		// association overall error count is not incremented."
		assoc := p == a.dataPath() && p.state != PathUnconfirmed
		if a.countError(now, p, assoc) {
			return
		}
	}
	// RFC 9260 Section 8.3: "A destination transport address is
	// considered "idle" if no new chunk that can be used for updating path
	// RTT (usually including first transmission DATA, INIT, COOKIE ECHO, or
	// HEARTBEAT chunks, etc.) and no HEARTBEAT chunk has been sent to it
	// within the current heartbeat period of that address."
	idle := now.Sub(p.lastProbe) >= p.hbInterval || p.state != PathActive
	switch {
	case idle && p.state == PathUnconfirmed:
		a.probeUnconfirmed(now, p)
		return
	case idle:
		a.sendHeartbeat(now, p)
	}
	a.startHeartbeat(now, p)
}

// probeUnconfirmed sends the path-verification HEARTBEAT that the timer of
// the unconfirmed path p asks for, within HB.Max.Burst (RFC 9260 Section
// 5.4: "The number of packets containing HEARTBEAT chunks sent at each RTO
// SHOULD be limited by the 'HB.Max.Burst' parameter. It is an
// implementation decision as to how to distribute packets containing
// HEARTBEAT chunks to the peer's addresses for path verification."): at
// most Config.HBMaxBurst probes per RTO of the primary path, each to the
// unconfirmed path that has waited longest for one (p, or a path deferred
// earlier). A path left out waits for the next RTO; it sent nothing, so
// no error is counted against it.
func (a *Association) probeUnconfirmed(now timer.Time, p *path) {
	if now >= a.probeEnd {
		a.probeEnd = now.Add(a.primary.rto.RTO())
		a.probesLeft = a.cfg.HBMaxBurst
	}
	q := p
	if a.probesLeft > 0 {
		for _, r := range a.paths {
			if r.probeWait && r.state == PathUnconfirmed && r.probeSeq < q.probeSeq {
				q = r
			}
		}
		a.probesLeft--
		a.probeSeq++
		q.probeSeq, q.probeWait = a.probeSeq, false
		a.sendHeartbeat(now, q)
		a.startHeartbeat(now, q)
		if q == p {
			return
		}
	}
	p.probeWait = true
	p.hb.Start(now, a.probeEnd.Sub(now))
}

// sendHeartbeat queues a HEARTBEAT with a fresh nonce for p.
func (a *Association) sendHeartbeat(now timer.Time, p *path) {
	p.hbNonce = a.rnd.Uint64()
	p.hbOutstanding = true
	p.lastProbe = now
	info := make([]byte, heartbeatInfoLen)
	binary.BigEndian.PutUint32(info, uint32(a.pathIndex(p)))
	binary.BigEndian.PutUint64(info[4:], p.hbNonce)
	binary.BigEndian.PutUint64(info[12:], uint64(now))
	// One HEARTBEAT waits per path: a new nonce makes the older one
	// useless.
	a.dropCtrlTo(chunk.TypeHeartbeat, p)
	a.queueCtrl(ctrlChunk{c: &chunk.Heartbeat{Info: info}, to: p})
}

// RequestHeartbeat sends a HEARTBEAT to every path at once (gen_sctp
// sctp_paddrparams hb_demand).
func (a *Association) RequestHeartbeat(now timer.Time) {
	if a.state < StateEstablished {
		return
	}
	for _, p := range a.paths {
		a.sendHeartbeat(now, p)
	}
}

func (a *Association) pathIndex(p *path) int {
	for i, q := range a.paths {
		if q == p {
			return i
		}
	}
	return -1
}

// handleHeartbeat answers a HEARTBEAT with a HEARTBEAT ACK carrying the
// same information, sent to the source of the HEARTBEAT (RFC 9260 Section
// 8.3: "The receiver of the HEARTBEAT chunk SHOULD immediately respond with
// a HEARTBEAT ACK chunk that contains the Heartbeat Information TLV,
// together with any other received TLVs, copied unchanged").
//
// A HEARTBEAT ACK that would not fit the PMTU of that path (Section 6.10:
// "The total size of the resultant SCTP packet MUST be less that or equal
// to the current PMTU"), or beyond the reply allowance of the packet (see
// queueAnswer), is not sent: the HEARTBEAT goes unanswered, as a lost one
// would.
func (a *Association) handleHeartbeat(now timer.Time, from netip.AddrPort, c *chunk.Heartbeat) error {
	if a.state < StateEstablished {
		return discard("HEARTBEAT before the association is up", chunk.TypeHeartbeat, nil)
	}
	to := a.pathOrPrimary(from)
	ack := chunk.HeartbeatAck{Info: c.Info}
	if n := packet.HeaderLen + ack.Len(); n > to.mtu || n > a.replyAllowance {
		return discard("HEARTBEAT ACK would exceed the PMTU or the reply allowance", chunk.TypeHeartbeat, nil)
	}
	ack.Info = append([]byte(nil), c.Info...)
	if !a.queueAnswer(ctrlChunk{c: &ack, to: to}) {
		return discard("control queue full", chunk.TypeHeartbeat, nil)
	}
	return nil
}

// heartbeatPath returns the path whose HEARTBEAT carried the index i and
// the nonce, or nil: the i-th path, or, since a path the peer deleted
// (RFC 5061) moves those after it down, the one waiting for that nonce.
func (a *Association) heartbeatPath(i int, nonce uint64) *path {
	if i >= 0 && i < len(a.paths) && a.paths[i].hbOutstanding && a.paths[i].hbNonce == nonce {
		return a.paths[i]
	}
	for _, p := range a.paths {
		if p.hbOutstanding && p.hbNonce == nonce {
			return p
		}
	}
	return nil
}

// handleHeartbeatAck measures the RTT, confirms the path and clears its
// error counter (RFC 9260 Section 8.3: "Upon the receipt of the HEARTBEAT
// ACK, the sender of the HEARTBEAT chunk SHOULD clear the error counter of
// the destination transport address to which the HEARTBEAT chunk was sent
// ... and SHOULD measure the RTT").
func (a *Association) handleHeartbeatAck(now timer.Time, _ *path, c *chunk.HeartbeatAck) error {
	if len(c.Info) == probeInfoLen {
		return a.handleProbeAck(now, c)
	}
	if len(c.Info) != heartbeatInfoLen {
		return discard("foreign heartbeat information", chunk.TypeHeartbeatAck, nil)
	}
	// RFC 9260 Section 5.4: the nonce must match to confirm the path.
	p := a.heartbeatPath(int(binary.BigEndian.Uint32(c.Info)), binary.BigEndian.Uint64(c.Info[4:]))
	if p == nil {
		return discard("stale heartbeat nonce", chunk.TypeHeartbeatAck, nil)
	}
	sent := timer.Time(binary.BigEndian.Uint64(c.Info[12:]))
	p.hbOutstanding = false
	p.measure(now.Sub(sent))
	p.errorCount = 0
	// RFC 9260 Section 8.1: "The receiver of the HEARTBEAT ACK chunk MAY
	// choose not to clear the counter if there is outstanding data on the
	// association. This allows for handling the possible difference in
	// reachability based on DATA chunks and HEARTBEAT chunks." It does:
	// a peer that answers HEARTBEATs and never acknowledges our DATA (a
	// path that loses large packets only, a peer whose TSNs no longer
	// match ours) fails the association after Association.Max.Retrans
	// timeouts instead of holding it open for ever. A SACK acknowledging
	// data clears the counter (Section 8.3), and window probes answered
	// by SACKs do not count (Section 6.1 rule A).
	if a.out.len() == 0 {
		a.errorCount = 0
	}
	if p.state != PathActive {
		a.setPathState(p, PathActive, 0)
	}
	return nil
}

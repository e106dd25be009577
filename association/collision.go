package association

import (
	"net/netip"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// handleInit processes an INIT that arrives for this association (RFC 9260
// Section 5.2): an initialization collision in COOKIE-WAIT or
// COOKIE-ECHOED (Section 5.2.1), an unexpected INIT in the other states
// (Section 5.2.2), or, in SHUTDOWN-ACK-SENT, a lost SHUTDOWN COMPLETE
// (Section 9.2).
func (a *Association) handleInit(now timer.Time, from netip.AddrPort, init *chunk.Init) error {
	r := responder{cfg: &a.cfg, keys: a.keys, rnd: a.rnd}
	switch a.state {
	case StateClosed:
		return discard("INIT for a closed association", chunk.TypeInit, nil)
	case StateShutdownAckSent:
		// RFC 9260 Section 9.2: "the endpoint MUST discard the INIT chunk
		// and retransmit the SHUTDOWN ACK chunk."
		a.queueCtrl(ctrlChunk{c: &chunk.ShutdownAck{}})
		return nil
	case StateCookieWait, StateCookieEchoed:
		// RFC 9260 Section 5.2.1: reply "using the same parameters it sent
		// in its original INIT chunk (including its Initiate Tag,
		// unchanged)". In COOKIE-ECHOED, "it MUST populate its Tie-Tags
		// within both the association TCB and inside the State Cookie".
		if a.state == StateCookieEchoed && a.addsAddresses(init) {
			a.abortWithTag(init.InitiateTag, &chunk.RestartWithNewAddressesCause{Addresses: []byte{}})
			return nil
		}
		var lt, pt chunk.VerificationTag
		if a.state == StateCookieEchoed {
			lt, pt = a.localTag, a.peerTag
			a.localTieTag, a.peerTieTag = lt, pt
		}
		reply := r.answerInit(now, init, a.localTag, a.nextTSN, lt, pt, nil)
		a.queueRawTo(reply, from)
		return nil
	}
	// RFC 9260 Section 5.2.2: check for new addresses, then answer with a
	// new Initiate Tag and the current tags as tie-tags.
	if a.addsAddresses(init) {
		a.abortWithTag(init.InitiateTag, &chunk.RestartWithNewAddressesCause{Addresses: []byte{}})
		return nil
	}
	a.localTieTag, a.peerTieTag = a.localTag, a.peerTag
	reply := r.answerInit(now, init, 0, 0, a.localTag, a.peerTag, nil)
	a.queueRawTo(reply, from)
	return nil
}

// addsAddresses reports whether init lists a peer address this
// association does not know.
func (a *Association) addsAddresses(init *chunk.Init) bool {
	for _, p := range init.Params {
		var addr netip.Addr
		switch p := p.(type) {
		case *chunk.IPv4Address:
			addr = p.NetIP()
		case *chunk.IPv6Address:
			addr = p.NetIP()
		default:
			continue
		}
		if a.pathFor(addr) == nil {
			return true
		}
	}
	return false
}

// handleCookieEchoTCB processes a COOKIE ECHO for an existing association
// (RFC 9260 Section 5.2.4). It reports whether the rest of the packet is
// to be processed.
func (a *Association) handleCookieEchoTCB(now timer.Time, p *packet.Packet, ce *chunk.CookieEcho) (bool, error) {
	var ck cookie
	if err := ck.decode(ce.Cookie, a.keys); err != nil {
		return false, discard("bad cookie", chunk.TypeCookieEcho, err) // steps 1 and 2
	}
	if ck.localPort != p.DstPort || ck.peerPort != p.SrcPort || ck.localTag != p.VerificationTag {
		return false, discard("cookie does not match the packet", chunk.TypeCookieEcho, nil)
	}
	a.cookieVerified = true // the packet is authentic (RFC 6951 Section 5.4)
	localM := ck.localTag == a.localTag
	peerM := a.peerTag != 0 && ck.peerTag == a.peerTag
	// Step 3: a stale cookie is valid only when both tags match (case E).
	if st := ck.staleness(now); st > 0 && !(localM && peerM) {
		a.queueRaw(staleCookieReply(p.Header, ck.peerTag, st, nil), a.primary)
		return false, discard("stale cookie", chunk.TypeCookieEcho, nil)
	}
	switch {
	case !localM && !peerM && a.peerTag != 0 &&
		ck.localTieTag == a.localTieTag && ck.peerTieTag == a.peerTieTag && ck.localTieTag != 0:
		return a.cookieRestart(now, &ck) // action A
	case localM && !peerM:
		// Action B: "update its peer's Verification Tag from the State
		// Cookie, stop any T1-init or T1-cookie timers that might be
		// running, and send a COOKIE ACK chunk."
		wasUp := a.state >= StateEstablished
		a.peerTag = ck.peerTag
		if !wasUp {
			a.setupFromCookieCollision(&ck)
		}
		a.queueCtrl(ctrlChunk{c: &chunk.CookieAck{}})
		if !wasUp {
			a.established(now, CommUp)
		}
		a.t1.Stop()
		return true, nil
	case !localM && peerM && ck.localTieTag == 0 && ck.peerTieTag == 0:
		// Action C: "The cookie SHOULD be silently discarded."
		return false, discard("late cookie (action C)", chunk.TypeCookieEcho, nil)
	case localM && peerM:
		// Action D: "enter the ESTABLISHED state if it is in the
		// COOKIE-ECHOED state ... stop any T1-cookie timer ... and send a
		// COOKIE ACK chunk."
		if a.state == StateCookieEchoed || a.state == StateCookieWait {
			a.setupFromCookieCollision(&ck)
			a.established(now, CommUp)
		}
		a.queueCtrl(ctrlChunk{c: &chunk.CookieAck{}})
		return true, nil
	}
	return false, discard("cookie matches no case of Table 12", chunk.TypeCookieEcho, nil)
}

// setupFromCookieCollision completes the TCB from the peer's side of a
// collision when the peer's INIT ACK was never processed here.
func (a *Association) setupFromCookieCollision(ck *cookie) {
	if a.state == StateCookieWait {
		a.outbound, a.inbound = ck.outbound, ck.inbound
		a.rcv.init(ck.peerTSN)
		a.peerARwnd, a.peerRwnd = ck.peerRwnd, int(ck.peerRwnd)
		a.sendq.SetStreams(int(a.outbound))
		a.reasm.SetStreams(int(a.inbound))
		a.peerFeatures, a.peerAdaptation = ck.peerFeatures, ck.peerAdaptation
	}
	a.dropCtrl(chunk.TypeInit)
	a.dropCtrl(chunk.TypeCookieEcho)
}

// cookieRestart handles action A of RFC 9260 Section 5.2.4: the peer
// restarted.
func (a *Association) cookieRestart(now timer.Time, ck *cookie) (bool, error) {
	if a.state == StateShutdownAckSent {
		// "it MUST NOT set up a new association but instead resend the
		// SHUTDOWN ACK chunk and send an ERROR chunk with a "Cookie
		// Received While Shutting Down" error cause to its peer."
		a.queueCtrl(ctrlChunk{c: &chunk.ShutdownAck{}})
		a.queueCtrl(ctrlChunk{c: &chunk.OperationError{Causes: []chunk.Cause{
			&chunk.CookieWhileShuttingDownCause{}}}})
		return false, nil
	}
	// "the existing session is treated the same as if it received an
	// ABORT chunk followed by a new COOKIE ECHO chunk": outstanding data is
	// failed back to the user, the TCB is rebuilt, "All the congestion
	// control parameters ... MUST be reset to their initial values".
	a.failOutstanding(0)
	// The restarted peer starts its stream sequence numbers from 0 again
	// and so do we, as in a new association: the old stream state goes,
	// with any partially delivered message.
	for _, pa := range a.reasm.AbortPartial() {
		a.pushEvent(&PDAPIEvent{Indication: PartialDeliveryAborted, Stream: pa.Stream})
	}
	a.newStreams()
	a.resetTransfer()
	for _, p := range a.paths {
		a.resetPath(p)
	}
	a.fromCookie(now, ck)
	a.localTieTag, a.peerTieTag = 0, 0
	a.queueCtrl(ctrlChunk{c: &chunk.CookieAck{}})
	// "A RESTART notification SHOULD be sent to the ULP instead of a
	// COMMUNICATION LOST notification."
	a.established(now, Restart)
	return true, nil
}

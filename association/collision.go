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
	if a.state == StateClosed {
		return discard("INIT for a closed association", chunk.TypeInit, nil)
	}
	// RFC 9260 Section 3.3.2: an invalid INIT gets the ABORT of its
	// validation, or, with an Initiate Tag of 0, nothing ("the receiver
	// MUST silently discard the packet"), before anything else is made of
	// it: the refusals below would otherwise answer it with an ABORT
	// carrying tag 0.
	if err := init.Validate(); err != nil {
		if init.InitiateTag != 0 {
			a.queueRawTo(abortPacket(a.localPort, a.peerPort, init.InitiateTag, false, causeFrom(err), nil), from)
		}
		return discard("invalid INIT", chunk.TypeInit, err)
	}
	// Replies other than the ABORTs of refuseNewAddresses and
	// refuseNewPort go to the path of the INIT's source, whose UDP port is
	// the INIT's (refuseNewPort).
	to := from
	if p := a.pathFor(from.Addr()); p != nil {
		if a.refuseNewPort(p, from, init) {
			return discard("INIT from a new UDP port", chunk.TypeInit, nil)
		}
		to = p.remote
	}
	r := responder{cfg: a.cfg, local: a.localPort, peer: a.peerPort, keys: a.keys, rnd: a.rnd, from: to, mtu: a.pathOrPrimary(to).mtu}
	if s := a.authOf(); s != nil && (a.state == StateCookieWait || a.state == StateCookieEchoed) {
		// RFC 4895 Section 6.1: "In case of INIT collision, the rules
		// governing the handling of this Random Number follow the same
		// pattern as those for the Verification Tag": the INIT ACK of
		// Section 5.2.1 carries ours unchanged.
		r.random = &s.localRandom
	}
	switch a.state {
	case StateShutdownAckSent:
		// RFC 9260 Section 9.2: "the endpoint MUST discard the INIT chunk
		// and retransmit the SHUTDOWN ACK chunk."
		a.queueReply(ctrlChunk{c: &chunk.ShutdownAck{}})
		return nil
	case StateCookieWait, StateCookieEchoed:
		// RFC 9260 Section 5.2.1: reply "using the same parameters it sent
		// in its original INIT chunk (including its Initiate Tag,
		// unchanged)". In COOKIE-ECHOED, "it MUST populate its Tie-Tags
		// within both the association TCB and inside the State Cookie".
		// "If the INIT chunk indicates that a new address has been added
		// to the association, then the entire INIT chunk MUST be
		// discarded, and the state of the existing association SHOULD NOT
		// be changed. An ABORT chunk SHOULD be sent".
		if a.state == StateCookieWait && a.pathFor(from.Addr()) == nil {
			// Rule 1: "The packet containing the INIT ACK chunk MUST only
			// be sent to an address passed by the upper layer in the
			// request to initialize the association." An INIT from
			// elsewhere gets nothing: answering it would hand the
			// Initiate Tag of this association to whoever sent it.
			return discard("INIT in COOKIE-WAIT from an address not asked for", chunk.TypeInit, nil)
		}
		if a.state == StateCookieEchoed && a.refuseNewAddresses(from, init) {
			return nil
		}
		var lt, pt chunk.VerificationTag
		if a.state == StateCookieEchoed {
			lt, pt = a.tieTags()
		}
		reply := r.answerInit(now, init, a.localTag, a.nextTSN, lt, pt, nil)
		a.queueRawTo(reply, to)
		return nil
	}
	// RFC 9260 Section 5.2.2: check for new addresses, then answer with a
	// new Initiate Tag and the Tie-Tags.
	if a.refuseNewAddresses(from, init) {
		return nil
	}
	lt, pt := a.tieTags()
	reply := r.answerInit(now, init, 0, 0, lt, pt, nil)
	a.queueRawTo(reply, to)
	return nil
}

// tieTags returns the Tie-Tags of the TCB, drawn at their first use. RFC
// 9260 Section 1.3: "Two 32-bit random numbers that together make a 64-bit
// nonce. These tags are used within a State Cookie and TCB so that a newly
// restarting association can be linked to the original association within
// the endpoint that did not restart and yet not reveal the true
// Verification Tags of an existing association." They stay the same until
// the TCB is rebuilt, so that the cookie of every INIT ACK sent for it
// (a restarting peer may retransmit its INIT, and echo any of the
// cookies) matches it (Section 5.2.4 action A).
func (a *Association) tieTags() (local, peer chunk.VerificationTag) {
	if a.localTieTag == 0 {
		a.localTieTag = a.randomTag()
	}
	if a.peerTieTag == 0 {
		a.peerTieTag = a.randomTag()
	}
	return a.localTieTag, a.peerTieTag
}

// refuseNewAddresses answers init, received from from, with an ABORT
// carrying the "Restart of an Association with New Addresses" cause if it
// adds addresses to the association, and reports whether it did. RFC 9260
// Section 5.2.2: "the endpoint MUST respond with an ABORT chunk, copying
// the 'Initiate Tag' of the unexpected INIT chunk into the 'Verification
// Tag' of the outbound packet carrying the ABORT chunk. ... The error
// SHOULD list the addresses that were added to the restarting
// association." The ABORT goes to the source of the INIT.
func (a *Association) refuseNewAddresses(from netip.AddrPort, init *chunk.Init) bool {
	added := a.newAddresses(from, init)
	if added == nil {
		return false
	}
	cause := &chunk.RestartWithNewAddressesCause{Addresses: added}
	a.queueRawTo(abortPacket(a.localPort, a.peerPort, init.InitiateTag, false, cause, nil), from)
	return true
}

// refuseNewPort answers init, received from from, a known address of path
// p, with an ABORT if it came from another UDP port than p's remote
// encapsulation port, and reports whether it did.
// draft-tuexen-tsvwg-sctp-udp-encaps-cons Section 4: "SCTP packets
// containing an INIT chunk have the verification tag 0 in the common
// header. Therefore the verification can't be checked. ... The remote UDP
// encapsulation port for the source address of the received SCTP packet
// MUST NOT be updated ... If the UDP encapsulation for outgoing packets
// towards the source address of the received SCTP packet is enabled and
// the received SCTP packet is encapsulated, but the UDP source port of the
// received SCTP packet is not equal to the remote UDP encapsulation port
// for the source address of the received SCTP packet, an SCTP packet
// containing an ABORT chunk MUST be sent. The ABORT chunk MAY include the
// error cause ... "Restart of an Association with New Encapsulation Port"
// ... The UDP source port and UDP destination port used for sending the
// packet containing the ABORT chunk are the UDP destination port and UDP
// source port of the received packet containing the INIT chunk." Without
// it, another host behind the peer's IP address (a NAT, a shared machine)
// could restart the association with an INIT from its own port. As for
// any ABORT answering an INIT (RFC 9260 Sections 5.1, 5.2.2 and 8.4 rule
// 3), its Verification Tag is the INIT's Initiate Tag and its T bit is
// clear: the sender of the INIT accepts it (Section 8.5.1 B), and it
// reveals nothing of this association. A port 0 (not encapsulated, or
// unknown) is not compared: this stack always encapsulates.
func (a *Association) refuseNewPort(p *path, from netip.AddrPort, init *chunk.Init) bool {
	cur := p.remote.Port()
	if cur == 0 || from.Port() == 0 || from.Port() == cur {
		return false
	}
	cause := &chunk.RestartWithNewEncapsulationPortCause{Current: cur, New: from.Port()}
	a.queueRawTo(abortPacket(a.localPort, a.peerPort, init.InitiateTag, false, cause, nil), from)
	return true
}

// newAddresses returns the New Address TLVs (RFC 9260 Section 3.3.10.11:
// "an exact copy of the TLV that was found in the INIT chunk that was
// new") of the addresses of init this association does not know, or nil.
// The source address of the INIT is one of its addresses (Section 5.1.2
// C: the receiver "MUST derive and record all the transport addresses
// from the received chunk AND the source IP address that sent the INIT or
// INIT ACK chunk"); it gets a TLV of its own, and an unknown source is
// new whatever its scope: an INIT ACK to it would carry the Tie-Tags to an
// address that is not the peer's, and a blind COOKIE ECHO could then
// restart the association. Listed addresses out of scope (see inScope,
// and learnPeerAddrs for the scope of the source) were never used as
// paths and are not new, nor is any listed address of
// a SingleHomed association. Parameters after one whose
// action bits stop the processing are not looked at (Section 3.2.1). At
// most MaxPaths addresses are listed, the most an association could have
// added: an INIT listing thousands must not make an ABORT of thousands.
func (a *Association) newAddresses(from netip.AddrPort, init *chunk.Init) []byte {
	var out []byte
	n := 0
	src := from.Addr().Unmap()
	if from.IsValid() && a.pathFor(src) == nil {
		out = []byte{} // new, even without an Address TLV of its own
		if p := chunk.AddressParam(src); p != nil {
			out = p.Append(out)
			n++
		}
	}
	_, ps := classifyParams(a.cfg, init.Params)
	for _, p := range ps {
		if n >= MaxPaths || a.cfg.SingleHomed {
			break
		}
		addr, ok := chunk.ParamAddress(p)
		if ok && a.pathFor(addr) == nil && a.inScope(addr) && sameScope(addr, src) && addr != src {
			out = p.Append(out)
			n++
		}
	}
	return out
}

// handleCookieEchoTCB processes a COOKIE ECHO for an existing association
// (RFC 9260 Section 5.2.4). It reports whether the rest of the packet is
// to be processed.
func (a *Association) handleCookieEchoTCB(now timer.Time, p *packet.Packet, ce *chunk.CookieEcho) (bool, error) {
	var ck cookie
	if err := ck.decode(ce.Cookie, a.keys, nil); err != nil {
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
	case localM && !peerM && a.state >= StateEstablished:
		// Action B on an association that is up. The cookie answers an
		// INIT that came in COOKIE-WAIT or COOKIE-ECHOED (only those INIT
		// ACKs carry our tag unchanged, Section 5.2.1; the later ones a
		// new tag, Section 5.2.2), and its peer's tag is not the one the
		// association came up with: it comes from another TCB of the
		// peer than the one we talk to (the peer restarted during our
		// handshake, and we came up with its old self). That peer never
		// saw our DATA: it expects our TSNs from the Initial TSN of our
		// INIT ACK and stream sequence numbers from 0, and sends its own
		// from the Initial TSN of its INIT. Taking over its tag alone
		// would keep the old peer's TSNs on both sides, which the two
		// would never agree on again. So the association takes over the
		// new peer's TCB as in a restart (action A), as Linux does here
		// (sctp_sf_do_dupcook_b: the peer's parameters, a new TSN map,
		// our next TSN from the cookie, stream sequence numbers reset).
		//
		// Unless the cookie is older than the one the association was
		// set up from: it answers an INIT that came before the one of the
		// peer we talk to, from an older incarnation of the peer, gone
		// (its COOKIE ECHO was held up in the network). Like the late
		// cookie of action C, it is discarded, the state and timers left
		// as they are. (Set up from the peer's INIT ACK instead, we
		// cannot tell which incarnation is the newer one.)
		//
		// Set up from the peer's INIT ACK, the cookies made in
		// COOKIE-WAIT are late too: they carry no Tie-Tags (Section
		// 5.2.1 populates them in COOKIE-ECHOED only), and answer INITs
		// that came before we sent the COOKIE ECHO the peer we talk to
		// acknowledged. That peer was alive after those INITs were
		// sent; with another tag, their sender is an older incarnation,
		// gone. Restarting with it would reset the TSNs and stream
		// sequence numbers of the peer we talk to, which never learns of
		// it (its tag stays ours), under its own tag: the Cumulative TSN
		// Ack goes back below what it already acknowledged (Section
		// 6.2.1 D makes the peer ignore it) and its DATA is never
		// delivered again. A cookie made in COOKIE-ECHOED (with
		// Tie-Tags) may answer a newer incarnation: it restarts.
		if ck.created < a.upCookie || a.upFromInitAck && ck.localTieTag == 0 && ck.peerTieTag == 0 {
			return false, discard("late cookie (action B)", chunk.TypeCookieEcho, nil)
		}
		return a.cookieRestart(now, &ck)
	case localM && !peerM:
		// Action B: "update its peer's Verification Tag from the State
		// Cookie, stop any T1-init or T1-cookie timers that might be
		// running, and send a COOKIE ACK chunk."
		a.peerTag = ck.peerTag
		a.setupFromCookieCollision(&ck)
		a.queueReply(ctrlChunk{c: &chunk.CookieAck{}})
		a.established(now, CommUp)
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
		a.queueReply(ctrlChunk{c: &chunk.CookieAck{}})
		return true, nil
	}
	return false, discard("cookie matches no case of Table 12", chunk.TypeCookieEcho, nil)
}

// setupFromCookieCollision completes the TCB from the peer's side of a
// collision, before the association is up: in COOKIE-WAIT the peer's INIT
// ACK was never processed here; in COOKIE-ECHOED the INIT ACK processed
// may come from another instance of the peer than the INIT the cookie
// answers (its endpoint answered our INIT statelessly, then its user
// connected: Section 5.2.4 action B, "it might have picked a new
// Verification Tag"), and the peer's TCB is the one of that INIT: its
// initial TSN, window, streams and features. In a plain collision both
// carry the same values (Section 5.2.1: the INIT ACK uses "the same
// parameters it sent in its original INIT chunk").
func (a *Association) setupFromCookieCollision(ck *cookie) {
	a.upCookie, a.upFromInitAck = ck.created, false
	a.setOutbound(ck.outbound)
	a.setInbound(ck.inbound)
	a.rcv.init(ck.peerTSN)
	a.peerInitialTSN = ck.peerTSN
	a.peerARwnd, a.peerRwnd = ck.peerRwnd, int(ck.peerRwnd)
	for _, p := range a.paths {
		p.cc.SetSSThresh(initialSSThresh)
	}
	a.peerFeatures, a.peerAdaptation = ck.peerFeatures, ck.peerAdaptation
	a.authFromCookie(ck)
	a.dropCtrl(chunk.TypeInit)
	a.dropCtrl(chunk.TypeCookieEcho)
}

// cookieRestart handles action A of RFC 9260 Section 5.2.4, and action B
// on an association that is up: the peer restarted.
func (a *Association) cookieRestart(now timer.Time, ck *cookie) (bool, error) {
	if a.state == StateShutdownAckSent {
		// "it MUST NOT set up a new association but instead resend the
		// SHUTDOWN ACK chunk and send an ERROR chunk with a "Cookie
		// Received While Shutting Down" error cause to its peer."
		a.queueReply(ctrlChunk{c: &chunk.ShutdownAck{}})
		a.queueReply(ctrlChunk{c: &chunk.OperationError{Causes: []chunk.Cause{
			&chunk.CookieWhileShuttingDownCause{}}}})
		return false, nil
	}
	// "the existing session is treated the same as if it received an
	// ABORT chunk followed by a new COOKIE ECHO chunk": outstanding data is
	// failed back to the user, the TCB is rebuilt, "All the congestion
	// control parameters ... MUST be reset to their initial values".
	a.flushAcks(now) // what the packet acknowledged before is not failed
	// A shutdown our user asked for (SHUTDOWN-PENDING, SHUTDOWN-SENT) goes
	// on with the new association once it is up: the user said it has
	// nothing more to send (RFC 9260 Section 9.2), and the restart does
	// not take that back.
	closing := a.state == StateShutdownPending || a.state == StateShutdownSent
	a.failOutstanding(0)
	// The restarted peer starts its stream sequence numbers from 0 again
	// and so do we, as in a new association: the old stream state goes,
	// with any partially delivered message.
	for _, pa := range a.reasm.AbortPartial() {
		a.pushEvent(&PDAPIEvent{Indication: PartialDeliveryAborted, Stream: pa.Stream})
	}
	a.newStreams()
	a.endResetOnRestart()
	a.asconfRestart()
	a.resetTransfer()
	for _, p := range a.paths {
		a.resetPath(p)
	}
	a.fromCookie(now, ck)
	a.localTieTag, a.peerTieTag = 0, 0
	a.queueReply(ctrlChunk{c: &chunk.CookieAck{}})
	// "A RESTART notification SHOULD be sent to the ULP instead of a
	// COMMUNICATION LOST notification."
	a.established(now, Restart)
	if closing {
		a.dropCtrl(chunk.TypeShutdown)
		_ = a.Shutdown(now) // from ESTABLISHED: cannot fail
	}
	return true, nil
}

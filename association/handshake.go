package association

import (
	"net/netip"
	"slices"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// Connect starts the handshake (RFC 9260 Section 5.1 A): it builds the TCB,
// queues an INIT chunk, starts T1-init and enters COOKIE-WAIT. The outcome
// arrives as an AssocChange event: CommUp, or CantAssoc after
// Max.Init.Retransmits retransmissions (or an ABORT).
func (a *Association) Connect(now timer.Time) error {
	if a.state != StateClosed || a.localTag != 0 {
		return ErrInProgress
	}
	a.localTag = a.cfg.Shard.tag(a.rnd)
	a.nextTSN = chunk.TSN(a.rnd.Uint64())
	a.authStart()
	a.initialTSN = a.nextTSN
	a.cumAckPoint = a.nextTSN - 1
	a.out.reset(a.nextTSN)
	a.startHandshake()
	if !a.sendInit(now) {
		a.localTag = 0
		a.endHandshake()
		return ErrInitTooLarge
	}
	a.setState(StateCookieWait, "INIT sent")
	// RFC 9260 Section 5.1 A: "After sending the INIT chunk, "A" starts the
	// T1-init timer and enters the COOKIE-WAIT state."
	a.hs.t1.ID = timer.T1Init
	a.hs.t1.Start(now, a.primary.rto.RTO())
	return nil
}

// initParams returns the optional parameters of our INIT or INIT ACK.
func (a *Association) initParams(ps []chunk.Param) []chunk.Param {
	ps = addressParams(a.cfg.LocalAddrs, ps)
	if a.cfg.HasAdaptation {
		ps = append(ps, &chunk.AdaptationLayerIndication{Indication: a.cfg.Adaptation})
	}
	if s := a.authOf(); s != nil {
		ps = new(authParamSet).params(a.cfg, &s.localRandom, ps)
	}
	return ecnParams(a.cfg, zeroChecksumParams(a.cfg, extensionParams(a.cfg, ps)))
}

// sendInit queues the INIT chunk (RFC 9260 Section 3.3.2). It is sent with
// a zero verification tag and alone in its packet. It reports false when
// the INIT does not fit the PMTU of the primary path (too many local
// addresses for it).
func (a *Association) sendInit(now timer.Time) bool {
	init := &chunk.Init{
		InitiateTag:     a.localTag,
		ARwnd:           uint32(initialARwnd(a.cfg)),
		OutboundStreams: a.cfg.OutboundStreams,
		InboundStreams:  a.cfg.MaxInboundStreams,
		InitialTSN:      a.nextTSN,
	}
	// One allocation for the list: the address parameters, then at most
	// an Adaptation Layer Indication, the three of AUTH, Supported
	// Extensions, Forward-TSN-Supported, ECN, Zero Checksum and a Cookie
	// Preservative.
	init.Params = a.initParams(make([]chunk.Param, 0, len(a.cfg.LocalAddrs)+9))
	if a.hs.preserveFor > 0 {
		// RFC 9260 Section 5.2.6 alternative 3: ask for a longer cookie
		// life after a Stale Cookie error.
		init.Params = append(init.Params, &chunk.CookiePreservative{
			SuggestedLifespanIncrement: uint32(a.hs.preserveFor / time.Millisecond)})
	}
	return a.queueCtrl(ctrlChunk{c: init, to: a.primary, useTag: true})
}

// handleInitAck processes an INIT ACK (RFC 9260 Section 5.1 C). In any
// state other than COOKIE-WAIT it is discarded (Section 5.2.3).
func (a *Association) handleInitAck(now timer.Time, from netip.AddrPort, c *chunk.InitAck) error {
	if a.state != StateCookieWait {
		return discard("unexpected INIT ACK", chunk.TypeInitAck, nil)
	}
	if err := c.Validate(); err != nil {
		// RFC 9260 Section 5.1: "If an endpoint receives an INIT, INIT ACK,
		// or COOKIE ECHO chunk but decides not to establish the new
		// association due to missing mandatory parameters ... or invalid
		// parameter values ... it SHOULD respond with an ABORT chunk."
		if c.InitiateTag != 0 {
			a.abortWithTag(c.InitiateTag, causeFrom(err))
		}
		a.fail(now, CantAssoc, causeCode(err), nil)
		return discard("invalid INIT ACK", chunk.TypeInitAck, err)
	}
	// RFC 9260 Section 6.10: "The total size of the resultant SCTP
	// packet MUST be less that or equal to the current PMTU." A State
	// Cookie too large for a COOKIE ECHO within the PMTU of the primary
	// path cannot be echoed: the attempt fails at once rather than
	// waiting for T1-cookie to give up on a COOKIE ECHO never sent. The
	// peer's INIT ACK is answered as one whose parameters we cannot
	// accept (Section 5.1: "it SHOULD respond with an ABORT chunk").
	ce := chunk.CookieEcho{Cookie: c.StateCookie().Cookie}
	if packet.HeaderLen+ce.Len() > a.primary.mtu {
		a.abortWithTag(c.InitiateTag, nil)
		a.failWith(now, CantAssoc, ErrCookieTooLarge)
		return discard("State Cookie too large for the PMTU", chunk.TypeInitAck, ErrCookieTooLarge)
	}
	// RFC 9260 Section 3.2.1: the optional parameters after one whose
	// action bits say stop are not processed; the State Cookie is used
	// whatever its place.
	unrec, params := classifyParams(a.cfg, c.Params)
	if cause := a.authFromPeer(params); cause != nil {
		// RFC 4895 Section 6.1: "If the Random Number is not 32 bytes,
		// the association MUST be aborted."
		a.abortWithTag(c.InitiateTag, cause)
		a.fail(now, CantAssoc, cause.CauseCode(), nil)
		return discard("unusable AUTH parameters", chunk.TypeInitAck, nil)
	}
	a.peerTag = c.InitiateTag
	// RFC 9260 Section 3.3.3: "the source address of the IP datagram
	// containing the INIT ACK chunk and any additional address(es)
	// provided within the INIT ACK chunk MAY be used as destinations".
	if a.pathFor(from.Addr()) == nil && a.inScope(from.Addr()) && len(a.paths) < MaxPaths {
		a.addPath(from, false)
	}
	a.learnPeerAddrs(peerAddrs(params), from.Addr(), from.Port())
	// The address that answered is reachable, while the last INIT may
	// have gone to another that is not (nextConfirmed): it becomes the
	// primary path if it is CONFIRMED (RFC 9260 Section 5.4 rule 1: one
	// given to New), since a COOKIE ECHO to an UNCONFIRMED one would have
	// to be bundled with a HEARTBEAT.
	if p := a.pathFor(from.Addr()); p != nil && p.state != PathUnconfirmed {
		a.primary = p
	}
	a.hs.cookieTo = a.primary
	a.setupPeer(c.InitialTSN, c.ARwnd, c.OutboundStreams, c.InboundStreams, params)
	a.hs.cookieEcho = append(a.hs.cookieEcho[:0], c.StateCookie().Cookie...)
	a.setState(StateCookieEchoed, "INIT ACK received, COOKIE ECHO sent")
	// RFC 9260 Section 5.1 C: ""A" then sends the State Cookie received in
	// the INIT ACK chunk in a COOKIE ECHO chunk, starts the T1-cookie
	// timer, and enters the COOKIE-ECHOED state."
	a.queueCookieEcho(now)
	// RFC 9260 Section 3.2.2: the receiver of an INIT ACK "SHOULD bundle
	// the ERROR chunk containing the "Unrecognized Parameters" error cause
	// with the chunk sent in response (e.g., COOKIE ECHO)": the
	// parameters reported are those that fit in that packet.
	room := a.primary.mtu - packet.HeaderLen - ce.Len() - 4 - 4 // ERROR and cause headers
	if unrec = fitTLVs(unrec, room); len(unrec) > 0 {
		a.queueReply(ctrlChunk{c: &chunk.OperationError{Causes: []chunk.Cause{
			&chunk.UnrecognizedParametersCause{Params: unrec}}}})
	}
	a.hs.t1.ID = timer.T1Cookie
	a.hs.t1.Start(now, a.primary.rto.RTO())
	return nil
}

// queueCookieEcho queues the COOKIE ECHO to hs.cookieTo; it is put first
// in its packet. When it no longer fits the PMTU of that path (lowered
// since the INIT ACK came), the attempt fails.
func (a *Association) queueCookieEcho(now timer.Time) {
	if !a.queueCtrl(ctrlChunk{c: &chunk.CookieEcho{Cookie: a.hs.cookieEcho}, to: a.hs.cookieTo}) {
		a.failWith(now, CantAssoc, ErrCookieTooLarge)
	}
}

// setupPeer records what the peer's INIT or INIT ACK said: its initial TSN,
// window, streams (RFC 9260 Section 5.1.1) and features.
func (a *Association) setupPeer(peerTSN chunk.TSN, arwnd uint32, peerOS, peerMIS uint16, ps []chunk.Param) {
	// RFC 9260 Section 5.1.1: our outbound = min(our OS, peer MIS), our
	// inbound = min(our MIS, peer OS).
	a.setOutbound(min(a.cfg.OutboundStreams, peerMIS))
	a.setInbound(min(a.cfg.MaxInboundStreams, peerOS))
	a.rcv.init(peerTSN)
	a.peerInitialTSN = peerTSN
	a.peerARwnd = arwnd
	a.peerRwnd = int(arwnd)
	for _, p := range a.paths {
		p.cc.SetSSThresh(initialSSThresh)
	}
	a.peerFeatures = 0
	for _, p := range ps {
		switch p := p.(type) {
		case *chunk.AdaptationLayerIndication:
			a.peerFeatures |= featAdaptation
			a.peerAdaptation = p.Indication
		case *chunk.ForwardTSNSupported, *chunk.SupportedExtensions:
			a.peerFeatures |= extensionFeatures(p)
		case *chunk.ZeroChecksumAcceptable:
			a.peerFeatures |= zeroChecksumFeature(a.cfg, p)
		case *chunk.ECNCapable:
			a.peerFeatures |= featECN
		}
	}
}

// setOutbound sets the negotiated number of outbound streams n (RFC 9260
// Section 5.1.1: "If the peer's MIS is less than the endpoint's OS ... the
// endpoint MUST use MIS outbound streams and MAY report any shortage to
// the upper layer"). Messages the user queued during the handshake on a
// stream at or above n can never be sent: each is handed back in a
// SendFailed event (in stream order, then queue order), unsent, with the Invalid Stream Identifier cause (RFC
// 9260 Section 3.3.10.1; RFC 6458 Section 6.1.4: ssf_error "will be an
// SCTP protocol error code"), as Linux does, instead of being dropped.
func (a *Association) setOutbound(n uint16) {
	a.outbound = n
	if a.sendq == nil {
		return // created for n streams (sendQueue)
	}
	grown := int(n) > a.sendq.Streams()
	for _, m := range a.sendq.SetStreams(int(n)) {
		a.unqueued(m)
		a.pushEvent(&SendFailed{Sent: m.SentBytes() > 0, Error: chunk.CauseInvalidStreamIdentifier,
			Info: infoOf(m), Data: m.Data})
	}
	if grown {
		a.applyStreamValues(a.sendq) // those of the streams added
	}
}

// established enters ESTABLISHED (RFC 9260 Section 5.1 D and E) and tells
// the user.
func (a *Association) established(now timer.Time, ev AssocChangeState) {
	a.setState(StateEstablished, "handshake complete ("+ev.String()+")")
	a.endHandshake()
	a.ecnEcho = false
	if a.sendq != nil {
		a.sendq.SetInterleave(a.idata()) // queued during the handshake
	}
	a.pushEvent(&AssocChange{State: ev, OutboundStreams: a.outbound, InboundStreams: a.inbound})
	if a.peerFeatures&featAdaptation != 0 {
		a.pushEvent(&AdaptationEvent{Indication: a.peerAdaptation})
	}
	if s := a.authOf(); s != nil && !s.on {
		a.authEvent(AuthNoAuth, 0)
	}
	for _, p := range a.paths {
		a.startHeartbeat(now, p)
	}
	a.pmtudStart()
	a.touch(now)
}

// handleCookieAck processes a COOKIE ACK (RFC 9260 Section 5.1 E); in any
// other state than COOKIE-ECHOED it is discarded (Section 5.2.5).
func (a *Association) handleCookieAck(now timer.Time) error {
	if a.state != StateCookieEchoed {
		return discard("unexpected COOKIE ACK", chunk.TypeCookieAck, nil)
	}
	// Karn's rule does not forbid measuring the handshake: the COOKIE
	// ECHO was sent once if no T1 expiry happened.
	if t1 := &a.hs.t1; t1.Expirations() == 0 && t1.Running() {
		a.primary.measure(now.Sub(t1.Deadline().Add(-t1.Base())))
	}
	a.upFromInitAck = true
	a.established(now, CommUp)
	return nil
}

// onT1Expired retransmits the INIT or COOKIE ECHO (RFC 9260 Sections 5.1
// and 5.1.4), or gives up after Max.Init.Retransmits.
func (a *Association) onT1Expired(now timer.Time, exhausted bool) {
	a.logTimer(a.hs.t1.ID.String(), a.primary)
	if exhausted {
		// RFC 9260 Section 5.1.6: "This is repeated
		// 'Max.Init.Retransmits' times before "A" considers "Z"
		// unreachable and reports the failure to its upper layer (and thus
		// the association enters the CLOSED state)."
		err := ErrNoAnswer
		if a.state == StateCookieEchoed {
			err = ErrNoCookieAck
		}
		a.failWith(now, CantAssoc, err)
		return
	}
	a.stats.Retransmissions++
	switch a.state {
	case StateCookieWait:
		a.dropCtrl(chunk.TypeInit)
		a.primary = a.nextConfirmed(a.primary)
		if !a.sendInit(now) {
			a.failWith(now, CantAssoc, ErrInitTooLarge)
		}
	case StateCookieEchoed:
		a.dropCtrl(chunk.TypeCookieEcho)
		a.hs.cookieTo = a.nextConfirmed(a.hs.cookieTo)
		a.queueCookieEcho(now)
	default:
		a.endHandshake()
	}
}

// nextConfirmed returns the peer's next CONFIRMED address after p (p if
// there is none), the destination of an INIT or COOKIE ECHO
// retransmission (RFC 9260 Section 5.1: "Retransmissions of INIT chunks
// and COOKIE ECHO chunks SHOULD use all addresses of the peer similar to
// retransmissions of DATA chunks"), so that a peer given by several
// addresses (connectx, a host name of both families) is reached on the
// first that answers. An INIT retransmission moves the primary path, and
// the address whose INIT ACK comes stays primary (handleInitAck); a
// COOKIE ECHO retransmission leaves it on that address, which answered.
// In COOKIE-WAIT the paths are the addresses given to New, in order; in
// COOKIE-ECHOED the UNCONFIRMED addresses the INIT ACK listed are skipped
// (RFC 9260 Section 5.4: a COOKIE ECHO goes to one only bundled with a
// HEARTBEAT).
func (a *Association) nextConfirmed(p *path) *path {
	i := slices.Index(a.paths, p)
	for range len(a.paths) - 1 {
		i = (i + 1) % len(a.paths)
		if a.paths[i].state != PathUnconfirmed {
			return a.paths[i]
		}
	}
	return p
}

// handleStaleCookie processes an ERROR with a Stale Cookie cause (RFC 9260
// Section 5.2.6): in COOKIE-ECHOED, it restarts the handshake with a Cookie
// Preservative (alternative 3), at most Max.Init.Retransmits times, then
// gives up (alternative 2); elsewhere it is ignored.
func (a *Association) handleStaleCookie(now timer.Time, sc *chunk.StaleCookieCause) {
	if a.state != StateCookieEchoed {
		return
	}
	// Each new INIT after a Stale Cookie error counts against
	// Max.Init.Retransmits, as a T1 expiry does: a peer whose every cookie
	// goes stale (a cookie life shorter than the round trip, a broken
	// clock) would otherwise keep the handshake going forever. Then
	// alternative 2: "Discard the TCB and report to the upper layer the
	// inability to set up the association."
	a.hs.staleRetries++
	if a.hs.staleRetries > max(a.cfg.MaxInitRetransmits, 0) {
		a.fail(now, CantAssoc, chunk.CauseStaleCookie, nil)
		return
	}
	// "an implementation SHOULD use the RTT information measured based on
	// the previous COOKIE ECHO/ERROR chunk exchange and SHOULD add no more
	// than 1 second beyond the measured RTT".
	a.hs.preserveFor = min(sc.Duration()+a.primary.rto.RTO(), sc.Duration()+time.Second)
	if a.hs.preserveFor < time.Millisecond {
		a.hs.preserveFor = time.Millisecond
	}
	a.dropCtrl(chunk.TypeCookieEcho)
	a.hs.cookieEcho = a.hs.cookieEcho[:0]
	a.peerTag = 0
	a.setState(StateCookieWait, "Stale Cookie error received, INIT sent again")
	if !a.sendInit(now) {
		a.failWith(now, CantAssoc, ErrInitTooLarge)
		return
	}
	a.hs.t1.ID = timer.T1Init
	a.hs.t1.Start(now, a.primary.rto.RTO())
}

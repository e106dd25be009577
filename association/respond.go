package association

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// responder builds INIT ACK chunks with State Cookies, for the Acceptor
// and for an association that receives an INIT (RFC 9260 Section 5.2).
type responder struct {
	cfg *Config
	// local and peer are the SCTP ports (not cfg's).
	local, peer uint16
	keys        *CookieKeys
	mac         *cookieMAC // nil: each HMAC afresh
	rnd         rand.Source
	// from is where the INIT came from and the INIT ACK goes; the cookie
	// records it (zero: unknown).
	from netip.AddrPort
	// mtu is the PMTU toward from (0: cfg.MTU).
	mtu int
	// scratch is reused from one INIT ACK to the next (nil: a new one).
	scratch *initAckScratch
	// random is the Random Number of the INIT ACK (RFC 4895 Section 6.1;
	// nil: a new one).
	random *[authRandomLen]byte
}

// initAckScratch is what answerInit builds an INIT ACK in: an Acceptor
// keeps one, so that answering an INIT allocates nothing but the reply
// (the chunk is copied into the reply packet and not kept).
type initAckScratch struct {
	ack    chunk.InitAck
	sc     chunk.StateCookie
	cookie []byte
	addrs  [maxCookieAddrs]netip.Addr // the cookie's peer addresses
	auth   authParamSet
	// peerAuth holds the peer's AUTH key vector for the cookie, localAuth
	// the rest of ours (appendAuthTail).
	peerAuth, localAuth []byte
}

// answerInit returns the reply to init appended to buf: an ABORT if the
// INIT is invalid (RFC 9260 Section 3.3.2), nil if it must be discarded
// silently, else an INIT ACK with a State Cookie (Section 5.1 B). A zero
// localTag draws a new tag and initial TSN; the tie-tags go into the
// cookie (Section 5.2.2).
func (r *responder) answerInit(now timer.Time, init *chunk.Init, localTag chunk.VerificationTag,
	localTSN chunk.TSN, localTie, peerTie chunk.VerificationTag, buf []byte) []byte {
	if err := init.Validate(); err != nil {
		if init.InitiateTag == 0 {
			return nil // "the receiver MUST silently discard the packet"
		}
		return abortPacket(r.local, r.peer, init.InitiateTag, false, causeFrom(err), buf)
	}
	unrec, params := classifyParams(r.cfg, init.Params)
	if localTag == 0 {
		localTag = r.cfg.Shard.tag(r.rnd)
		localTSN = chunk.TSN(r.rnd.Uint64())
	}
	s := r.scratch
	if s == nil {
		s = new(initAckScratch)
	}
	if !r.cfg.Auth.Disabled {
		peerAuth, cause := authVector(params, s.peerAuth[:0])
		if cause != nil {
			// RFC 4895 Section 6.1: "the association MUST be aborted".
			return abortPacket(r.local, r.peer, init.InitiateTag, false, cause, buf)
		}
		s.peerAuth = peerAuth
	}
	ck := cookie{
		auth:        !r.cfg.Auth.Disabled,
		peerAuth:    s.peerAuth,
		peerAddrs:   s.addrs[:0],
		created:     now,
		lifetime:    r.cfg.CookieLife,
		localPort:   r.local,
		peerPort:    r.peer,
		localTag:    localTag,
		peerTag:     init.InitiateTag,
		localTSN:    localTSN,
		peerTSN:     init.InitialTSN,
		peerRwnd:    init.ARwnd,
		outbound:    min(r.cfg.OutboundStreams, init.InboundStreams),
		inbound:     min(r.cfg.MaxInboundStreams, init.OutboundStreams),
		localTieTag: localTie,
		peerTieTag:  peerTie,
		initFrom:    r.from,
	}
	for _, p := range params {
		switch p := p.(type) {
		case *chunk.CookiePreservative:
			// RFC 9260 Section 3.3.2.1.3: the receiver "MAY choose to
			// ignore the suggested cookie life span increase for its own
			// security reasons"; we grant at most one more CookieLife.
			ck.lifetime += min(p.Increment(), r.cfg.CookieLife)
		case *chunk.AdaptationLayerIndication:
			ck.peerFeatures |= featAdaptation
			ck.peerAdaptation = p.Indication
		case *chunk.ForwardTSNSupported, *chunk.SupportedExtensions:
			ck.peerFeatures |= extensionFeatures(p)
		case *chunk.ZeroChecksumAcceptable:
			ck.peerFeatures |= zeroChecksumFeature(r.cfg, p)
		case *chunk.ECNCapable:
			ck.peerFeatures |= featECN
		case *chunk.IPv4Address, *chunk.IPv6Address:
			// The cookie keeps the first maxCookieAddrs listed addresses:
			// an INIT may list thousands (RFC 5062 Section 6), and the
			// association takes at most MaxPaths of them.
			if a, ok := chunk.ParamAddress(p); ok && len(ck.peerAddrs) < maxCookieAddrs {
				ck.peerAddrs = append(ck.peerAddrs, a)
			}
		}
	}
	ack := &s.ack
	*ack = chunk.InitAck{
		Params:      ack.Params[:0],
		InitiateTag: localTag,
		ARwnd:       uint32(initialARwnd(r.cfg)),
		// RFC 9260 Section 3.3.3: the OS of an INIT ACK "MUST NOT be
		// greater than the MIS value sent in the INIT chunk": it is the
		// outbound stream count the cookie records (Section 5.1.1).
		OutboundStreams: ck.outbound,
		InboundStreams:  r.cfg.MaxInboundStreams,
		InitialTSN:      localTSN,
	}
	ack.Params = addressParams(supportedAddrs(r.cfg.LocalAddrs, params), ack.Params)
	if r.cfg.HasAdaptation {
		ack.Params = append(ack.Params, &chunk.AdaptationLayerIndication{Indication: r.cfg.Adaptation})
	}
	if ck.auth {
		if r.random != nil {
			ck.localRandom = *r.random
		} else {
			ck.localRandom = authRandom(r.keys, localTag, localTSN)
		}
		ack.Params = s.auth.params(r.cfg, &ck.localRandom, ack.Params)
		s.localAuth = appendAuthTail(s.localAuth[:0], s.auth.chunks.Types)
		ck.localAuth = s.localAuth
	}
	ack.Params = ecnParams(r.cfg, zeroChecksumParams(r.cfg, extensionParams(r.cfg, ack.Params)))
	// RFC 9260 Section 6.10: "The total size of the resultant SCTP packet
	// MUST be less that or equal to the current PMTU." The INIT ACK is
	// kept within it: the cookie records fewer of the peer's addresses if
	// need be, and only the reports that fit are sent.
	mtu := r.mtu
	if mtu == 0 {
		mtu = r.cfg.MTU
	}
	// Chunks and parameters are padded to 4 bytes, so a packet's length
	// is a multiple of 4: so is the room counted here.
	room := mtu&^3 - packet.HeaderLen - ack.Len() - 4 // State Cookie parameter header
	// Our own addresses, when more than fit with the cookie, are listed
	// in part (RFC 9260 Section 5.1.2: the peer also uses the packet's
	// source): the first ones, as many as fit.
	for n := len(ack.Params); room < (ck.minLen()+3)&^3 && n > 0; n-- {
		if _, ok := chunk.ParamAddress(ack.Params[n-1]); !ok {
			continue
		}
		room += ack.Params[n-1].Len()
		ack.Params = slices.Delete(ack.Params, n-1, n)
	}
	ck.fitAddrs(room)
	r.keys.Rotate(now)
	sc := &s.sc
	s.cookie = ck.encode(slices.Grow(s.cookie[:0], ck.encodedLen()), r.keys, r.mac)
	sc.Cookie = s.cookie
	room -= (len(sc.Cookie) + 3) &^ 3
	// RFC 9260 Section 3.2.2: "it MUST put the "Unrecognized Parameter"
	// parameter(s) in the INIT ACK chunk"; those beyond the PMTU are left
	// out.
	for len(unrec) > 0 {
		n := tlvLen(unrec)
		up := &chunk.UnrecognizedParameter{Param: unrec[:n:n]}
		if room -= up.Len(); room < 0 {
			break
		}
		ack.Params = append(ack.Params, up)
		unrec = unrec[n:]
	}
	ack.Params = append(ack.Params, sc)
	var b packet.Builder
	b.Reset(buf, packet.Header{SrcPort: r.local, DstPort: r.peer, VerificationTag: init.InitiateTag}, 1<<16)
	b.Add(ack)
	clear(ack.Params) // what they point to is the caller's, or garbage
	return b.Finish()
}

// tlvLen returns the padded length of the TLV at the start of b.
func tlvLen(b []byte) int {
	n := (int(b[2])<<8 | int(b[3]) + 3) &^ 3
	return min(max(n, 4), len(b))
}

// fitTLVs returns the leading TLVs of b (parameters, as reported in an
// error cause) that fit in room bytes.
func fitTLVs(b []byte, room int) []byte {
	n := 0
	for n < len(b) {
		m := tlvLen(b[n:])
		if n+m > room {
			break
		}
		n += m
	}
	return b[:n]
}

// supportedParam reports whether this implementation, configured with
// cfg, acts on a parameter of type t in INIT and INIT ACK. Types it parses
// but does not implement (Forward-TSN-Supported with PR-SCTP turned off)
// are handled by their action bits like unknown ones, so that the peer
// learns they are not supported (RFC 3758 Section 3.3.2: the receiver that
// "does not support the Forward-TSN chunk type ... MUST follow the rules
// defined in Section 3.3.3 of RFC 2960").
func supportedParam(cfg *Config, t chunk.ParamType) bool {
	switch t {
	case chunk.ParamForwardTSNSupported:
		return !cfg.PartialReliabilityDisabled
	case chunk.ParamIPv4Address, chunk.ParamIPv6Address, chunk.ParamStateCookie,
		chunk.ParamUnrecognizedParameter, chunk.ParamCookiePreservative,
		chunk.ParamHostNameAddress, chunk.ParamSupportedAddressTypes,
		chunk.ParamAdaptationLayerIndication, chunk.ParamSupportedExtensions,
		chunk.ParamECNCapable, chunk.ParamRandom, chunk.ParamChunkList,
		chunk.ParamRequestedHMACAlgorithm, chunk.ParamPadding,
		chunk.ParamZeroChecksumAcceptable:
		return true
	}
	return false
}

// classifyParams applies the action bits of RFC 9260 Section 3.2.1 to the
// parameters of an INIT or INIT ACK: it returns the encodings of the
// parameters to report as unrecognized, and the parameters to process:
// those before the first unrecognized one whose action is to stop, or all
// of ps. "In the 00 or 01 case, the processing of the parameters after the
// unknown parameter is canceled, but no processing already done is rolled
// back." Parameters after a "stop" parameter are not looked at. The
// mandatory State Cookie of an INIT ACK is not an optional parameter to
// process: the caller takes it from the whole chunk ("in all four cases,
// an INIT ACK or COOKIE ECHO chunk is sent in response").
func classifyParams(cfg *Config, ps []chunk.Param) (report []byte, use []chunk.Param) {
	for i, p := range ps {
		t := p.ParamType()
		if supportedParam(cfg, t) {
			continue
		}
		act := t.Action()
		if act.Report() {
			report = p.Append(report)
		}
		if act.Stop() {
			return report, ps[:i]
		}
	}
	return report, ps
}

// randomTag returns a verification tag in 1..2^32-1 (RFC 9260 Section
// 5.3.1).
func randomTag(rnd rand.Source) chunk.VerificationTag {
	for {
		if t := chunk.VerificationTag(rnd.Uint64()); t != 0 {
			return t
		}
	}
}

// causeFrom returns the error cause to report for a validation error.
func causeFrom(err error) chunk.Cause {
	switch causeCode(err) {
	case chunk.CauseMissingMandatoryParameter:
		// The only mandatory parameter Validate checks is the State
		// Cookie of INIT ACK.
		return &chunk.MissingMandatoryParameterCause{Missing: []chunk.ParamType{chunk.ParamStateCookie}}
	case chunk.CauseUnresolvableAddress:
		return &chunk.UnresolvableAddressCause{Address: []byte{}}
	case chunk.CauseInvalidMandatoryParameter:
		return &chunk.InvalidMandatoryParameterCause{}
	case chunk.CauseNoUserData:
		return &chunk.NoUserDataCause{}
	}
	return &chunk.ProtocolViolationCause{Info: []byte{}}
}

// causeCode returns the error cause code of a *chunk.ParseError, or 0.
func causeCode(err error) chunk.CauseCode {
	var pe *chunk.ParseError
	if errors.As(err, &pe) {
		return pe.Cause
	}
	return 0
}

// abortPacket appends a packet from the SCTP port local to peer with an
// ABORT chunk carrying cause (if not nil), sent with tag (reflected: T bit
// set), to buf.
func abortPacket(local, peer uint16, tag chunk.VerificationTag, reflected bool, cause chunk.Cause, buf []byte) []byte {
	ab := &chunk.Abort{}
	if reflected {
		ab.Flags = chunk.FlagT
	}
	if cause != nil {
		ab.Causes = []chunk.Cause{cause}
	}
	var b packet.Builder
	b.Reset(buf, packet.Header{SrcPort: local, DstPort: peer, VerificationTag: tag}, 1<<16)
	b.Add(ab)
	return b.Finish()
}

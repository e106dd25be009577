package association

import (
	"time"

	"net/netip"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// Acceptor is the passive side of the handshake for one local SCTP port
// (RFC 9260 Section 5.1 B and D). It keeps no state per INIT: it answers
// INIT chunks with INIT ACK chunks carrying a signed State Cookie, and
// creates an Association only when a COOKIE ECHO with a valid cookie
// arrives. Not safe for concurrent use; the caller serialises.
type Acceptor struct {
	cfg Config
	// tmpl is cfg on the heap, shared by the associations created (see
	// Association.cfg); SetConfig replaces it, nothing changes it.
	tmpl *Config
	mac  cookieMAC
	// scratch is made with the first INIT or COOKIE ECHO: the Acceptor
	// of an endpoint that only connects never needs it.
	scratch *acceptorScratch
}

// acceptorScratch is what an Acceptor builds INIT ACK chunks and reads
// cookies in, reused from one to the next.
type acceptorScratch struct {
	initAck initAckScratch
	// addrs holds the addresses of the cookie being checked.
	addrs [maxCookieAddrs]netip.Addr
}

// scr returns the scratch space, made at first use.
func (l *Acceptor) scr() *acceptorScratch {
	if l.scratch == nil {
		l.scratch = new(acceptorScratch)
	}
	return l.scratch
}

// NewAcceptor returns an Acceptor that creates associations with cfg (its
// PeerPort is ignored: each association takes the port of its peer). The
// Acceptor signs cookies with cfg.Cookies, created if nil.
func NewAcceptor(cfg Config) (*Acceptor, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Cookies == nil {
		cfg.Cookies = NewCookieKeys(cfg.Rand, 0)
	}
	if cfg.Buffers == nil {
		cfg.Buffers = stream.NewBufPool(stream.DefaultPoolLimit)
	}
	cfg.makeLogger()
	tmpl := cfg
	return &Acceptor{cfg: cfg, tmpl: &tmpl}, nil
}

// Config returns the configuration new associations get.
func (l *Acceptor) Config() Config { return l.cfg }

// SetConfig changes the configuration of associations created later.
func (l *Acceptor) SetConfig(cfg Config) error {
	cfg = cfg.WithDefaults()
	if cfg.Cookies == nil {
		cfg.Cookies = l.cfg.Cookies
	}
	if cfg.Buffers == nil {
		cfg.Buffers = l.cfg.Buffers
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg.makeLogger()
	tmpl := cfg
	l.cfg, l.tmpl = cfg, &tmpl
	return nil
}

// Cookies returns the cookie keys.
func (l *Acceptor) Cookies() *CookieKeys { return l.cfg.Cookies }

// HandleInit answers the INIT chunk init, received in a packet with header
// h from the peer address from, for which no association exists. It
// appends the reply packet (an INIT ACK, or an ABORT when the INIT is
// invalid) to buf and returns it, or returns nil when the INIT must be
// silently discarded.
func (l *Acceptor) HandleInit(now timer.Time, h packet.Header, init *chunk.Init, buf []byte) []byte {
	return l.HandleInitFrom(now, netip.AddrPort{}, h, init, buf)
}

// HandleInitFrom is HandleInit for an INIT received from from (IP and UDP
// encapsulation port), where the reply goes. The State Cookie records it,
// so that the association a COOKIE ECHO creates confirms that address
// (RFC 9260 Section 5.4 rule 2: "the address to which the INIT ACK was
// sent") and not the source of the COOKIE ECHO, which is not proof of
// anything: whoever saw the INIT ACK could echo the cookie from any
// address, and make the new association send there.
func (l *Acceptor) HandleInitFrom(now timer.Time, from netip.AddrPort, h packet.Header, init *chunk.Init, buf []byte) []byte {
	l.cfg.Cookies.Rotate(now)
	r := responder{cfg: l.tmpl, local: h.DstPort, peer: h.SrcPort, keys: l.cfg.Cookies, mac: &l.mac,
		rnd: l.cfg.Rand, from: from, scratch: &l.scr().initAck}
	return r.answerInit(now, init, 0, 0, 0, 0, buf)
}

// HandleCookieEcho checks the COOKIE ECHO that is the first chunk of p,
// the packet of d, received at d.Now from the peer address d.From (RFC
// 9260 Section 5.1.5). With a valid cookie it returns the new association
// in the ESTABLISHED state, with the rest of p (DATA bundled with the
// COOKIE ECHO, delivered with d.IP as HandlePacket does) processed and a
// COOKIE ACK queued. With a stale cookie it returns a reply packet carrying
// an ERROR with the "Stale Cookie" cause, appended to buf. Otherwise the
// packet is to be discarded silently and the error says why.
func (l *Acceptor) HandleCookieEcho(d *Datagram, p *packet.Packet, buf []byte) (*Association, []byte, error) {
	now, from := d.Now, d.From
	if _, n := authChunks(p); n > 1 {
		return nil, nil, discard("more than one AUTH chunk", chunk.TypeAuth, nil) // see authPrecheck
	}
	ck := cookie{peerAddrs: l.scr().addrs[:0]}
	raw, stale, err := l.verifyCookieEcho(now, p, &ck)
	switch {
	case err != nil:
		return nil, nil, err
	case stale > 0:
		return nil, staleCookieReply(p.Header, ck.peerTag, stale, buf), nil
	}
	a := newAssociation(l.tmpl, p.DstPort, p.SrcPort, l.cfg.Cookies, now)
	a.countIn(p.Bytes())
	// RFC 9260 Section 5.4 rule 2: the address the INIT ACK went to is
	// confirmed (the cookie says which; a cookie that does not is taken to
	// have gone to the source of the COOKIE ECHO); the other addresses the
	// INIT listed are not (rule 3), nor is a COOKIE ECHO source elsewhere.
	confirmed := from
	if ck.initFrom.IsValid() && ck.initFrom.Addr().Unmap() != from.Addr().Unmap() {
		confirmed = ck.initFrom
	}
	a.addPath(confirmed, true)
	a.primary = a.paths[0]
	if confirmed != from {
		a.addPath(from, false)
	}
	// The INIT listed the addresses: their scope is that of its source.
	initSrc := from.Addr()
	if ck.initFrom.IsValid() {
		initSrc = ck.initFrom.Addr()
	}
	a.learnPeerAddrs(ck.peerAddrs, initSrc, from.Port())
	a.learnPort(from, d.To) // the local address of the path (Datagram.To)
	a.fromCookie(now, &ck)
	if err := a.authCookieEcho(p, &raw); err != nil {
		return nil, nil, err
	}
	// Steps 5 and 6: enter ESTABLISHED and send COOKIE ACK.
	a.queueCtrl(ctrlChunk{c: &chunk.CookieAck{}, to: a.primary})
	a.established(now, CommUp)
	// Step 7: the rest of the packet (DATA bundled with the COOKIE ECHO).
	a.rxIP = d.IP
	if err := a.processChunks(now, from, p, raw.Offset+len(raw.Bytes)); err != nil {
		return a, nil, nil // the association exists; the rest was bad
	}
	return a, nil, nil
}

// CheckCookieEcho verifies the COOKIE ECHO that is the first chunk of p
// as HandleCookieEcho does (RFC 9260 Section 5.1.5 steps 1 to 4: the
// signature, the ports and tag, the lifetime) without building an
// association or looking at the rest of p, so that the caller can refuse
// the association (Section 5.1: "lack of local resources") before it costs
// anything. With a valid cookie it returns the local and peer verification
// tags of the association HandleCookieEcho would create at now. With a
// stale cookie it returns the reply HandleCookieEcho returns, appended to
// buf. Otherwise the packet is to be discarded silently and the error says
// why.
func (l *Acceptor) CheckCookieEcho(now timer.Time, p *packet.Packet, buf []byte) (local, peer chunk.VerificationTag,
	reply []byte, err error) {
	ck := cookie{peerAddrs: l.scr().addrs[:0]}
	_, stale, err := l.verifyCookieEcho(now, p, &ck)
	switch {
	case err != nil:
		return 0, 0, nil, err
	case stale > 0:
		return 0, 0, staleCookieReply(p.Header, ck.peerTag, stale, buf), nil
	}
	return ck.localTag, ck.peerTag, nil, nil
}

// verifyCookieEcho decodes into ck the cookie of the COOKIE ECHO that is
// the first chunk (raw) of p, and checks it (RFC 9260 Section 5.1.5 steps
// 1 to 4). A cookie whose lifetime is over at now is stale: it returns
// how long ago that was.
func (l *Acceptor) verifyCookieEcho(now timer.Time, p *packet.Packet, ck *cookie) (raw packet.Raw,
	stale time.Duration, err error) {
	raw, _ = p.Lead() // RFC 4895 Section 6.3: an AUTH chunk may come first
	if raw.Type != chunk.TypeCookieEcho {
		return raw, 0, discard("not a COOKIE ECHO", raw.Type, nil)
	}
	var ce chunk.CookieEcho
	if _, err := ce.Parse(raw.Bytes); err != nil {
		return raw, 0, discard("malformed COOKIE ECHO", chunk.TypeCookieEcho, err)
	}
	if err := ck.decode(ce.Cookie, l.cfg.Cookies, &l.mac); err != nil {
		// RFC 9260 Section 5.1.5 steps 1 and 2: "the SCTP packet,
		// including the COOKIE ECHO chunk and any DATA chunks, MUST be
		// silently discarded."
		return raw, 0, discard("bad cookie", chunk.TypeCookieEcho, err)
	}
	// Step 3: "Compare the port numbers and the Verification Tag contained
	// within the COOKIE ECHO chunk to the actual port numbers and the
	// Verification Tag within the SCTP common header ... If these values
	// do not match, the packet MUST be silently discarded."
	if ck.localPort != p.DstPort || ck.peerPort != p.SrcPort || ck.localTag != p.VerificationTag {
		return raw, 0, discard("cookie does not match the packet", chunk.TypeCookieEcho, nil)
	}
	// Step 4: a stale cookie gets an ERROR with "Stale Cookie".
	return raw, ck.staleness(now), nil
}

// fromCookie builds the TCB from a verified cookie.
func (a *Association) fromCookie(now timer.Time, ck *cookie) {
	a.localTag, a.peerTag = ck.localTag, ck.peerTag
	a.upCookie, a.upFromInitAck = ck.created, false
	a.nextTSN = ck.localTSN
	a.initialTSN = a.nextTSN
	a.cumAckPoint = a.nextTSN - 1
	a.out.reset(a.nextTSN)
	a.setOutbound(ck.outbound)
	a.setInbound(ck.inbound)
	a.rcv.init(ck.peerTSN)
	a.peerInitialTSN = ck.peerTSN
	a.peerARwnd = ck.peerRwnd
	a.peerRwnd = int(ck.peerRwnd)
	for _, p := range a.paths {
		p.cc.SetSSThresh(initialSSThresh)
	}
	a.peerFeatures = ck.peerFeatures
	a.peerAdaptation = ck.peerAdaptation
	a.authFromCookie(ck)
}

// staleCookieReply appends a packet with an ERROR chunk carrying the "Stale
// Cookie" cause (RFC 9260 Section 3.3.10.3), sent with the peer's tag.
func staleCookieReply(h packet.Header, peerTag chunk.VerificationTag, staleness time.Duration, buf []byte) []byte {
	var sc chunk.StaleCookieCause
	sc.SetDuration(staleness)
	var b packet.Builder
	b.Reset(buf, packet.Header{SrcPort: h.DstPort, DstPort: h.SrcPort, VerificationTag: peerTag}, 1<<16)
	b.Add(&chunk.OperationError{Causes: []chunk.Cause{&sc}})
	return b.Finish()
}

package endpoint

import (
	"encoding/binary"
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// HandleDatagram processes the SCTP packet d.Data, the payload of a UDP
// datagram from the peer address d.From (its IP and UDP source port)
// received at d.Now on the local address d.To (the zero Addr if unknown).
// It is parsed and its CRC32c verified once (RFC 9260 Section 6.8), then
// the packet is demultiplexed:
//
//   - a packet whose verification tag is the local tag of an association
//     (and whose source port is that association's peer port) goes to it
//     (RFC 9260 Section 8.5);
//   - an ABORT or SHUTDOWN COMPLETE with the T bit carries the peer's tag
//     (Section 8.5.1 B and C): it goes to the association of the peer
//     (source address and port), which checks the tag;
//   - an INIT from a source over Config.InitRate is discarded;
//   - an INIT goes to the association of the peer if there is one
//     (Section 5.2), else to the acceptor when listening (Section 5.1 B:
//     no state is kept), else it is refused with an ABORT (Section 8.4
//     rule 3);
//   - a COOKIE ECHO goes to the association of the peer if there is one
//     (Section 5.2.4), else to the acceptor, which creates the association
//     (Section 5.1 D) within MaxAssociations and, one-to-one, the backlog;
//     a valid cookie refused (not listening, full) builds nothing and gets
//     an ABORT within Config.InitRate;
//   - a packet with a tag unknown for a peer that has an association is
//     discarded (Section 8.5), except a SHUTDOWN ACK in COOKIE-WAIT or
//     COOKIE-ECHOED (Section 8.5.1 E);
//   - anything else is out of the blue (Section 8.4).
//
// The association that processes the packet hands d.IP, the IP header
// fields the caller knows, on with the messages the packet completes
// (see association.Association.HandlePacket); d.IP changes nothing else,
// and nothing for a packet no association takes.
//
// Replies of the endpoint itself are queued for AppendPacket. No state of
// an association changes for a packet that fails its verification-tag
// check: the remote UDP encapsulation port in particular is learned only
// from packets that passed it (RFC 6951 Section 5.4). Neither d nor d.Data
// is retained.
//
// The error explains a packet that was not processed normally: a
// *DropError, or the *association.DiscardError of the association. RFC
// 9260 discards invalid packets silently, so it is informational.
func (e *Endpoint) HandleDatagram(d *association.Datagram) error {
	e.tick(d.Now)
	e.flushDirty() // routing changed by the user (see Assoc)
	// A zero checksum is let through here and checked where the packet
	// goes (see crcChecked).
	p, err := packet.Parse(d.Data, packet.Options{AcceptZeroChecksum: true})
	if err != nil {
		err = &DropError{Reason: DropMalformed, Err: err}
	} else {
		err = e.handlePacket(d, &p)
	}
	e.counters.in(len(d.Data), err)
	e.logDrop(d, err)
	return err
}

// handlePacket demultiplexes p, the packet of d (see HandleDatagram).
func (e *Endpoint) handlePacket(d *association.Datagram, p *packet.Packet) error {
	now, from, to := d.Now, d.From, d.To
	first, err := screen(from, to, p)
	if err != nil {
		return err
	}
	if p.DstPort != e.cfg.Port {
		return e.outOfTheBlue(from, to, p, first)
	}
	key := keyOf(from.Addr(), p.SrcPort)
	// RFC 4895 Section 6.3: a packet with an AUTH chunk first is looked up
	// by the chunks after it (a COOKIE ECHO may follow its AUTH chunk).
	lead, _ := p.Lead()
	switch {
	case (first.Type == chunk.TypeInit || lead.Type == chunk.TypeCookieEcho) && !crcChecked(p):
		return &DropError{Reason: DropMalformed, Err: errZeroChecksum}
	case first.Type == chunk.TypeInit:
		if !e.initLimit.allow(now, from.Addr(), e.cfg.Assoc.Rand) {
			return &DropError{Reason: DropInitRate, Chunk: chunk.TypeInit}
		}
		return e.handleInit(d, p, first, key)
	case lead.Type == chunk.TypeCookieEcho:
		return e.handleCookieEcho(d, p, key)
	case reflected(lead):
		if en := e.byPeer[key]; en != nil {
			return e.deliver(d, en, p)
		}
		return e.outOfTheBlue(from, to, p, first)
	}
	if en := e.byTag[p.VerificationTag]; en != nil && en.peerPort == p.SrcPort {
		return e.deliver(d, en, p)
	}
	if en := e.byPeer[key]; en != nil {
		// RFC 9260 Section 8.5.1 E: "If the receiver is in COOKIE-ECHOED or
		// COOKIE-WAIT state, the procedures in Section 8.4 SHOULD be
		// followed; in other words, it is treated as an OOTB packet."
		if st := en.a.State(); (st == association.StateCookieWait || st == association.StateCookieEchoed) &&
			summarize(p).shutdownAck {
			return e.outOfTheBlue(from, to, p, first)
		}
		// Section 8.5: "If the received Verification Tag value does not
		// match the receiver's own tag value, the receiver MUST silently
		// discard the packet and MUST NOT process it any further".
		return &DropError{Reason: DropTag, Chunk: first.Type}
	}
	return e.outOfTheBlue(from, to, p, first)
}

// hasAssocOf reports whether the endpoint has an association whose
// local verification tag is tag and whose peer's port is srcPort: the
// packet of a common header (tag, srcPort) is its (tag 0 is no
// association's: an INIT).
func (e *Endpoint) hasAssocOf(tag chunk.VerificationTag, srcPort uint16) bool {
	if tag == 0 {
		return false
	}
	e.flushDirty() // routing changed by the user (see Assoc)
	en := e.byTag[tag]
	return en != nil && en.peerPort == srcPort
}

// reflected reports whether r is an ABORT or SHUTDOWN COMPLETE with the T
// bit: its packet carries the peer's tag, not ours.
func reflected(r packet.Raw) bool {
	return (r.Type == chunk.TypeAbort || r.Type == chunk.TypeShutdownComplete) &&
		chunk.TFlags(r.Flags).Reflected()
}

// deliver hands p, the packet of d, to the association of en.
func (e *Endpoint) deliver(d *association.Datagram, en *entry, p *packet.Packet) error {
	err := en.a.HandlePacket(d, p)
	e.sync(en)
	return err
}

// outOfTheBlue applies RFC 9260 Section 8.4 and queues the reply, if any.
func (e *Endpoint) outOfTheBlue(from netip.AddrPort, to netip.Addr, p *packet.Packet, first packet.Raw) error {
	if !crcChecked(p) {
		return &DropError{Reason: DropMalformed, Err: errZeroChecksum}
	}
	buf := e.replies.buf()
	if buf == nil {
		return &DropError{Reason: DropReplyQueueFull, Chunk: first.Type}
	}
	rule, out := ootb(p, buf)
	e.queueReply(from, to, out, buf)
	return &DropError{Reason: DropOutOfTheBlue, Rule: rule, Chunk: first.Type}
}

// queueReply queues out (built in buf) for to, or recycles buf when out
// is nil.
func (e *Endpoint) queueReply(to netip.AddrPort, from netip.Addr, out, buf []byte) {
	if out == nil {
		e.replies.recycle(buf)
		return
	}
	e.replies.push(to, from, out)
}

// full reports whether MaxAssociations or Config.AssocQuota is reached.
// It takes nothing (see admit).
func (e *Endpoint) full() bool {
	if !e.admit() {
		return true
	}
	e.release()
	return false
}

// handleInit processes a packet with an INIT (alone, tag 0: see screen).
func (e *Endpoint) handleInit(d *association.Datagram, p *packet.Packet, first packet.Raw, key peerKey) error {
	now, from, to := d.Now, d.From, d.To
	if en := e.byPeer[key]; en != nil {
		// RFC 9260 Section 5.2: the association handles collisions and
		// restarts.
		return e.deliver(d, en, p)
	}
	var init chunk.Init
	if _, err := init.Parse(first.Bytes); err != nil || init.InitiateTag == 0 {
		// Section 3.3.2: "If the value of the Initiate Tag in a received
		// INIT chunk is found to be 0, the receiver MUST silently discard
		// the packet."
		return &DropError{Reason: DropBadInit, Chunk: chunk.TypeInit, Err: err}
	}
	if en := e.byListedAddress(&init, p.SrcPort); en != nil {
		// An INIT from an address the association does not know, listing
		// one that it does: a peer restarting from a new address. It is
		// "an unexpected INIT chunk for this association" (Section 5.2.2),
		// which the association answers with an ABORT with the "Restart of
		// an Association with New Addresses" cause.
		return e.deliver(d, en, p)
	}
	reason := DropReason(0)
	cause := chunk.CauseCode(0)
	switch {
	case !e.listening:
		reason = DropNotListening
	case e.full():
		reason, cause = DropFull, chunk.CauseOutOfResource
	}
	buf := e.replies.buf()
	if buf == nil {
		return &DropError{Reason: DropReplyQueueFull, Chunk: chunk.TypeInit}
	}
	if reason != 0 {
		// Section 8.4 rule 3 (see Listen) and Section 5.1 (lack of
		// resources: see Config.MaxAssociations).
		e.queueReply(from, to, refusal(p.Header, init.InitiateTag, cause, buf), buf)
		return &DropError{Reason: reason, Rule: 3, Chunk: chunk.TypeInit}
	}
	out := e.acceptor.HandleInitFrom(now, from, p.Header, &init, buf)
	for range maxTagDraws {
		// RFC 9260 Section 5.3.1: "Careful selection of Initiate Tags is
		// also necessary". The cookie must not carry the tag of an
		// association held: its COOKIE ECHO would be routed there.
		if tag, ok := initAckTag(out); !ok || e.tagFree(tag) {
			break
		}
		out = e.acceptor.HandleInitFrom(now, from, p.Header, &init, buf)
	}
	e.queueReply(from, to, out, buf)
	if out == nil {
		return &DropError{Reason: DropBadInit, Chunk: chunk.TypeInit}
	}
	e.logStep("INIT answered with INIT ACK", from, p.SrcPort, 0)
	return nil
}

// byListedAddress returns the association with a peer address that init
// lists (RFC 9260 Section 3.3.2.1, IPv4 and IPv6 Address parameters) on
// port, or nil.
func (e *Endpoint) byListedAddress(init *chunk.Init, port uint16) *entry {
	for _, prm := range init.Params {
		if addr, ok := chunk.ParamAddress(prm); ok {
			if en := e.byPeer[keyOf(addr, port)]; en != nil {
				return en
			}
		}
	}
	return nil
}

// handleCookieEcho processes a packet whose first chunk is a COOKIE ECHO.
func (e *Endpoint) handleCookieEcho(d *association.Datagram, p *packet.Packet, key peerKey) error {
	now, from, to := d.Now, d.From, d.To
	if en := e.byPeer[key]; en != nil {
		return e.deliver(d, en, p) // RFC 9260 Section 5.2.4
	}
	if en := e.byTag[p.VerificationTag]; en != nil && en.peerPort == p.SrcPort {
		// The peer of an association, from an address the endpoint does
		// not route by: the association checks the cookie, if it is its.
		if !e.cookieFor(now, en, from, p) {
			return &DropError{Reason: DropTag, Chunk: chunk.TypeCookieEcho}
		}
		return e.deliver(d, en, p)
	}
	if e.cfg.Style == OneToOne && e.listening && e.backlogN >= e.cfg.Backlog {
		return &DropError{Reason: DropBacklogFull, Chunk: chunk.TypeCookieEcho}
	}
	// RFC 9260 Section 12.2.4.1: "avoiding commitment of limited resources
	// before determining that the request for service is legitimate". The
	// cookie is verified and the limits checked before the association is
	// built and the chunks bundled with the COOKIE ECHO are processed: a
	// valid cookie stays valid for its lifetime and can be replayed from
	// any source, so a refusal must cost no more than the check.
	buf := e.replies.buf()
	local, peer, out, err := e.acceptor.CheckCookieEcho(now, p, buf)
	if out != nil || err != nil {
		if buf != nil {
			e.queueReply(from, to, out, buf) // a Stale Cookie ERROR
		}
		return &DropError{Reason: DropCookie, Chunk: chunk.TypeCookieEcho, Err: err}
	}
	if err := e.admitCookie(now, from, to, p, local, peer, buf); err != nil {
		return err
	}
	if buf != nil {
		e.replies.recycle(buf)
	}
	if !e.enterBacklog() {
		e.release()
		return &DropError{Reason: DropBacklogFull, Chunk: chunk.TypeCookieEcho}
	}
	// The acceptor remembers the cookie it just checked: no second HMAC.
	a, _, err := e.acceptor.HandleCookieEcho(d, p, nil)
	if a == nil {
		e.release()
		e.unenterBacklog()
		return &DropError{Reason: DropCookie, Chunk: chunk.TypeCookieEcho, Err: err}
	}
	en := e.add(a, p.SrcPort, []netip.AddrPort{from})
	if e.cfg.Style == OneToOne {
		en.backlog = true
		e.backlog.push(en)
		e.backlogN++
		e.report(en, Backlogged)
	}
	e.sync(en)
	e.logStep("COOKIE ECHO accepted", from, p.SrcPort, en.id)
	return nil
}

// admitCookie checks whether a new association with the verification
// tags local and peer, from a valid COOKIE ECHO in p, may be created, and
// if so takes room for it (admit). If not, it queues the refusal in buf
// (recycled otherwise) and says why.
//
// A valid cookie can be echoed again and again, from any source, for its
// whole lifetime; each refusal is an ABORT to that source. The refusals
// therefore draw on the INIT rate limit of the source (Config.InitRate):
// over it, the COOKIE ECHO is discarded silently (DropInitRate), as an
// INIT would be. A real peer refused an association gets its ABORT; if
// that is lost or withheld, it retransmits the COOKIE ECHO when T1-cookie
// expires (RFC 9260 Section 5.1.6) and is answered once under the rate.
// Only refusals count: an accepted COOKIE ECHO is one per association,
// bounded by MaxAssociations.
func (e *Endpoint) admitCookie(now timer.Time, from netip.AddrPort, to netip.Addr, p *packet.Packet,
	local, peer chunk.VerificationTag, buf []byte) error {
	reason, cause := DropReason(0), chunk.CauseCode(0)
	switch {
	case !e.listening:
		reason = DropNotListening
	case !e.tagFree(local) || !e.admit():
		// A new tag that is in use or reserved (RFC 9260 Section 5.3.1),
		// or a cookie issued before the endpoint filled up.
		reason, cause = DropFull, chunk.CauseOutOfResource
	default:
		return nil
	}
	if !e.initLimit.allow(now, from.Addr(), e.cfg.Assoc.Rand) {
		reason = DropInitRate
	}
	switch {
	case buf == nil:
		return &DropError{Reason: DropReplyQueueFull, Chunk: chunk.TypeCookieEcho}
	case reason == DropInitRate:
		e.replies.recycle(buf)
	default:
		// RFC 9260 Section 5.1: "If an endpoint receives an INIT, INIT
		// ACK, or COOKIE ECHO chunk but decides not to establish the new
		// association due to missing mandatory parameters in the received
		// INIT or INIT ACK chunk, invalid parameter values, or lack of
		// local resources, it SHOULD respond with an ABORT chunk."
		e.queueReply(from, to, refusal(p.Header, peer, cause, buf), buf)
	}
	return &DropError{Reason: reason, Chunk: chunk.TypeCookieEcho}
}

// maxTagDraws bounds the new local tags drawn for an INIT ACK whose tag is
// in use or reserved; the last one drawn is sent regardless (the COOKIE
// ECHO is then refused or dropped, see admitCookie and cookieFor).
const maxTagDraws = 4

// initAckTag returns the Initiate Tag of the INIT ACK packet out.
func initAckTag(out []byte) (chunk.VerificationTag, bool) {
	const at = packet.HeaderLen + 4 // the chunk header, then the tag
	if len(out) < at+4 || chunk.Type(out[packet.HeaderLen]) != chunk.TypeInitAck {
		return 0, false
	}
	return chunk.VerificationTag(binary.BigEndian.Uint32(out[at:])), true
}

// cookieFor reports whether the COOKIE ECHO in p, which carries the local
// tag of en from an address the endpoint does not route to en (from), is
// for en: while en is in its handshake, an INIT collision (RFC 9260
// Sections 5.2.1 and 5.2.4 action B); from another address of the peer
// (a path of en); or a retransmission that names en's peer tag (Section
// 5.2.4 action D). A cookie that does not verify, or is stale, goes to en,
// which discards or answers it. A valid cookie for another peer that
// carries en's tag (issued before en took it, see maxTagDraws) is not
// en's: handed to en, action B would make en take that peer's tag and talk
// to it. The caller drops it, sending nothing that could end either
// association; its sender retransmits it, and in the end fails and starts
// anew with another tag.
func (e *Endpoint) cookieFor(now timer.Time, en *entry, from netip.AddrPort, p *packet.Packet) bool {
	if st := en.a.State(); st == association.StateCookieWait || st == association.StateCookieEchoed {
		return true
	}
	for _, pi := range en.a.Paths() {
		if pi.Addr.Addr().Unmap() == from.Addr().Unmap() {
			return true
		}
	}
	_, peer, out, err := e.acceptor.CheckCookieEcho(now, p, nil)
	if err != nil || out != nil {
		return true
	}
	_, own := en.a.Tags()
	return peer == own
}

// errZeroChecksum is the error of a packet dropped for a zero checksum
// field that is not its CRC32c.
var errZeroChecksum = &packet.Error{Err: packet.ErrChecksum, Offset: 8}

// crcChecked reports whether p, parsed with a zero checksum let through,
// has a correct CRC32c: it was verified, or the zero is the CRC32c. RFC
// 9653 Section 5.2: the packets with an INIT chunk (restriction 1a) or a
// COOKIE ECHO chunk (restriction 2) always carry a correct CRC32c, and
// only an association that announced Zero Checksum Acceptable accepts a
// zero (Section 5.3; association.Association.HandlePacket checks that);
// out-of-the-blue packets are processed only with a correct CRC32c (as
// Section 5.3 allows: an implementation "MAY also process OOTB packets
// having an incorrect zero checksum").
func crcChecked(p *packet.Packet) bool {
	return !p.Findings.Has(packet.FindingZeroChecksum) || packet.Checksum(p.Bytes()) == 0
}

package association

import (
	"encoding/binary"
	"net/netip"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// HandleDatagram parses and checks the SCTP packet d.Data (common header,
// CRC32c, with the zero checksum of RFC 9653 when negotiated, chunk
// envelopes) and processes it as HandlePacket does. It is for a caller
// that demultiplexes nothing itself (one association alone, as in tests);
// an Endpoint parses each packet once and calls HandlePacket. The returned
// error explains a discarded packet; RFC 9260 discards invalid packets
// silently, so it is informational.
func (a *Association) HandleDatagram(d *Datagram) error {
	p, err := packet.Parse(d.Data, packet.Options{AcceptZeroChecksum: true})
	if err != nil {
		return discard("malformed packet", 0, err)
	}
	return a.HandlePacket(d, &p)
}

// HandlePacket processes p, the packet of d that packet.Parse accepted
// (the caller checked the CRC32c, or let a zero checksum through with
// packet.Options.AcceptZeroChecksum: the association keeps it only if it
// announced Config.ZeroChecksum, RFC 9653 Section 5.3), received at d.Now from the peer
// address d.From. Each message whose last DATA chunk (the one with the E
// bit) arrives in p carries d.IP in Message.IP when it is delivered, now
// or later, after messages it waits for. Neither d nor p is retained.
func (a *Association) HandlePacket(d *Datagram, p *packet.Packet) error {
	defer a.startBurst()
	now, from := d.Now, d.From
	if err := a.checkZeroChecksum(p); err != nil {
		return err
	}
	a.rxIP = d.IP
	a.countIn(d.Data)
	if s := a.authOf(); s != nil {
		s.rxFrom, s.rxHeld, s.rxChecked = 0, 0, 0
	}
	if p.DstPort != a.localPort || p.SrcPort != a.peerPort {
		return discard("wrong ports", 0, nil)
	}
	// RFC 9260 Section 6.10: "An endpoint MUST NOT bundle INIT, INIT ACK,
	// or SHUTDOWN COMPLETE chunks with any other chunks." Such a packet
	// is malformed; it is discarded.
	if p.Findings.Has(packet.FindingUnbundleable) {
		return discard("INIT, INIT ACK or SHUTDOWN COMPLETE bundled", 0, nil)
	}
	it := p.Chunks()
	first, ok := it.Next()
	if !ok {
		return discard("no chunks", 0, nil)
	}
	// RFC 4895 Section 6.3: an AUTH chunk may come first, before the
	// chunk the tag rules look at (a COOKIE ECHO in particular).
	lead, _ := p.Lead()
	verified, err := a.checkTag(p, lead)
	if err != nil {
		return err
	}
	// RFC 6951 Section 5.4: "After finding the SCTP association (which
	// includes checking the verification tag), the UDP source port MUST be
	// stored as the encapsulation port for the destination address the
	// SCTP packet is received from". Only a packet whose tag checkTag
	// verified teaches the port, and one with a COOKIE ECHO once its cookie
	// is verified.
	pth := a.pathFor(from.Addr())
	if pth == nil {
		pth = a.primary
	}
	// RFC 4895 Section 6.3: a packet whose AUTH chunk does not verify
	// changes nothing, not even the port and timers below.
	a.replyAllowance = replyAllowance(p, pth)
	if err := a.authPrecheck(p); err != nil {
		return err
	}
	if lead.Type == chunk.TypeCookieEcho {
		a.cookieVerified = false
		err := a.processFrom(now, from, pth, p, &it, &first)
		if a.cookieVerified {
			a.learnPort(from, d.To)
		}
		return err
	}
	if !verified {
		return a.processFrom(now, from, pth, p, &it, &first)
	}
	a.learnPort(from, d.To)
	if a.state == StateShutdownSent {
		// RFC 9260 Section 9.2: "The reception of any packet from its peer
		// (i.e., as the peer sends all of its queued DATA chunks) SHOULD
		// clear the endpoint's retransmission count and restart the
		// T2-shutdown timer".
		a.errorCount = 0
		a.t2.Start(now, a.primary.rto.RTO())
	}
	return a.processFrom(now, from, pth, p, &it, &first)
}

// learnPort stores the UDP source port of a verified packet as the remote
// encapsulation port of the path to its source address (RFC 6951 Section
// 5.4), and the local address the packet was sent to (to) as the source
// address of a path that has none (see Datagram.To).
func (a *Association) learnPort(from netip.AddrPort, to netip.Addr) {
	pth := a.pathFor(from.Addr())
	if pth == nil {
		return
	}
	if from.Port() != 0 && pth.remote.Port() != from.Port() {
		pth.remote = netip.AddrPortFrom(pth.remote.Addr(), from.Port())
	}
	if to = to.Unmap(); !pth.local.IsValid() && to.IsValid() && !to.IsUnspecified() &&
		to.Is4() == pth.remote.Addr().Unmap().Is4() {
		pth.local = to
	}
}

// checkTag applies the verification-tag rules of RFC 9260 Sections 8.5
// and 8.5.1 to a packet whose first chunk is first. It reports whether the
// packet's tag was verified: an INIT (tag 0), a COOKIE ECHO (checked
// against its cookie later) and a SHUTDOWN ACK taken whatever its tag are
// processed without.
func (a *Association) checkTag(p *packet.Packet, first packet.Raw) (verified bool, err error) {
	tag := p.VerificationTag
	switch first.Type {
	case chunk.TypeInit:
		// Section 8.5.1 A: a packet with an INIT "MUST have a zero
		// Verification Tag"; bundling was checked before.
		if tag != 0 {
			return false, discard("INIT with a non-zero tag", chunk.TypeInit, nil)
		}
		return false, nil
	case chunk.TypeCookieEcho:
		return false, nil // Section 8.5.1 D: checked against the cookie (Section 5)
	case chunk.TypeAbort, chunk.TypeShutdownComplete:
		// Section 8.5.1 B and C: accept "if the Verification Tag field of
		// the packet matches its own tag and the T bit is not set OR if it
		// is set to its Peer's Tag and the T bit is set".
		if a.reflectableTagOK(tag, first.Flags) {
			return true, nil
		}
		return false, discard("verification tag", first.Type, nil)
	case chunk.TypeShutdownAck:
		// Section 8.5.1 E: "If the receiver is in COOKIE-ECHOED or
		// COOKIE-WAIT state, the procedures in Section 8.4 SHOULD be
		// followed; in other words, it is treated as an OOTB packet":
		// whatever its tag, it gets a SHUTDOWN COMPLETE with the tag
		// reflected (handleShutdownAck) and nothing else of it is
		// processed (handleChunk).
		if a.state == StateCookieWait || a.state == StateCookieEchoed {
			return false, nil
		}
	}
	// Section 8.5: "If the received Verification Tag value does not match
	// the receiver's own tag value, the receiver MUST silently discard the
	// packet".
	if tag != a.localTag || a.localTag == 0 {
		return false, discard("verification tag", first.Type, nil)
	}
	return true, nil
}

// reflectableTagOK applies the tag rule of RFC 9260 Section 8.5.1 B and C
// to an ABORT or SHUTDOWN COMPLETE chunk with the given flags in a packet
// carrying tag: accepted "if the Verification Tag field of the packet
// matches its own tag and the T bit is not set OR if it is set to its
// Peer's Tag and the T bit is set in the Chunk Flags".
func (a *Association) reflectableTagOK(tag chunk.VerificationTag, flags uint8) bool {
	if chunk.TFlags(flags).Reflected() {
		return a.peerTag != 0 && tag == a.peerTag
	}
	return tag == a.localTag
}

// processChunks handles the chunks of p from offset start on, in order
// (RFC 9260 Section 6.10: "An endpoint MUST process received chunks in
// their order in the packet").
func (a *Association) processChunks(now timer.Time, from netip.AddrPort, p *packet.Packet, start int) error {
	pth := a.pathFor(from.Addr())
	if pth == nil {
		pth = a.primary
	}
	it := p.Chunks()
	for {
		r, ok := it.Next()
		if !ok {
			return nil
		}
		if r.Offset >= start {
			return a.processFrom(now, from, pth, p, &it, &r)
		}
	}
}

// processFrom handles the chunk r and the ones it yields after it.
func (a *Association) processFrom(now timer.Time, from netip.AddrPort, pth *path, p *packet.Packet,
	it *packet.Iter, r *packet.Raw) error {
	gotData := false
	var err error
	a.replyAllowance = replyAllowance(p, pth)
	for ok := true; ok; *r, ok = it.Next() {
		var stop bool
		stop, err = a.handleChunk(now, from, pth, p, r, &gotData)
		if stop || a.state == StateClosed && a.localTag == 0 {
			break
		}
	}
	a.flushAcks(now)
	if gotData {
		a.afterData(now)
	}
	a.flushReconfig(now)
	return err
}

// handleChunk dispatches one chunk. It reports whether the rest of the
// packet must be skipped.
func (a *Association) handleChunk(now timer.Time, from netip.AddrPort, pth *path, p *packet.Packet, r *packet.Raw, gotData *bool) (bool, error) {
	if handled, stop, err := a.authGate(p, r); handled {
		return stop, err
	}
	switch r.Type {
	case chunk.TypeData:
		if a.idata() {
			return a.wrongKind(now, r.Type)
		}
		d := &a.scr().dataScratch
		if _, err := d.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		*gotData = true
		return false, a.handleData(now, pth, d)
	case chunk.TypeIData:
		if !a.idata() {
			return a.wrongKind(now, r.Type)
		}
		d := &a.scr().idataScratch
		if _, err := d.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		*gotData = true
		return false, a.handleIData(now, pth, d)
	case chunk.TypeIForwardTSN:
		if !a.iforward() {
			if a.prsctp() {
				return a.wrongKind(now, r.Type) // FORWARD TSN negotiated
			}
			break // RFC 3758 Section 3.3.1, as FORWARD TSN
		}
		c := &a.scr().iforwardScratch
		if _, err := c.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		*gotData = true
		return false, a.handleIForwardTSN(now, c)
	case chunk.TypeForwardTSN:
		if a.iforward() {
			return a.wrongKind(now, r.Type) // I-FORWARD-TSN negotiated
		}
		if !a.prsctp() {
			// RFC 3758 Section 3.3.1: without the negotiation the
			// endpoint MUST "act as if it does NOT support the FORWARD TSN
			// chunk".
			break
		}
		c := &a.scr().forwardScratch
		if _, err := c.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		*gotData = true // the SACK rules of DATA apply (afterData)
		return false, a.handleForwardTSN(now, c)
	case chunk.TypeReConfig:
		if !a.reconfig() {
			break // RFC 6525 Section 5.1.1: not negotiated
		}
		var c chunk.ReConfig
		if _, err := c.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		return false, a.handleReConfig(now, &c)
	case chunk.TypeASCONF, chunk.TypeASCONFAck:
		if !a.asconf() {
			break // RFC 5061 Section 4.1.1: not negotiated
		}
		return a.handleASCONFChunk(now, from, p, r)
	case chunk.TypeSACK:
		s := &a.scr().sackScratch
		if _, err := s.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		return false, a.handleSACK(now, s)
	case chunk.TypeHeartbeat:
		var c chunk.Heartbeat
		if _, err := c.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		return false, a.handleHeartbeat(now, from, &c)
	case chunk.TypeHeartbeatAck:
		var c chunk.HeartbeatAck
		if _, err := c.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		return false, a.handleHeartbeatAck(now, pth, &c)
	case chunk.TypeInit:
		var c chunk.Init
		if _, err := c.Parse(r.Bytes); err != nil {
			return true, discard("malformed INIT", r.Type, err)
		}
		return true, a.handleInit(now, from, &c)
	case chunk.TypeInitAck:
		var c chunk.InitAck
		if _, err := c.Parse(r.Bytes); err != nil {
			return true, discard("malformed INIT ACK", r.Type, err)
		}
		return true, a.handleInitAck(now, from, &c)
	case chunk.TypeCookieEcho:
		var c chunk.CookieEcho
		if _, err := c.Parse(r.Bytes); err != nil {
			return true, discard("malformed COOKIE ECHO", r.Type, err)
		}
		more, err := a.handleCookieEchoTCB(now, p, &c)
		a.authHeld(p)
		return !more, err
	case chunk.TypeCookieAck:
		return false, a.handleCookieAck(now)
	case chunk.TypeAbort:
		if !a.reflectableTagOK(p.VerificationTag, r.Flags) {
			// Section 8.5.1 B holds for an ABORT bundled after other
			// chunks too: one with the T bit set in a packet carrying our
			// own tag (or without it in one carrying the peer's) is not
			// accepted.
			return true, discard("verification tag", r.Type, nil)
		}
		var c chunk.Abort
		if _, err := c.Parse(r.Bytes); err != nil {
			// RFC 9260 Section 3.3.7: "If an endpoint receives an ABORT
			// chunk with a format error or no TCB is found, it MUST
			// silently discard it."
			return true, discard("malformed ABORT", r.Type, err)
		}
		a.handleAbort(now, &c)
		return true, nil
	case chunk.TypeShutdown:
		var c chunk.Shutdown
		if _, err := c.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		return false, a.handleShutdown(now, &c)
	case chunk.TypeShutdownAck:
		// In COOKIE-WAIT and COOKIE-ECHOED the packet is out of the blue
		// (RFC 9260 Section 8.5.1 E) and its tag was not checked: the
		// rest of it is not processed.
		ootb := a.state == StateCookieWait || a.state == StateCookieEchoed
		return ootb, a.handleShutdownAck(now, p)
	case chunk.TypeShutdownComplete:
		return true, a.handleShutdownComplete(now)
	case chunk.TypeECNE, chunk.TypeCWR:
		if a.ecnOn() {
			return a.handleECNChunk(pth, r)
		}
	case chunk.TypeError:
		var c chunk.OperationError
		if _, err := c.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		a.handleError(now, &c)
		return false, nil
	}
	return a.handleUnrecognized(r)
}

// handleUnrecognized applies the action bits of RFC 9260 Section 3.2 to a
// chunk this association does not process (unknown types, and extension
// chunks whose extension was not negotiated).
func (a *Association) handleUnrecognized(r *packet.Raw) (bool, error) {
	act := r.Type.Action()
	if act.Report() && a.canReport() {
		// "report the unrecognized chunk in an ERROR chunk using the
		// 'Unrecognized Chunk Type' error cause." A chunk too large for
		// the report to fit the PMTU is reported truncated (the cause
		// keeps its header, Chunk Length included): a report that cannot
		// be sent is worth less than a partial one.
		// It takes its share of the packet's reply allowance like any
		// other reply (queueAnswer), truncated to what is left of it.
		// The room is a multiple of 4, so that the chunk, padded in the
		// cause, stays within it.
		room := min(a.minMTU(), a.replyAllowance)&^3 - packet.HeaderLen - 4 - 4 // ERROR and cause headers
		if room >= 4 {
			uc := r.Bytes[:min(int(r.Length), room)]
			a.queueAnswer(ctrlChunk{c: &chunk.OperationError{Causes: []chunk.Cause{
				&chunk.UnrecognizedChunkTypeCause{Chunk: append([]byte(nil), uc...)}}}})
		}
	}
	if act.Stop() {
		return true, discard("unrecognized chunk", r.Type, nil)
	}
	return false, nil
}

// maxQueuedCtrl bounds the control chunks waiting to be sent below which
// the association reports what the peer sent wrong (unrecognized chunks,
// invalid streams) in ERROR chunks.
const maxQueuedCtrl = 16

// canReport reports whether an ERROR chunk about the peer's packet may be
// queued: not before the peer's tag is known, since such a report could
// never be sent (and would hold up the queue behind it), and not while
// maxQueuedCtrl chunks wait, so that a packet of many small chunks that
// each ask for a report cannot make the association reply with much more
// than it received, or queue without bound.
func (a *Association) canReport() bool {
	return a.peerTag != 0 && len(a.ctrl) < maxQueuedCtrl
}

// replyAllowance returns the reply allowance of the packet p from the
// path pth (see queueAnswer).
func replyAllowance(p *packet.Packet, pth *path) int {
	return min(max(len(p.Bytes()), minReplyAllowance), pth.mtu)
}

// minReplyAllowance is the reply allowance of a packet smaller than it,
// so that a lone small chunk that asks for a report (an unrecognized chunk
// type, a DATA chunk for an invalid stream) still gets it.
const minReplyAllowance = 64

// queueAnswer queues c, the reply to one chunk of the packet being
// processed (a HEARTBEAT ACK, an ERROR report), within the packet's reply
// allowance: the packet's size (minReplyAllowance at least), and at most
// the PMTU of the path it came from. Each reply is counted as if it went
// in a packet of its own, its chunk and a common header, so that all the
// replies to a packet take at most the bytes the packet took: a packet of
// HEARTBEAT chunks never draws a larger reply, however the replies are
// bundled. The PMTU cap keeps the replies to one packet within one packet,
// as RFC 9260 Section 12.4 requires: "the sender of the response chunk(s)
// MUST NOT send more than one packet containing chunks other than DATA
// chunks" (SACKs are not counted). It reports whether c was queued.
func (a *Association) queueAnswer(c ctrlChunk) bool {
	n := ctrlLen(&c)
	if n > a.replyAllowance || !a.queueReply(c) {
		return false
	}
	a.replyAllowance -= n
	return true
}

// malformed handles a chunk that does not parse: the rest of the packet
// is discarded; a DATA chunk without user data aborts the association
// (RFC 9260 Section 6.2: "it SHOULD send an ABORT chunk with a "No User
// Data" error cause"), the cause carrying "the TSN of the DATA chunk
// received with no User Data field" (Section 3.3.10.9).
func (a *Association) malformed(now timer.Time, r *packet.Raw, err error) (bool, error) {
	if causeCode(err) == chunk.CauseNoUserData && a.state >= StateEstablished {
		var tsn chunk.TSN
		if len(r.Bytes) >= 8 {
			tsn = chunk.TSN(binary.BigEndian.Uint32(r.Bytes[4:]))
		}
		a.abort(now, &chunk.NoUserDataCause{TSN: tsn}, CommLost)
	}
	return true, discard("malformed chunk", r.Type, err)
}

package association

import (
	"net/netip"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// Outgoing is a packet to transmit, as returned by AppendPacket.
type Outgoing struct {
	// To is the peer IP address and its UDP encapsulation port.
	To netip.AddrPort
	// From is the local address to send from; the zero Addr means any.
	From netip.Addr
	// Data is the SCTP packet, appended to the buffer given to
	// AppendPacket.
	Data []byte
	// ECN is the ECN codepoint the packet should carry in its IP header:
	// ECT0 on packets of new DATA when the association negotiated ECN
	// (Config.ECN), NotECT otherwise.
	ECN ECNCodepoint
}

// maxCtrlBytes bounds the bytes of the replies waiting in the control
// queue: a reply that would take the queue past it is dropped, as the
// peer retransmits whatever needs an answer. The association's own
// chunks (INIT, COOKIE ECHO, SHUTDOWN, HEARTBEAT, ABORT, ...) are bounded
// by the protocol state instead: at most one of each waits.
const maxCtrlBytes = 1 << 16

// queueCtrl queues one of the association's own control chunks (or
// packets) for the next packets. It refuses (and reports false) an entry
// that can never be sent: one larger than the PMTU of its destination
// (RFC 9260 Section 6.10: "The total size of the resultant SCTP packet
// MUST be less that or equal to the current PMTU"), so that nothing enters
// the queue that would wait in it forever.
func (a *Association) queueCtrl(c ctrlChunk) bool {
	c.n = ctrlLen(&c)
	if c.n > a.ctrlMTU(&c) {
		return false
	}
	a.ctrl = append(a.ctrl, c)
	a.ctrlBytes += c.n
	return true
}

// queueReply queues a reply to something the peer sent, as queueCtrl
// does, and drops it (reporting false) when the queue would hold more
// than maxCtrlBytes: the peer decides how much it asks, so what waits for
// it must be bounded.
func (a *Association) queueReply(c ctrlChunk) bool {
	if a.ctrlBytes+ctrlLen(&c) > maxCtrlBytes {
		return false
	}
	return a.queueCtrl(c)
}

// ctrlLen returns the bytes a queue entry takes on the wire: a prebuilt
// packet, or a chunk and the common header of a packet of its own.
func ctrlLen(c *ctrlChunk) int {
	if c.raw != nil {
		return len(c.raw)
	}
	return packet.HeaderLen + c.c.Len()
}

// ctrlMTU returns the PMTU an entry must fit: its path's, or for a chunk
// that rides in whatever packet is built next, the smallest of all.
func (a *Association) ctrlMTU(c *ctrlChunk) int {
	if c.to != nil {
		return c.to.mtu
	}
	return a.minMTU()
}

// minMTU returns the smallest PMTU of the paths.
func (a *Association) minMTU() int {
	m := a.primary.mtu
	for _, p := range a.paths {
		m = min(m, p.mtu)
	}
	return m
}

// clearCtrl empties the control queue.
func (a *Association) clearCtrl() {
	a.ctrl = nil
	a.ctrlBytes = 0
}

// popCtrl removes the first entry of the control queue, letting its
// buffer go once empty (see keepCtrl).
func (a *Association) popCtrl() {
	a.ctrl[0] = ctrlChunk{}
	a.ctrl = a.ctrl[1:]
	if len(a.ctrl) == 0 {
		a.ctrl = nil
	}
}

// keepCtrl makes out, what a filter of the control queue kept at its
// start, the queue; its buffer is let go once empty. Control chunks are
// occasional (handshake, heartbeats, shutdown): an idle association keeps
// no buffer for them.
func (a *Association) keepCtrl(out []ctrlChunk) {
	clear(a.ctrl[len(out):])
	if len(out) == 0 {
		out = nil
	}
	a.ctrl = out
}

// queueRaw queues a complete packet (an INIT ACK or an ERROR built for a
// tag other than the peer's), a reply to the peer, to send as is.
func (a *Association) queueRaw(pkt []byte, to *path) {
	if pkt != nil {
		a.queueReply(ctrlChunk{raw: pkt, to: to})
	}
}

// queueRawTo queues a complete packet for the peer address addr, the
// source of the packet it answers, whether or not addr is the current
// address of a path: RFC 9260 Section 5.1: "An endpoint MUST send the INIT
// ACK chunk to the IP address from which it received the INIT chunk"; with
// UDP encapsulation that includes the UDP port, which an INIT (carrying no
// verification tag) must not store in the path (RFC 6951 Section 5.4).
func (a *Association) queueRawTo(pkt []byte, addr netip.AddrPort) {
	if pkt != nil {
		a.queueReply(ctrlChunk{raw: pkt, to: a.pathOrPrimary(addr), addr: addr})
	}
}

// dropCtrl removes queued control chunks of type t.
func (a *Association) dropCtrl(t chunk.Type) { a.dropCtrlTo(t, nil) }

// dropCtrlTo removes queued control chunks of type t bound for to (any
// destination when to is nil).
func (a *Association) dropCtrlTo(t chunk.Type, to *path) {
	out := a.ctrl[:0]
	for _, c := range a.ctrl {
		if c.raw != nil || c.c.Type() != t || to != nil && c.to != to {
			out = append(out, c)
		} else {
			a.ctrlBytes -= c.n
		}
	}
	a.keepCtrl(out)
}

// pathOrPrimary returns the path of addr, or the primary path.
func (a *Association) pathOrPrimary(addr netip.AddrPort) *path {
	if p := a.pathFor(addr.Addr()); p != nil {
		return p
	}
	return a.primary
}

// startBurst opens a new send opportunity: RFC 9260 Section 6.1 rule D
// limits the packets of new data sent in one go to Max.Burst.
func (a *Association) startBurst() { a.burstLeft = a.cfg.MaxBurst }

// appendPacket builds the next packet to send in buf (see AppendPacket,
// which counts it).
func (a *Association) appendPacket(now timer.Time, buf []byte) (Outgoing, bool) {
	if a.scratchBuf != nil && a.scratchBuf.rc != nil {
		a.trySendReset(now)
	}
	if as := a.asc(); as != nil && as.out == nil && len(as.queue) > 0 {
		a.sendNextASCONF(now) // the requests of the user's calls since the last packet
	}
	if a.probeDue && !a.cookieAckQueued() {
		// A probe of the server must not overtake its COOKIE ACK, which
		// a client in COOKIE-ECHOED needs before it answers a HEARTBEAT.
		if out, ok := a.appendProbe(now, buf); ok {
			return out, true
		}
	}
	if len(a.ctrl) == 0 && !a.sackNow && a.out.marked == 0 &&
		(a.sendq.Buffered() == 0 || !a.canSendData()) && !a.forwardPending() {
		return Outgoing{}, false // the common case: nothing to send
	}
	a.dropUnsendable()
	if a.state == StateShutdownPending || a.state == StateShutdownReceived {
		// The messages whose lifetime ended while the shutdown waited for
		// the acknowledgement of the data in flight go, and the shutdown
		// goes on once nothing is left: afterAck ran with the SACK that
		// acknowledged the last of it, while they were still queued, and
		// nothing else would call it again.
		a.dropExpiredNext(now)
		a.afterAck(now)
	}
	if len(a.ctrl) > 0 {
		if c := a.ctrl[0]; c.raw != nil || c.useTag || c.from.IsValid() {
			return a.sendSpecial(buf)
		}
	}
	if a.peerTag == 0 {
		return Outgoing{}, false
	}
	// Data goes to the primary path or its active alternate; after a T3
	// expiry, retransmissions go to an alternate destination (RFC 9260
	// Section 6.4). Replies go where what they answer came from: "An
	// endpoint SHOULD transmit reply chunks (e.g., SACK, HEARTBEAT ACK,
	// etc.) to the same destination transport address from which it
	// received the DATA or control chunk to which it is replying."
	dataDest := a.dataPath()
	if a.out.marked == 0 {
		a.rtxPath = nil
	} else if r := a.rtxPath; r != nil && r.state != PathUnconfirmed {
		// RFC 9260 Section 6.4: retransmissions go "to an active
		// destination transport address" when there is one: a path
		// confirmed or available again since the T3 expiry takes those
		// still waiting, rather than leaving them to the next expiry of
		// a failed path (up to RTO.Max later).
		if r.state != PathActive {
			if q := a.retransmitPath(r); q.state == PathActive {
				a.rtxPath = q
			}
		}
		dataDest = a.rtxPath
	}
	sackPath := a.sackPath
	if sackPath == nil || sackPath.state == PathUnconfirmed {
		sackPath = dataDest
	}
	dest := dataDest
	switch {
	case len(a.ctrl) > 0 && a.ctrl[0].to != nil:
		dest = a.ctrl[0].to
	case a.sackNow && a.sackDue:
		dest = sackPath
	}
	var pb packet.Builder
	b := &pb
	b.ZeroChecksum = a.sendsZeroChecksum()
	b.Reset(buf, packet.Header{SrcPort: a.localPort, DstPort: a.peerPort,
		VerificationTag: a.peerTag}, dest.mtu)
	b.Auth = a.authSigner()
	a.addCtrl(b, dest)
	// RFC 9260 Section 5.4: no DATA to an UNCONFIRMED address, not even
	// when the peer deleted every other (RFC 5061 Section 5.3 F14).
	dataOK := a.canSendData() && dest == dataDest && dest.state != PathUnconfirmed
	if a.sackDue && dest == sackPath && (a.sackNow || dataOK && a.wantsToSend(dest)) {
		if e := a.ecneChunk(); e != nil {
			// RFC 3168 Section 6.1.3: the echo rides with every
			// acknowledgement until the CWR.
			b.Add(e)
		}
		if b.Add(a.buildSACK(b.RemainingFor(chunk.TypeSACK))) {
			a.sackSent()
		}
	}
	sent, rtx := a.stats.DataChunksSent, a.stats.Retransmissions
	if dataOK {
		// RFC 3758 Section 3.5 F2: the FORWARD TSN rides with the DATA
		// chunks, before them.
		a.addForward(now, b, dest)
		a.addRetransmissions(now, b, dest)
		if dest == a.dataPath() {
			// New data goes to the primary path while it is active, even
			// when retransmissions go elsewhere (RFC 9260 Section 6.4.1:
			// "an endpoint SHOULD send fresh data to the primary path if it
			// is active"), so that its T3-rtx keeps probing it.
			a.addNewData(now, b, dest)
		}
	}
	if b.Empty() {
		return Outgoing{}, false
	}
	out := Outgoing{To: dest.remote, From: dest.local, Data: b.Finish(),
		ECN: a.packetECN(a.stats.DataChunksSent != sent, a.stats.Retransmissions != rtx)}
	dest.pmtudSent(len(out.Data))
	return out, true
}

// cookieAckQueued reports whether a COOKIE ACK waits in the control
// queue.
func (a *Association) cookieAckQueued() bool {
	for _, c := range a.ctrl {
		if c.c != nil && c.c.Type() == chunk.TypeCookieAck {
			return true
		}
	}
	return false
}

// dropUnsendable drops the entries at the head of the control queue
// that no longer fit the PMTU of their destination (it was lowered since
// they were queued): they could never be sent, and would hold up
// everything queued behind them.
func (a *Association) dropUnsendable() {
	for len(a.ctrl) > 0 && a.ctrl[0].n > a.ctrlMTU(&a.ctrl[0]) {
		a.ctrlBytes -= a.ctrl[0].n
		a.popCtrl()
	}
}

// sendSpecial sends the first queued control entry alone: a prebuilt
// packet, or a chunk with its own verification tag (INIT: RFC 9260 Section
// 8.5.1 A; reflected ABORT or SHUTDOWN COMPLETE: rules B and C).
func (a *Association) sendSpecial(buf []byte) (Outgoing, bool) {
	c := a.ctrl[0]
	a.popCtrl()
	a.ctrlBytes -= c.n
	to := c.to
	if to == nil {
		to = a.primary
	}
	if c.raw != nil {
		dst := to.remote
		if c.addr.IsValid() {
			dst = c.addr
		}
		return Outgoing{To: dst, From: to.local, Data: append(buf, c.raw...)}, true
	}
	tag, from := c.tag, to.local
	if !c.useTag {
		tag = a.peerTag
	}
	if c.from.IsValid() {
		from = c.from
	}
	var b packet.Builder
	b.Reset(buf, packet.Header{SrcPort: a.localPort, DstPort: a.peerPort,
		VerificationTag: tag}, to.mtu)
	if !c.useTag {
		b.Auth = a.authSigner() // an ASCONF (RFC 5061 Section 4.1.1)
	}
	b.Add(c.c)
	return Outgoing{To: to.remote, From: from, Data: b.Finish()}, true
}

// addCtrl adds the queued control chunks bound for dest, in order, as far
// as they fit. A prebuilt packet or a chunk with its own tag ends the run.
// A chunk too large for an empty packet to dest is dropped: it would
// never fit (queueCtrl refuses such chunks; this catches a PMTU lowered
// since).
func (a *Association) addCtrl(b *packet.Builder, dest *path) {
	out := a.ctrl[:0]
	stop := false
	for _, c := range a.ctrl {
		switch {
		case stop || c.raw != nil || c.useTag || c.from.IsValid() || c.to != nil && c.to != dest:
			stop = stop || c.raw != nil || c.useTag || c.from.IsValid()
			out = append(out, c)
		case b.Add(c.c):
			a.ctrlBytes -= c.n
		case c.n > dest.mtu:
			a.ctrlBytes -= c.n
		default:
			out = append(out, c)
		}
	}
	a.keepCtrl(out)
}

// canSendData reports whether the state allows DATA to be sent.
func (a *Association) canSendData() bool {
	switch a.state {
	case StateEstablished, StateShutdownPending, StateShutdownReceived:
		return true
	}
	return false
}

// wantsToSend reports whether DATA would go into a packet to dest now, so
// that a delayed SACK can ride along (RFC 9260 Section 6.1: "if any
// received DATA chunks have not been acknowledged ... the sender SHOULD
// create a SACK chunk and bundle it with the outbound DATA chunk").
func (a *Association) wantsToSend(dest *path) bool {
	if a.out.marked > 0 {
		return true
	}
	return a.sendq.Buffered() > 0 && a.newDataAllowed(dest, 1)
}

// dataPath returns the destination for new data: the primary path, or an
// active alternate when the primary is not active (RFC 9260 Section 6.4.1:
// "When its peer is multi-homed, an endpoint SHOULD send fresh data to
// the primary path if it is active, regardless of whether or not it is
// in the PF state") — with RFC 7829 Section 5.1, a potentially failed
// primary is avoided when an active alternate exists; with none, the
// potentially failed path with the fewest errors is used.
func (a *Association) dataPath() *path {
	if a.primary.state == PathActive {
		return a.primary
	}
	var pf *path
	for _, p := range a.paths {
		switch {
		case p.state == PathActive:
			return p
		case p.state == PathPotentiallyFailed && (pf == nil || p.errorCount < pf.errorCount):
			pf = p
		}
	}
	if pf != nil {
		return pf
	}
	return a.primary
}

// addRetransmissions adds DATA chunks marked for retransmission, lowest
// TSN first (RFC 9260 Section 6.1 rule C), within dest's cwnd, or one
// packet regardless of cwnd for a fast retransmit (Section 7.2.4 step 3).
func (a *Association) addRetransmissions(now timer.Time, b *packet.Builder, dest *path) {
	if a.out.marked == 0 {
		return
	}
	fast := a.fastRtxNow
	a.fastRtxNow = false
	if !fast && dest.flightSize >= dest.cc.CWnd() {
		return
	}
	earliest := true // no DATA chunk outstanding to dest below c
	for i := 0; i < a.out.len() && a.out.marked > 0; i++ {
		c := a.out.index(i)
		if !c.marked {
			earliest = earliest && (c.acked || c.path != dest)
			continue
		}
		d := a.dataChunk(&c.frag, c.tsn)
		// RFC 9260 Section 6.9: "Once a user message is fragmented, it
		// cannot be re-fragmented. Instead, if the PMTU has been reduced,
		// then IP fragmentation MUST be used": a chunk cut for a larger
		// PMTU goes alone, over the PMTU, rather than never.
		if !b.Add(d) && !b.AddOversized(d) {
			break
		}
		n := len(c.frag.Data)
		// RFC 9260 Section 6.1: "If the timer for that address is already
		// running, the sender MUST restart the timer if the earliest
		// (i.e., lowest TSN) outstanding DATA chunk sent to that address
		// is being retransmitted" (and Section 7.2.4 step 4).
		restart := earliest && c.path == dest
		earliest = false
		c.marked = false
		a.out.marked--
		c.sends++
		c.path, c.sentAt, c.inFlight = dest, now, true
		a.karn(c.tsn)
		dest.flightSize += n
		a.peerRwnd -= n // RFC 9260 Section 6.2.1 rule B
		a.stats.Retransmissions++
		if c.fastDue {
			c.fastDue = false
			a.stats.FastRetransmissions++
		} else {
			a.details().T3Retransmissions++
		}
		a.stats.DataChunksSent++
		if restart || !dest.t3.Running() {
			dest.t3.Start(now, dest.rto.RTO())
		}
		if !fast && dest.flightSize >= dest.cc.CWnd() {
			break
		}
	}
}

// karn abandons the RTT measurements that the retransmission of tsn makes
// ambiguous (RFC 9260 Section 6.3.1 C5): "RTT measurements MUST NOT be
// made using DATA chunks that were retransmitted" and "RTT measurements
// SHOULD only be made using a DATA chunk with TSN r if no DATA chunk with
// TSN less than or equal to r was retransmitted since the DATA chunk with
// TSN r was sent first." The next new DATA chunk starts a new measurement;
// keeping the abandoned one would stop measuring on that path.
func (a *Association) karn(tsn chunk.TSN) {
	for _, p := range a.paths {
		if p.rttActive && tsn.LE(p.rttTSN) {
			p.rttActive = false
		}
	}
}

// newDataAllowed applies rules A, B and D of RFC 9260 Section 6.1 to a
// new DATA chunk of n bytes to dest.
func (a *Association) newDataAllowed(dest *path, n int) bool {
	// Rule B: "the sender MUST NOT transmit new data to a given transport
	// address if it has cwnd + (PMDCS - 1) or more bytes of data
	// outstanding"; we start a packet only below cwnd, which the packet
	// then may exceed by less than one PMDCS.
	if dest.flightSize >= dest.cc.CWnd() {
		return false
	}
	// Rule D: Max.Burst packets of new data per send opportunity. And no
	// new TSN while our SSN/TSN Reset Request waits (RFC 6525 Section
	// 5.1.4 C2).
	if a.burstLeft <= 0 || a.tsnResetHolds() {
		return false
	}
	// Rule A: no new data beyond the peer's rwnd, "except for zero window
	// probes", which are sent only when "all outstanding DATA chunks have
	// been cumulatively acknowledged and no DATA chunks are in flight".
	// A peer that charges its buffer per chunk is charged
	// PeerChunkOverhead per chunk on top of its data.
	if a.peerRoom() < a.chunkCharge(n) {
		return a.out.len() == 0
	}
	return true
}

// addNewData fragments queued messages into DATA chunks and adds them
// while the windows allow (RFC 9260 Sections 6.1 and 6.9).
func (a *Association) addNewData(now timer.Time, b *packet.Builder, dest *path) {
	if a.out.marked > 0 || a.sendq.Buffered() == 0 {
		return // retransmissions first (rule C)
	}
	a.dropExpiredNext(now)
	maxPayload := a.maxPayload(dest)
	// Nagle-style bundling (sctp_nodelay turns it off): with data in
	// flight, wait until a full packet can be sent or the SACK that the
	// last probe asked for comes (nagle.go).
	hold, probe := a.nagleHolds(maxPayload)
	if hold {
		return
	}
	a.idleDecay(now, dest)
	a.sendq.StartPacket() // RFC 8260 Section 3.3: SCTP_SS_RR_PKT switches streams here
	added := false
	for a.sendq.Buffered() > 0 {
		a.dropExpiredNext(now)
		if a.sendq.Buffered() == 0 {
			break
		}
		room := (b.RemainingFor(a.dataType())&^3 - a.dataHeaderLen())
		if room < min(128, maxPayload) {
			break
		}
		room = min(room, maxPayload)
		next, _ := a.sendq.NextLen()
		if next > room && (next <= maxPayload || a.cfg.DisableFragments) {
			// A message that fits in a packet of its own is not split
			// across packets; only larger ones are fragmented (RFC 9260
			// Section 6.9).
			break
		}
		if !a.newDataAllowed(dest, min(next, room)) {
			break
		}
		frag, ok := a.sendq.Next(room)
		if !ok {
			break
		}
		if a.idata() {
			a.sendq.StampIData(&frag)
		}
		if a.state == StateShutdownPending && a.sendq.Buffered() == 0 && frag.Flags.Has(chunk.FlagEnd) {
			// RFC 9260 Section 6.1: reasons to set the I bit include
			// "The sender is in the SHUTDOWN-PENDING state": the last
			// DATA chunk before SHUTDOWN asks for an immediate SACK.
			frag.Flags |= chunk.FlagImmediate
		}
		tsn := a.nextTSN
		a.nextTSN++
		if probe {
			a.markNagleProbe(&frag.Flags, tsn)
			probe = false
		}
		if frag.Flags.Has(chunk.FlagBeginning) {
			frag.Msg.PR.FirstTSN = tsn
		}
		if frag.Flags.Has(chunk.FlagEnd) && a.prs != nil {
			a.unqueued(frag.Msg)
		}
		b.Add(a.dataChunk(&frag, tsn))
		n := len(frag.Data)
		a.out.push(txChunk{tsn: tsn, frag: frag, path: dest, sentAt: now, sends: 1, inFlight: true})
		dest.flightSize += n
		a.peerRwnd -= n
		a.stats.DataChunksSent++
		added = true
		if !dest.t3.Running() {
			// RFC 9260 Section 6.3.2 R1: "Every time a DATA chunk is sent
			// to any address (including a retransmission), if the T3-rtx
			// timer of that address is not running, start it running so
			// that it will expire after the RTO of that address."
			dest.t3.Start(now, dest.rto.RTO())
		}
		if !dest.rttActive {
			dest.rttActive, dest.rttTSN, dest.rttSent = true, tsn, now
		}
	}
	if added {
		a.burstLeft--
		dest.lastDataSend, dest.sentData, dest.lastProbe = now, true, now
		a.touch(now)
	}
}

// idleDecay applies the cwnd validation of RFC 9260 Section 7.2.1 before
// new data goes to a destination that sent none for a while: "While the
// endpoint does not transmit data on a given transport address, the cwnd
// of the transport address SHOULD be adjusted to max(cwnd / 2, 4 * PMDCS)
// once per RTO." The adjustment is made lazily, once per RTO of idleness
// (the controller floors cwnd, so a few halvings suffice).
func (a *Association) idleDecay(now timer.Time, dest *path) {
	if !dest.sentData || dest.flightSize > 0 {
		return
	}
	rto := dest.rto.RTO()
	idle := now.Sub(dest.lastDataSend)
	for n := 0; idle >= rto && n < 16; n++ {
		dest.cc.OnIdle()
		idle -= rto
		dest.lastDataSend = dest.lastDataSend.Add(rto)
	}
}

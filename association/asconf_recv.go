package association

import (
	"encoding/binary"
	"net/netip"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// handleASCONFChunk checks and dispatches an ASCONF or ASCONF-ACK chunk r
// of p, for a negotiated association. It reports whether the rest of the packet
// must be skipped.
func (a *Association) handleASCONFChunk(now timer.Time, from netip.AddrPort, p *packet.Packet, r *packet.Raw) (bool, error) {
	// RFC 5061 Section 5.2 D5: "Prior to finding the ASCONF chunk, the
	// receiver MUST encounter an AUTH chunk as described in [RFC4895]. If
	// either authentication fails, or the AUTH chunk is missing, the
	// receiver MUST silently discard this chunk and the rest of the
	// packet." Section 4.1.2 says the same of the ASCONF-ACK.
	if !a.cfg.ASCONFNoAuth && !a.authenticated(r) {
		return true, discard("unauthenticated", r.Type, nil)
	}
	if !a.asconfStateOK() {
		return false, discard("ASCONF in state "+a.state.String(), r.Type, nil)
	}
	if r.Type == chunk.TypeASCONFAck {
		var c chunk.ASCONFAck
		if _, err := c.Parse(r.Bytes); err != nil {
			return a.malformed(now, r, err)
		}
		return false, a.handleASCONFAck(now, &c)
	}
	var c chunk.ASCONF
	if _, err := c.Parse(r.Bytes); err != nil {
		return a.malformed(now, r, err)
	}
	return false, a.handleASCONF(now, from, &c, firstASCONF(p, r))
}

// handleASCONF applies the Sequence Number rules of RFC 5061 Section 5.2
// (E1 to E7) to the peer's ASCONF c, the first ASCONF of its packet when
// first, and answers it with an ASCONF-ACK to the source address of the
// packet. Each ASCONF of a packet is answered (Section 5.5: a peer may
// bundle several when it retransmits), and each answer is cached for the
// retransmissions of its ASCONF, until a new ASCONF comes first in a
// packet (E1).
func (a *Association) handleASCONF(now timer.Time, from netip.AddrPort, c *chunk.ASCONF, first bool) error {
	as := a.asconfSt()
	var ack *chunk.ASCONFAck
	switch {
	case c.Serial == as.peerSerial+1:
		// E4 and V5. E1: a new ASCONF first in its packet lets the old
		// answers go; E1-ext: after others in its packet it keeps them
		// (but the oldest beyond the bound).
		ack = a.processASCONF(now, from, c)
		as.peerSerial = c.Serial
		if first || len(as.acks) == maxCachedASCONFAcks {
			n := len(as.acks)
			if !first {
				n = 1
			}
			copy(as.acks, as.acks[n:])
			clear(as.acks[len(as.acks)-n:])
			as.acks = as.acks[:len(as.acks)-n]
		}
		as.acks = append(as.acks, ack)
	case chunk.TSN(c.Serial).LT(chunk.TSN(as.peerSerial + 1)):
		// E2: a retransmission gets its cached answer again; without one
		// (an old ASCONF out of order), it is skipped.
		for _, k := range as.acks {
			if k.Serial == c.Serial {
				ack = k
			}
		}
		if ack == nil {
			return discard("old ASCONF with no cached ASCONF-ACK", chunk.TypeASCONF, nil)
		}
	default:
		// E5: "the ASCONF Chunk is discarded since it must be either a
		// stale packet or from an attacker."
		return discard("ASCONF out of sequence", chunk.TypeASCONF, nil)
	}
	// E6: "The destination address of the SCTP packet containing the
	// ASCONF-ACK Chunks MUST be the source address of the SCTP packet
	// that held the ASCONF Chunks." F1 allows it to a new address before
	// it is confirmed. The answers of an earlier packet still queued go:
	// this one's answer them again.
	to := a.pathFor(from.Addr())
	if to == nil {
		to = a.primary
	}
	if first {
		a.dropCtrlTo(chunk.TypeASCONFAck, to)
	}
	if !a.queueReply(ctrlChunk{c: ack, to: to}) {
		// E7: the answer stays cached for the retransmission.
		return discard("ASCONF-ACK does not fit", chunk.TypeASCONF, nil)
	}
	return nil
}

// firstASCONF reports whether r is the first ASCONF chunk of p.
func firstASCONF(p *packet.Packet, r *packet.Raw) bool {
	it := p.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		if c.Type == chunk.TypeASCONF {
			return c.Offset == r.Offset
		}
	}
	return false
}

// processASCONF performs the requests of c in order (RFC 5061 Section 5.2
// V1 to V3) and returns the answer. Successes are implicit (Section 4.2.5)
// until a request fails; after it they are reported, since the peer takes
// the requests after a failure without an answer as failed (Section 5.1
// A7).
func (a *Association) processASCONF(now timer.Time, from netip.AddrPort, c *chunk.ASCONF) *chunk.ASCONFAck {
	ack := &chunk.ASCONFAck{Serial: c.Serial}
	var failing chunk.Cause // the first Add or Delete refused (F11)
	failed := false
	for _, p := range c.Params {
		var cid uint32
		var cause chunk.Cause
		stop, req := false, true
		switch p := p.(type) {
		case *chunk.AddIPAddress:
			cid = p.CorrelationID
			cause = a.peerAddDelete(now, from, p, &failing)
		case *chunk.DeleteIPAddress:
			cid = p.CorrelationID
			cause = a.peerAddDelete(now, from, p, &failing)
		case *chunk.SetPrimaryAddress:
			cid = p.CorrelationID
			cause = a.peerSetPrimary(from, p)
		case *chunk.UnknownParam:
			// V2: "build a response message with the appropriate error
			// TLVs, as specified in the Parameter type bits, for any
			// ASCONF Parameter it does not understand." Its Correlation
			// ID is where the requests have theirs, if anywhere.
			act := p.Action()
			req = false
			if act.Report() {
				if len(p.Value) >= 4 {
					cid = binary.BigEndian.Uint32(p.Value)
				}
				cause = &chunk.UnrecognizedParametersCause{Params: p.Append(nil)}
			}
			stop = act.Stop()
		default:
			// Section 4.2.6: the Adaptation Layer Indication "MUST NOT be
			// sent in any other chunks, and if it is received in another
			// chunk, it MUST be ignored"; so are the other parameters of
			// INIT chunks.
			continue
		}
		switch {
		case cause != nil:
			failed = true
			ack.Params = append(ack.Params, &chunk.ErrorCauseIndication{CorrelationID: cid, Causes: []chunk.Cause{cause}})
		case failed && req:
			ack.Params = append(ack.Params, &chunk.SuccessIndication{CorrelationID: cid})
		}
		if stop {
			break
		}
	}
	return ack
}

// peerAddDelete performs the Add or Delete IP Address request p, unless
// an earlier one of its ASCONF was refused (*failing, see refusedAfter),
// and returns its refusal, nil if none. The first refusal goes to
// *failing.
func (a *Association) peerAddDelete(now timer.Time, from netip.AddrPort, p chunk.Param, failing *chunk.Cause) chunk.Cause {
	cause := refusedAfter(*failing, p)
	if cause == nil {
		switch p := p.(type) {
		case *chunk.AddIPAddress:
			cause = a.peerAdd(now, from, p)
		case *chunk.DeleteIPAddress:
			cause = a.peerDelete(now, from, p)
		}
	}
	if *failing == nil {
		*failing = cause
	}
	return cause
}

// refusedAfter returns the refusal of the Add or Delete IP Address
// request p after the refusal failing of an earlier one of its ASCONF, or
// nil when none was refused. RFC 5061 Section 5.3 F11: "The receiver MUST
// NOT reject an ADD and then accept a subsequent DELETE of an IP address
// in the same ASCONF Chunk. In other words, once a receiver begins
// failing any ADD or DELETE request, it must fail all subsequent ADD or
// DELETE requests contained in that single ASCONF." After a refusal for
// resources (F9) the later ones are refused for resources too, as F11
// has it; after any other refusal (an address that cannot be added, the
// last address or the source deleted, F7, F8), by the local policy that
// F11 is: "Request Refused - No Authorization" (Section 4.3.5).
func refusedAfter(failing chunk.Cause, p chunk.Param) chunk.Cause {
	switch failing.(type) {
	case nil:
		return nil
	case *chunk.ResourceShortageCause:
		return &chunk.ResourceShortageCause{Param: p.Append(nil)}
	}
	return &chunk.NoAuthorizationCause{Param: p.Append(nil)}
}

// requestAddr returns the address of a request: the source of the packet
// for the wildcard (RFC 5061 Sections 4.2.1, 4.2.4).
func requestAddr(p chunk.Param, from netip.AddrPort) (netip.Addr, bool) {
	addr, ok := chunk.ParamAddress(p)
	if !ok {
		return netip.Addr{}, false
	}
	addr = addr.Unmap()
	if addr.IsUnspecified() {
		return from.Addr().Unmap(), true
	}
	return addr, true
}

// peerAdd performs an Add IP Address request (RFC 5061 Section 4.2.1),
// refusing an address out of the association's scope or of another scope
// than the packet's source (sameScope) as unresolvable: the address
// becomes an UNCONFIRMED path, verified by HEARTBEATs before
// anything but HEARTBEATs and the ASCONF-ACK goes to it (F1, F14; RFC
// 9260 Section 5.4), with the UDP encapsulation port of the packet until
// one from the address itself says otherwise (RFC 6951 Section 5.4).
func (a *Association) peerAdd(now timer.Time, from netip.AddrPort, p *chunk.AddIPAddress) chunk.Cause {
	addr, ok := requestAddr(p.Address, from)
	if !ok || !usableAddr(addr) || !a.inScope(addr) || !sameScope(addr, from.Addr()) {
		return &chunk.UnresolvableAddressCause{Address: p.Address.Append(nil)}
	}
	if a.pathFor(addr) != nil {
		return nil
	}
	if len(a.paths) >= MaxPaths {
		// F9: "does not have the local resources to add this new address".
		return &chunk.ResourceShortageCause{Param: p.Append(nil)}
	}
	np := a.addPath(netip.AddrPortFrom(addr, from.Port()), false)
	a.pushEvent(&PaddrChange{Addr: np.remote, State: AddrAdded})
	a.probeUnconfirmed(now, np)
	return nil
}

// peerDelete performs a Delete IP Address request (RFC 5061 Section
// 4.2.2), refusing to delete the last address (F7) or the source of the
// packet (F8); the wildcard deletes every address but the source.
func (a *Association) peerDelete(now timer.Time, from netip.AddrPort, p *chunk.DeleteIPAddress) chunk.Cause {
	addr, ok := chunk.ParamAddress(p.Address)
	if !ok {
		return &chunk.UnresolvableAddressCause{Address: p.Address.Append(nil)}
	}
	src := from.Addr().Unmap()
	if addr.Unmap().IsUnspecified() {
		keep := a.pathFor(src)
		if keep == nil {
			return &chunk.DeleteLastRemainingAddressCause{Param: p.Append(nil)}
		}
		for len(a.paths) > 1 {
			q := a.paths[0]
			if q == keep {
				q = a.paths[1]
			}
			a.removePath(now, q)
		}
		return nil
	}
	q := a.pathFor(addr)
	switch {
	case q == nil:
		return nil // not an address of the association: nothing to do
	case len(a.paths) == 1:
		return &chunk.DeleteLastRemainingAddressCause{Param: p.Append(nil)}
	case addr.Unmap() == src:
		return &chunk.DeleteSourceAddressCause{Param: p.Append(nil)}
	}
	a.removePath(now, q)
	return nil
}

// peerSetPrimary performs a Set Primary Address request (RFC 5061 Section
// 4.2.4): an address of the association becomes the primary path, at
// once when it is confirmed, else once a HEARTBEAT confirms it (RFC 9260
// Section 5.4: no data to an unconfirmed address). An unknown address
// leaves the primary path as it is (Section 5.4: "the receiver SHOULD NOT
// honor the request") and is reported unresolvable.
func (a *Association) peerSetPrimary(from netip.AddrPort, p *chunk.SetPrimaryAddress) chunk.Cause {
	addr, ok := requestAddr(p.Address, from)
	q := a.pathFor(addr)
	if !ok || q == nil {
		return &chunk.UnresolvableAddressCause{Address: p.Address.Append(nil)}
	}
	if q.state == PathUnconfirmed {
		a.asc().wantPrimary = q
		return nil
	}
	a.asc().wantPrimary = nil
	a.SetPrimary(addr)
	return nil
}

// asconfConfirmed makes p primary when the peer asked for it before a
// HEARTBEAT confirmed it (see peerSetPrimary).
func (a *Association) asconfConfirmed(p *path) {
	if as := a.asc(); as != nil && as.wantPrimary == p {
		as.wantPrimary = nil
		a.SetPrimary(p.remote.Addr())
	}
}

package association

import (
	"errors"
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// Dynamic address reconfiguration (RFC 5061): the requests of this end
// (AddLocalAddr, DeleteLocalAddr, SetPeerPrimary), sent in ASCONF chunks
// one at a time and retransmitted on T-4, and the answers of the peer in
// ASCONF-ACK chunks. asconf_recv.go answers the peer's requests.

// Errors of the address changes.
var (
	// ErrASCONFNotSupported: ASCONF (RFC 5061) was not negotiated (see
	// Config.ASCONF), or the peer refused it since.
	ErrASCONFNotSupported = errors.New("association: dynamic address reconfiguration (ASCONF, RFC 5061) not in use")
	// ErrASCONFQueueFull: MaxASCONFRequests address changes already wait.
	ErrASCONFQueueFull = errors.New("association: too many address changes waiting")
	// ErrDeleteLastAddress: the address is the last local address of the
	// association (RFC 5061 Section 5.3 F5).
	ErrDeleteLastAddress = errors.New("association: cannot delete the last local address")
	// ErrNotLocalAddr: the address is not a local address of the
	// association.
	ErrNotLocalAddr = errors.New("association: not a local address of the association")
	// ErrLocalAddrExists: the address is a local address already.
	ErrLocalAddrExists = errors.New("association: already a local address of the association")
	// ErrInvalidAddr: the address cannot be a local address (invalid,
	// unspecified, multicast or broadcast).
	ErrInvalidAddr = errors.New("association: invalid address")
)

// MaxASCONFRequests bounds the address changes waiting to be sent or
// acknowledged; maxASCONFParams bounds those of one ASCONF chunk, so that
// it stays well within the minimum PMTU (RFC 5061 Section 5.1.1 C5);
// maxCachedASCONFAcks bounds the ASCONF-ACKs cached for the peer's
// retransmissions (RFC 5061 Section 5.2 E4): as many as a peer bundles
// (Section 5.5) when it retransmits.
const (
	MaxASCONFRequests   = 16
	maxASCONFParams     = 8
	maxCachedASCONFAcks = 8
)

// asconfState is the ASCONF state of an association, allocated at its
// first use.
type asconfState struct {
	// Sending (RFC 5061 Section 5.1).
	serial  uint32        // the Sequence Number of the next ASCONF (A2)
	cid     uint32        // the last Correlation ID given
	queue   []asconfReq   // requests not sent yet (A3)
	out     *chunk.ASCONF // the ASCONF outstanding, nil if none (C1)
	outReqs []asconfReq   // its requests, in order
	to      *path         // where it was last sent
	from    netip.Addr    // its source with ASCONFWildcard
	t4      timer.Timer
	// refused: the peer reported ASCONF unrecognized (A9); noAddDel and
	// noSetPrim: it did not understand Add or Delete IP Address (F3a) or
	// Set Primary Address (F3b).
	refused, noAddDel, noSetPrim bool
	adding                       []netip.Addr // local addresses added and not acknowledged (F1)
	deleting                     []netip.Addr // local addresses being deleted (F4)

	// Receiving (RFC 5061 Section 5.2).
	peerSerial uint32 // the last Sequence Number processed (V5)
	// acks are the answers cached for retransmissions (E4), in Sequence
	// Number order, at most maxCachedASCONFAcks: from the last new ASCONF
	// that came first in its packet on (E1, E1-ext).
	acks []*chunk.ASCONFAck
	// wantPrimary is a path the peer asked for as primary, made primary
	// once a HEARTBEAT confirms it (RFC 9260 Section 5.4).
	wantPrimary *path
}

// asconfReq is one request of ours.
type asconfReq struct {
	typ  chunk.ParamType // ParamAddIPAddress, ParamDeleteIPAddress or ParamSetPrimaryAddress
	addr netip.Addr
	cid  uint32
}

// asconfOffered reports whether cfg offers ASCONF and ASCONF-ACK in the
// Supported Extensions parameter: asked for, with AUTH (RFC 5061 Section
// 4.1) or without it by ASCONFNoAuth.
func asconfOffered(cfg *Config) bool {
	return cfg.ASCONF && (cfg.ASCONFNoAuth || authOffered(cfg))
}

// asconf reports whether ASCONF is in use: offered by both ends, with
// AUTH negotiated or ASCONFNoAuth.
func (a *Association) asconf() bool {
	return asconfOffered(a.cfg) && a.peerFeatures&featASCONF != 0 &&
		(a.cfg.ASCONFNoAuth || a.authNegotiated())
}

// ASCONF reports whether the association negotiated dynamic address
// reconfiguration (RFC 5061) and the peer did not refuse it since.
func (a *Association) ASCONF() bool {
	as := a.asc()
	return a.state >= StateEstablished && a.asconf() && (as == nil || !as.refused)
}

// asconfStateOK reports whether ASCONF and ASCONF-ACK chunks may be sent
// (RFC 5061 Section 5.1.1 C4: "MUST NOT be sent in any SCTP state except
// ESTABLISHED, SHUTDOWN-PENDING, SHUTDOWN-RECEIVED, and SHUTDOWN-SENT").
func (a *Association) asconfStateOK() bool {
	switch a.state {
	case StateEstablished, StateShutdownPending, StateShutdownReceived, StateShutdownSent:
		return true
	}
	return false
}

// asconfSt returns the ASCONF state, allocating it: our Sequence Numbers
// start at our Initial TSN (RFC 5061 Section 5.1 A2), and the peer's
// first ASCONF carries its own.
func (a *Association) asconfSt() *asconfState {
	s := a.scr()
	if s.as == nil {
		s.as = &asconfState{serial: uint32(a.initialTSN), peerSerial: uint32(a.peerInitialTSN) - 1,
			t4: timer.Timer{ID: timer.ASCONF}}
		a.timers.Add(&s.as.t4)
	}
	return s.as
}

// asc returns the ASCONF state, nil before its first use.
func (a *Association) asc() *asconfState {
	if a.scratchBuf == nil {
		return nil
	}
	return a.scratchBuf.as
}

// asconfRestart forgets the ASCONF state when the peer restarts the
// association (RFC 9260 Section 5.2.4 action A): the new incarnation
// numbers its ASCONFs from its new Initial TSN. Our pending requests are
// dropped; the local addresses acknowledged stay.
func (a *Association) asconfRestart() {
	if as := a.asc(); as != nil {
		as.t4.Stop()
		a.timers.Remove(&as.t4)
		a.scratchBuf.as = nil
	}
}

// usableASCONF checks that a request may be queued now.
func (a *Association) usableASCONF() (*asconfState, error) {
	if a.state < StateEstablished || a.state == StateClosed {
		return nil, ErrNotEstablished
	}
	if !a.ASCONF() || !a.asconfStateOK() {
		return nil, ErrASCONFNotSupported
	}
	return a.asconfSt(), nil
}

// AddLocalAddr asks the peer to add addr to the association's addresses
// (RFC 5061 Section 4.2.1, the gensctp form of sctp_bindx with
// SCTP_BINDX_ADD_ADDR on a live association). The caller must receive on
// addr from now on. addr becomes a source address once the peer
// acknowledges it (Section 5.3 F1, F2): ASCONFPending is 0 then.
func (a *Association) AddLocalAddr(now timer.Time, addr netip.Addr) error {
	as, err := a.usableASCONF()
	if err != nil {
		return err
	}
	addr = addr.Unmap()
	if !usableAddr(addr) {
		return ErrInvalidAddr
	}
	if as.noAddDel {
		return ErrASCONFNotSupported
	}
	if slices.Contains(a.localsAfter(), addr) {
		return ErrLocalAddrExists
	}
	if err := a.queueASCONF(chunk.ParamAddIPAddress, addr); err != nil {
		return err
	}
	as.adding = append(as.adding, addr)
	return nil
}

// DeleteLocalAddr asks the peer to delete addr from the association's
// addresses (RFC 5061 Section 4.2.2; sctp_bindx SCTP_BINDX_REM_ADDR). addr
// is no longer a source address from the time the request is sent
// (Section 5.3 F4), and the caller should receive on it until the peer
// acknowledges. The last address cannot go (F5): add another first.
func (a *Association) DeleteLocalAddr(now timer.Time, addr netip.Addr) error {
	as, err := a.usableASCONF()
	if err != nil {
		return err
	}
	addr = addr.Unmap()
	if as.noAddDel {
		return ErrASCONFNotSupported
	}
	locals := a.localsAfter()
	if !slices.Contains(locals, addr) {
		return ErrNotLocalAddr
	}
	if len(locals) == 1 {
		return ErrDeleteLastAddress
	}
	as.deleting = append(as.deleting, addr) // before it is sent: see stopSourcing
	if err := a.queueASCONF(chunk.ParamDeleteIPAddress, addr); err != nil {
		as.deleting = as.deleting[:len(as.deleting)-1]
		return err
	}
	return nil
}

// SetPeerPrimary asks the peer to make addr, a local address of the
// association, its primary destination (RFC 5061 Section 4.2.4; gen_sctp
// sctp_set_peer_primary_addr). The peer may decline: it is advice
// (Section 5.4).
func (a *Association) SetPeerPrimary(now timer.Time, addr netip.Addr) error {
	as, err := a.usableASCONF()
	if err != nil {
		return err
	}
	addr = addr.Unmap()
	if as.noSetPrim {
		return ErrASCONFNotSupported
	}
	if !slices.Contains(a.localsAfter(), addr) {
		return ErrNotLocalAddr
	}
	return a.queueASCONF(chunk.ParamSetPrimaryAddress, addr)
}

// ASCONFPending returns the address changes of ours that the peer has not
// acknowledged yet, queued or in flight.
func (a *Association) ASCONFPending() int {
	as := a.asc()
	if as == nil {
		return 0
	}
	return len(as.queue) + len(as.outReqs)
}

// LocalAddrsRequested returns the local addresses as they will be once
// the peer acknowledged the address changes asked for (AddLocalAddr,
// DeleteLocalAddr): LocalAddrs with those added, without those deleted.
func (a *Association) LocalAddrsRequested() []netip.Addr { return a.localsAfter() }

// usableAddr reports whether addr may be an address of an association.
func usableAddr(addr netip.Addr) bool {
	return addr.IsValid() && !addr.IsUnspecified() && !addr.IsMulticast() &&
		addr != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// localsAfter returns the local addresses as they will be once the
// requests sent and queued are done.
func (a *Association) localsAfter() []netip.Addr {
	out := a.LocalAddrs()
	if as := a.asc(); as != nil {
		out = append(out, as.adding...)
		out = slices.DeleteFunc(out, func(l netip.Addr) bool { return slices.Contains(as.deleting, l) })
	}
	return out
}

// queueASCONF queues a request. The next packet sends it if no ASCONF is
// outstanding, with the requests queued since in the same chunk.
func (a *Association) queueASCONF(typ chunk.ParamType, addr netip.Addr) error {
	as := a.asc()
	if len(as.queue)+len(as.outReqs) >= MaxASCONFRequests {
		return ErrASCONFQueueFull
	}
	as.cid++
	as.queue = append(as.queue, asconfReq{typ: typ, addr: addr, cid: as.cid})
	return nil
}

// sendNextASCONF builds and sends the next ASCONF from the queue when
// none is outstanding (RFC 5061 Section 5.1 A1 to A4, Section 5.1.1 C1).
// With ASCONFWildcard the requests of one chunk share their source. A
// Delete does not join a chunk with an Add: the packet must leave from an
// address that stays (F6), which an address added is only once
// acknowledged (F1).
func (a *Association) sendNextASCONF(now timer.Time) {
	as := a.asc()
	if as == nil || as.out != nil || len(as.queue) == 0 || !a.asconfStateOK() {
		return
	}
	n := 1
	src := a.asconfSource(as.queue[0])
	adds := as.queue[0].typ == chunk.ParamAddIPAddress
	for ; n < len(as.queue) && n < maxASCONFParams; n++ {
		r := as.queue[n]
		if a.cfg.ASCONFWildcard && a.asconfSource(r) != src || adds && r.typ == chunk.ParamDeleteIPAddress {
			break
		}
		adds = adds || r.typ == chunk.ParamAddIPAddress
	}
	reqs := slices.Clone(as.queue[:n])
	as.queue = slices.Delete(as.queue, 0, n)
	c := &chunk.ASCONF{Serial: as.serial}
	as.serial++
	for _, r := range reqs {
		if r.typ == chunk.ParamDeleteIPAddress {
			a.stopSourcing(r.addr) // F4 and F6
		}
		c.Params = append(c.Params, a.asconfParam(r))
	}
	c.Address = chunk.AddressParam(a.lookupAddr(reqs[0].addr))
	as.out, as.outReqs, as.from = c, reqs, netip.Addr{}
	if a.cfg.ASCONFWildcard {
		as.from = src
	}
	as.to = a.dataPath()
	a.transmitASCONF(now)
}

// asconfParam returns the parameter of request r: its address, or the
// wildcard with ASCONFWildcard (RFC 6951 Section 5.7).
func (a *Association) asconfParam(r asconfReq) chunk.Param {
	addr := r.addr
	if a.cfg.ASCONFWildcard {
		addr = unspecifiedLike(addr)
	}
	ap := chunk.AddressParam(addr)
	switch r.typ {
	case chunk.ParamAddIPAddress:
		return &chunk.AddIPAddress{CorrelationID: r.cid, Address: ap}
	case chunk.ParamDeleteIPAddress:
		return &chunk.DeleteIPAddress{CorrelationID: r.cid, Address: ap}
	}
	return &chunk.SetPrimaryAddress{CorrelationID: r.cid, Address: ap}
}

// unspecifiedLike returns the wildcard address of addr's family.
func unspecifiedLike(addr netip.Addr) netip.Addr {
	if addr.Is4() {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// asconfSource returns the source address of a wildcard request
// (ASCONFWildcard): the address an Add or Set Primary names, and for a
// Delete, which deletes every address but the source, the last of the
// others.
func (a *Association) asconfSource(r asconfReq) netip.Addr {
	if r.typ != chunk.ParamDeleteIPAddress {
		return r.addr
	}
	var src netip.Addr
	for _, l := range a.localsAfter() {
		if l != r.addr && l.Is4() == r.addr.Is4() {
			src = l
		}
	}
	return src
}

// lookupAddr returns the Address Parameter of an ASCONF (RFC 5061 Section
// 4.1.1): an address of ours the peer knows, of the first request's
// family when there is one, not one being deleted; the one being deleted
// when it is the only one (Section 5.3.2); the wildcard with
// ASCONFWildcard (RFC 6951 Section 5.7).
func (a *Association) lookupAddr(first netip.Addr) netip.Addr {
	if a.cfg.ASCONFWildcard {
		return unspecifiedLike(first)
	}
	var fallback netip.Addr
	for _, l := range a.LocalAddrs() {
		l = l.Unmap()
		if slices.Contains(a.asc().deleting, l) {
			fallback = l
			continue
		}
		if l.Is4() == first.Is4() {
			return l
		}
		if !fallback.IsValid() {
			fallback = l
		}
	}
	if !fallback.IsValid() {
		return unspecifiedLike(first)
	}
	return fallback
}

// transmitASCONF queues the outstanding ASCONF for its destination and
// starts T-4 with that destination's RTO (RFC 5061 Section 5.1 A4, B5).
func (a *Association) transmitASCONF(now timer.Time) {
	as := a.asc()
	a.dropCtrl(chunk.TypeASCONF)
	a.queueCtrl(ctrlChunk{c: as.out, to: as.to, from: as.from})
	as.t4.Start(now, as.to.rto.RTO())
}

// onASCONFTimer handles the expiry of T-4 (RFC 5061 Section 5.1 B1 to B5):
// count an error on the path and the association, back the path's RTO
// off, and send the same ASCONF again, to an alternate destination when
// there is one.
func (a *Association) onASCONFTimer(now timer.Time) {
	as := a.asc()
	if as.out == nil || !a.asconfStateOK() {
		return
	}
	to := as.to
	to.rto.Backoff()
	if a.countError(now, to, true) {
		return // the association failed (B2)
	}
	as.to = a.retransmitPath(to)
	a.transmitASCONF(now)
}

// handleASCONFAck processes the peer's ASCONF-ACK (RFC 5061 Section 5.1
// A5 to A8, Section 5.3 F0).
func (a *Association) handleASCONFAck(now timer.Time, c *chunk.ASCONFAck) error {
	as := a.asconfSt()
	if as.out == nil || c.Serial != as.out.Serial {
		// F0: "If an endpoint receives an ASCONF-ACK that is greater than
		// or equal to the next Sequence Number to be used but no ASCONF
		// Chunk is outstanding, the endpoint MUST ABORT the association."
		if as.out == nil && !chunk.TSN(c.Serial).LT(chunk.TSN(as.serial)) {
			a.abort(now, &chunk.IllegalASCONFAckCause{}, CommLost)
		}
		return discard("ASCONF-ACK for no ASCONF outstanding", chunk.TypeASCONFAck, nil)
	}
	as.t4.Stop()
	// A5: "clear the appropriate association and destination error
	// counters".
	a.errorCount, as.to.errorCount = 0, 0
	reqs := as.outReqs
	as.out, as.outReqs = nil, nil
	a.dropCtrl(chunk.TypeASCONF)
	firstErr := len(reqs)
	for i, r := range reqs {
		if _, failed := asconfResponse(c.Params, r.cid); failed && i < firstErr {
			firstErr = i
		}
	}
	for i, r := range reqs {
		found, failed := asconfResponse(c.Params, r.cid)
		// A7 and A8: no answer means success before the first failure,
		// failure after it.
		ok := !failed && (found || i < firstErr)
		a.asconfDone(r, ok, unrecognizedIn(c.Params, r.cid))
	}
	a.sendNextASCONF(now)
	return nil
}

// asconfResponse finds the answer to the request cid among ps: whether
// there is one, and whether it is an error.
func asconfResponse(ps []chunk.Param, cid uint32) (found, failed bool) {
	for _, p := range ps {
		switch p := p.(type) {
		case *chunk.SuccessIndication:
			if p.CorrelationID == cid {
				return true, false
			}
		case *chunk.ErrorCauseIndication:
			if p.CorrelationID == cid {
				return true, true
			}
		}
	}
	return false, false
}

// unrecognizedIn reports whether the answer to cid says the request was
// not understood (an Unrecognized Parameters cause).
func unrecognizedIn(ps []chunk.Param, cid uint32) bool {
	for _, p := range ps {
		if e, ok := p.(*chunk.ErrorCauseIndication); ok && e.CorrelationID == cid {
			for _, c := range e.Causes {
				if c.CauseCode() == chunk.CauseUnrecognizedParameters {
					return true
				}
			}
		}
	}
	return false
}

// asconfDone applies the peer's answer to one request of ours (RFC 5061
// Section 5.3 F2, F3a, F3b, F10).
func (a *Association) asconfDone(r asconfReq, ok, unrecognized bool) {
	as := a.asc()
	switch r.typ {
	case chunk.ParamAddIPAddress:
		as.adding = slices.DeleteFunc(as.adding, func(l netip.Addr) bool { return l == r.addr })
		if ok {
			a.setLocalAddrs(append(a.LocalAddrs(), r.addr))
		}
		as.noAddDel = as.noAddDel || unrecognized
	case chunk.ParamDeleteIPAddress:
		as.deleting = slices.DeleteFunc(as.deleting, func(l netip.Addr) bool { return l == r.addr })
		if ok {
			a.setLocalAddrs(slices.DeleteFunc(a.LocalAddrs(), func(l netip.Addr) bool { return l.Unmap() == r.addr }))
		}
		as.noAddDel = as.noAddDel || unrecognized
	default:
		as.noSetPrim = as.noSetPrim || unrecognized
	}
}

// asconfUnrecognized handles an ERROR chunk reporting our ASCONF chunk
// unrecognized (RFC 5061 Section 5.1 A9): "the sender of the ASCONF MUST
// NOT send any further ASCONF Chunks and MUST stop its T-4 timer". The
// requests in flight and queued fail.
func (a *Association) asconfUnrecognized(c chunk.Cause) {
	u, ok := c.(*chunk.UnrecognizedChunkTypeCause)
	if !ok || a.asc() == nil || len(u.Chunk) == 0 || chunk.Type(u.Chunk[0]) != chunk.TypeASCONF {
		return
	}
	as := a.asc()
	as.refused = true
	as.t4.Stop()
	a.dropCtrl(chunk.TypeASCONF)
	as.out, as.outReqs, as.queue, as.adding, as.deleting = nil, nil, nil, nil, nil
}

// setLocalAddrs replaces the local addresses of the association (the
// Config is shared, never written through).
func (a *Association) setLocalAddrs(addrs []netip.Addr) {
	cfg := *a.cfg
	cfg.LocalAddrs = addrs
	a.cfg = &cfg
}

// stopSourcing moves the paths that send from addr to another local
// address of their family (RFC 5061 Section 5.3 F4: an address being
// deleted "MUST NOT be used as a source address for any subsequent
// packets").
func (a *Association) stopSourcing(addr netip.Addr) {
	for _, p := range a.paths {
		if p.local.Unmap() != addr {
			continue
		}
		p.local = netip.Addr{}
		for _, l := range a.LocalAddrs() {
			l = l.Unmap()
			if l != addr && l.Is4() == p.remote.Addr().Unmap().Is4() && !slices.Contains(a.asc().deleting, l) {
				p.local = l
				break
			}
		}
	}
}

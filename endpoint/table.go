package endpoint

import (
	"math"
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// AssocID identifies an association of an Endpoint (gen_sctp assoc_id).
// It is never 0: 0 means "the endpoint", as in gen_sctp. IDs are not
// reused while the association they named is held.
type AssocID uint32

// peerKey is how a peer transport address is looked up: its IP address
// (IPv4-mapped IPv6 addresses unmapped) and its SCTP port. The UDP
// encapsulation port is not part of it: a NAT may change it (RFC 6951
// Section 5.1), and the association learns it (Section 5.4).
type peerKey struct {
	addr netip.Addr
	port uint16
}

func keyOf(addr netip.Addr, port uint16) peerKey { return peerKey{addr.Unmap(), port} }

// entry is the endpoint's bookkeeping for one association.
type entry struct {
	id       AssocID
	a        *association.Association
	tag      chunk.VerificationTag // registered local tag; 0: none
	peerPort uint16
	peers    []peerKey  // registered peer keys
	peer0    [1]peerKey // storage of peers for the common single peer
	// retiredUse are the retired local addresses (bindx.go) the
	// association still has.
	retiredUse []netip.Addr
	// peersGen is the association's PeerAddrsGen when peers was last
	// brought in line with its peer addresses (followPeers).
	peersGen uint16
	// closed: the association reached CLOSED and left the routing
	// tables; the entry lives on until its deliveries are polled.
	closed bool

	heapIdx  int // index in the deadline heap; -1 when absent
	deadline timer.Time

	sendQ   bool // in the send queue
	sent    int  // packets sent in the current turn
	pollQ   bool // in the poll queue
	dirty   bool // in the dirty list
	backlog bool // one-to-one: accepted, not yet taken by Accept
	// detached: out of Poll's round-robin; read with PollAssoc only.
	detached bool
	removed  bool

	// What TakeChanged reports (changed.go): the association as last
	// seen, and the changes not taken yet (0: not in Endpoint.changed).
	seenState    association.State
	seenPending  int
	seenBuffered int
	changed      Readiness
}

// reservedTag is a local tag of a closed association, reserved until
// until.
type reservedTag struct {
	tag   chunk.VerificationTag
	until timer.Time
}

// newID returns an unused association ID of the endpoint's shard: id mod
// Shard.Count == Shard.Index (ShardOfAssoc), never 0. IDs count up from
// the shard's index by the shard count, and start again from the index
// after the largest.
func (e *Endpoint) newID() AssocID {
	step := AssocID(max(e.cfg.Shard.Count, 1))
	for {
		if e.lastID > math.MaxUint32-step {
			e.lastID = AssocID(e.cfg.Shard.Index)
		} else {
			e.lastID += step
		}
		if e.lastID == 0 {
			continue
		}
		if _, used := e.ids[e.lastID]; !used {
			return e.lastID
		}
	}
}

// tagFree reports whether tag may be the local tag of a new association:
// no association uses it and it is not reserved (RFC 9260 Section 5.3.1).
func (e *Endpoint) tagFree(tag chunk.VerificationTag) bool {
	if _, used := e.byTag[tag]; used {
		return false
	}
	e.expireReserved()
	_, reserved := e.reserved[tag]
	return !reserved
}

// reserve keeps tag from being reused for Config.TagReuseDelay.
func (e *Endpoint) reserve(tag chunk.VerificationTag) {
	if tag == 0 || e.cfg.TagReuseDelay < 0 {
		return
	}
	e.expireReserved()
	for e.reservedQ.len() >= maxReservedTags {
		r, _ := e.reservedQ.pop()
		e.unreserve(r)
	}
	until := e.now.Add(e.cfg.TagReuseDelay)
	e.reserved[tag] = until
	e.reservedQ.push(reservedTag{tag: tag, until: until})
}

// expireReserved releases the reservations that ran out.
func (e *Endpoint) expireReserved() {
	for e.reservedQ.len() > 0 && e.reservedQ.peek().until <= e.now {
		r, _ := e.reservedQ.pop()
		e.unreserve(r)
	}
}

// unreserve drops the reservation r unless the tag was reserved again
// later.
func (e *Endpoint) unreserve(r reservedTag) {
	if e.reserved[r.tag] == r.until {
		deleteShrink(&e.reserved, &e.peaks.reserved, r.tag)
	}
}

// add registers a new association for the peer addresses given and
// returns its entry.
func (e *Endpoint) add(a *association.Association, peerPort uint16, peers []netip.AddrPort) *entry {
	en := &entry{id: e.newID(), a: a, peerPort: peerPort, heapIdx: -1, deadline: timer.Never}
	en.peers = en.peer0[:0]
	e.ids[en.id] = en
	for _, p := range peers {
		k := keyOf(p.Addr(), peerPort)
		if _, dup := e.byPeer[k]; !dup {
			e.byPeer[k] = en
			en.peers = append(en.peers, k)
		}
	}
	local, _ := a.Tags()
	e.retag(en, local)
	return en
}

// retag registers tag as en's local tag, releasing the old one (the
// local tag changes when the peer restarts: RFC 9260 Section 5.2.4 action
// A).
func (e *Endpoint) retag(en *entry, tag chunk.VerificationTag) {
	if en.tag == tag {
		return
	}
	if en.tag != 0 && e.byTag[en.tag] == en {
		deleteShrink(&e.byTag, &e.peaks.byTag, en.tag)
		e.reserve(en.tag)
	}
	en.tag = tag
	if tag != 0 {
		e.byTag[tag] = en
	}
}

// followPeers brings the peer keys under which en is looked up in line
// with the peer addresses of its association, which change after the
// handshake when the peer adds or deletes addresses with ASCONF (RFC 5061
// Sections 4.2.1, 4.2.2): a packet from an address added finds the
// association by its source (RFC 9260 Section 5.2, RFC 5061 Section 5.2
// D1), and one from an address deleted is out of the blue (RFC 5061
// Section 5.3 F13). An address another association of the endpoint is
// looked up by stays with that one.
func (e *Endpoint) followPeers(en *entry) {
	gen := en.a.PeerAddrsGen()
	if gen == en.peersGen {
		return
	}
	en.peersGen = gen
	addrs := en.a.AppendPeerAddrs(e.addrScratch[:0])
	kept := en.peers[:0]
	for _, k := range en.peers {
		if slices.Contains(addrs, k.addr) {
			kept = append(kept, k)
		} else if e.byPeer[k] == en {
			deleteShrink(&e.byPeer, &e.peaks.byPeer, k)
		}
	}
	en.peers = kept
	for _, addr := range addrs {
		k := keyOf(addr, en.peerPort)
		if _, taken := e.byPeer[k]; !taken {
			e.byPeer[k] = en
			en.peers = append(en.peers, k)
		}
	}
	clear(addrs)
	e.addrScratch = addrs[:0]
}

// unroute takes a closed association out of the routing tables, so that
// packets for it are out of the blue from now on (RFC 9260 Section 8.4)
// and its peer may set up a new association. Its tag is reserved.
func (e *Endpoint) unroute(en *entry) {
	e.retag(en, 0)
	for _, k := range en.peers {
		if e.byPeer[k] == en {
			deleteShrink(&e.byPeer, &e.peaks.byPeer, k)
		}
	}
	en.peers = nil
	en.closed = true
}

// peerExists reports whether a live association has one of the peers.
func (e *Endpoint) peerExists(peerPort uint16, peers []netip.AddrPort) bool {
	for _, p := range peers {
		if _, ok := e.byPeer[keyOf(p.Addr(), peerPort)]; ok {
			return true
		}
	}
	return false
}

// maybeRemove forgets a closed association once nothing refers to it any
// more: its deliveries were polled, it has nothing left to send, and (one
// to one) it is not waiting in the backlog.
func (e *Endpoint) maybeRemove(en *entry) {
	if !en.closed || en.removed || en.sendQ || en.pollQ || en.dirty || en.backlog ||
		en.a.Pending() > 0 {
		return
	}
	e.touch()
	e.deadlines.set(en, timer.Never)
	deleteShrink(&e.ids, &e.peaks.ids, en.id)
	if len(e.ids) == 0 {
		e.cfg.Assoc.Buffers.Drain() // idle: keep no free buffers
	}
	en.removed = true
	e.release()
	e.report(en, Removed)
}

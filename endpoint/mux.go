package endpoint

import (
	"cmp"
	"container/heap"
	"fmt"
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// Mux dispatches the datagrams of one UDP encapsulation socket to the
// Endpoints of several local SCTP ports by destination port (RFC 6951
// Section 5.1: "Each SCTP stack uses a single local UDP encapsulation port
// number as the destination port for all its incoming SCTP packets"), and
// merges their output, deadlines and timeouts. A packet for a port without
// an endpoint is out of the blue (RFC 9260 Section 8.4): an INIT gets an
// ABORT (rule 3), a SHUTDOWN ACK a SHUTDOWN COMPLETE (rule 5), an ABORT, a
// SHUTDOWN COMPLETE, a COOKIE ACK, a Stale Cookie ERROR or a COOKIE ECHO
// nothing (rules 2, 6, 7 and 4), anything else an ABORT with the T bit
// (rule 8).
//
// Its cost per call is that of the endpoints it has to visit, not of all
// of them: an endpoint tells its Mux when it was called into or changed
// (a dirty mark through Assoc, an association synced: see touch), and the
// Mux re-reads only those (settle) into a queue of the endpoints that may
// have something to send and a min-heap of their deadlines. An idle
// endpoint costs nothing per call, so one UDP port may carry many SCTP
// ports (a socket each).
//
// A Mux is not safe for concurrent use; the caller serialises.
type Mux struct {
	eps      map[uint16][]*Endpoint // by port: bound to disjoint addresses
	added    uint64                 // endpoints added so far: the seq of the next one
	replies  replyQueue
	touched  []*Endpoint     // called into or changed since the last settle
	ready    fifo[*Endpoint] // may have something to send; in turn
	heap     muxHeap         // the endpoints by deadline
	due      []*Endpoint     // scratch of HandleTimeout
	visits   uint64          // endpoints visited by settle, AppendPacket and HandleTimeout (tests)
	counters Counters        // counters.go
}

// muxLink is an endpoint's place in its Mux.
type muxLink struct {
	m        *Mux // nil when not in a Mux
	touched  bool // in m.touched
	ready    bool // in m.ready
	idx      int  // index in m.heap; -1 when absent
	deadline timer.Time
	seq      uint64 // the order it was added in (Endpoints)
}

// touch tells e's Mux, if any, that e was called into or changed: its
// deadline or its output may have changed, and the Mux re-reads it at
// its next call (settle). Every change of an association goes through
// markDirty or sync, which call touch; so does every call of the Mux
// into the endpoint.
func (e *Endpoint) touch() {
	if l := &e.link; l.m != nil && !l.touched {
		l.touched = true
		l.m.touched = append(l.m.touched, e)
	}
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{eps: make(map[uint16][]*Endpoint)} }

// Add attaches ep for its port. Several endpoints may share a port when
// they are bound to disjoint specific addresses (Config.Assoc.LocalAddrs),
// as the kernel lets sockets share an SCTP port; each then takes the
// packets sent to its addresses (HandleDatagram). Add fails with
// ErrPortInUse if an endpoint of the port overlaps ep (an address in
// common, or either bound to the wildcard), and with ErrInvalidConfig if
// ep is attached to a Mux. Two wildcard endpoints overlap only when they
// have a family in common (Config.NoIPv4, NoIPv6).
func (m *Mux) Add(ep *Endpoint) error {
	for _, x := range m.eps[ep.Port()] {
		if x.overlaps(ep) {
			return ErrPortInUse
		}
	}
	if ep.link.m != nil {
		return fmt.Errorf("%w: the endpoint is in a Mux", ErrInvalidConfig)
	}
	m.eps[ep.Port()] = append(m.eps[ep.Port()], ep)
	ep.link = muxLink{m: m, idx: -1, seq: m.added}
	m.added++
	ep.touch()
	return nil
}

// Remove detaches the endpoints of port and reports whether there was
// one. Packets for the port are out of the blue from then on.
func (m *Mux) Remove(port uint16) bool {
	eps := m.eps[port]
	for _, ep := range slices.Clone(eps) {
		m.RemoveEndpoint(ep)
	}
	return len(eps) > 0
}

// RemoveEndpoint detaches ep and reports whether it was attached to m.
// Packets for its port and addresses are out of the blue from then on,
// unless another endpoint of the port takes them.
func (m *Mux) RemoveEndpoint(ep *Endpoint) bool {
	if ep.link.m != m {
		return false
	}
	port := ep.Port()
	m.eps[port] = slices.DeleteFunc(m.eps[port], func(x *Endpoint) bool { return x == ep })
	if len(m.eps[port]) == 0 {
		delete(m.eps, port)
	}
	if ep.link.touched {
		m.touched = slices.DeleteFunc(m.touched, func(x *Endpoint) bool { return x == ep })
	}
	if ep.link.ready {
		for i := m.ready.len(); i > 0; i-- {
			if x, _ := m.ready.pop(); x != ep {
				m.ready.push(x)
			}
		}
	}
	if ep.link.idx >= 0 {
		heap.Remove(&m.heap, ep.link.idx)
	}
	ep.link = muxLink{idx: -1}
	return true
}

// Endpoint returns the endpoint of port (the first added, when several
// share it).
func (m *Mux) Endpoint(port uint16) (*Endpoint, bool) {
	if eps := m.eps[port]; len(eps) > 0 {
		return eps[0], true
	}
	return nil, false
}

// Endpoints returns the endpoints in the order they were added. Its cost
// is that of sorting them: the Mux keeps no list, so that removing one of
// many endpoints costs no more than removing one of few.
func (m *Mux) Endpoints() []*Endpoint {
	var eps []*Endpoint
	for _, of := range m.eps {
		eps = append(eps, of...)
	}
	slices.SortFunc(eps, func(a, b *Endpoint) int { return cmp.Compare(a.link.seq, b.link.seq) })
	return eps
}

// HandleDatagram hands the SCTP packet of d to the endpoint of its
// destination port bound to its destination address d.To (which parses
// it once; the first of the port when d.To is unknown), or applies the
// out-of-the-blue rules when there is none: an endpoint bound to
// specific addresses (Config.Assoc.LocalAddrs) does not take a packet
// sent to another address, which the transport may receive for other
// endpoints (a wildcard UDP socket shared with them). See
// Endpoint.HandleDatagram.
func (m *Mux) HandleDatagram(d *association.Datagram) error {
	err := m.handleDatagram(d)
	m.counters.in(len(d.Data), err)
	return err
}

// handleDatagram is HandleDatagram without the counting.
func (m *Mux) handleDatagram(d *association.Datagram) error {
	h, err := packet.ParseHeader(d.Data)
	if err != nil {
		return &DropError{Reason: DropMalformed, Err: err}
	}
	eps := m.eps[h.DstPort]
	for _, ep := range eps {
		if ep.bound(d.To, d.From.Addr()) {
			if len(eps) > 1 && localTag(d.Data) && !ep.hasAssocOf(h.VerificationTag, h.SrcPort) {
				// Another endpoint's association: that endpoint's if it
				// binds the address too, else discarded (see below).
				if owner := ownerOf(eps, ep, &h); owner != nil {
					if !owner.bound(d.To, d.From.Addr()) {
						return &DropError{Reason: DropUnboundAddress}
					}
					ep = owner
				}
			}
			err := ep.HandleDatagram(d)
			ep.touch()
			return err
		}
	}
	// A packet of an association of the port that arrived on an address
	// no endpoint binds is not out of the blue: RFC 9260 Section 8.4
	// calls so a packet whose association the receiver cannot identify.
	// It is the peer's, sent to an address the association deleted (RFC
	// 5061) before the peer processed the ASCONF; the ABORT with the T
	// bit that rule 8 would send back ends the association at the peer.
	// It is discarded silently.
	if localTag(d.Data) && ownerOf(eps, nil, &h) != nil {
		return &DropError{Reason: DropUnboundAddress}
	}
	return m.outOfTheBlue(d.From, d.To, d.Data)
}

// localTag reports whether the verification tag of packet b names an
// association the receiver already has: not for an ABORT or SHUTDOWN
// COMPLETE with the T bit, which carries the peer's tag (RFC 9260
// Section 8.5.1), nor for a COOKIE ECHO, whose tag the receiver chose in
// an INIT ACK and may not have yet (another endpoint of the port may use
// the same value). Only such a tag tells another endpoint's association
// by ownerOf.
func localTag(b []byte) bool {
	const first = 12 // the common header's length
	if len(b) < first+2 {
		return true
	}
	switch chunk.Type(b[first]) {
	case chunk.TypeCookieEcho:
		return false
	case chunk.TypeAbort, chunk.TypeShutdownComplete:
		return !chunk.TFlags(b[first+1]).Reflected()
	}
	return true
}

// ownerOf returns the endpoint of eps, other than but, that has an
// association the packet of header h belongs to, or nil. A packet that
// came to an address its association deleted, which another endpoint of
// the port binds (or none does), is the association's peer's, not out of
// the blue for that other endpoint, whose ABORT would end the
// association (see handleDatagram).
func ownerOf(eps []*Endpoint, but *Endpoint, h *packet.Header) *Endpoint {
	for _, ep := range eps {
		if ep != but && ep.hasAssocOf(h.VerificationTag, h.SrcPort) {
			return ep
		}
	}
	return nil
}

// outOfTheBlue applies the out-of-the-blue rules to a packet for a port
// no endpoint has.
func (m *Mux) outOfTheBlue(from netip.AddrPort, to netip.Addr, b []byte) error {
	p, err := packet.Parse(b, packet.Options{})
	if err != nil {
		return &DropError{Reason: DropMalformed, Err: err}
	}
	first, err := screen(from, to, &p)
	if err != nil {
		return err
	}
	buf := m.replies.buf()
	if buf == nil {
		return &DropError{Reason: DropReplyQueueFull, Chunk: first.Type}
	}
	rule, out := ootb(&p, buf)
	if out == nil {
		m.replies.recycle(buf)
	} else {
		m.replies.push(from, to, out)
	}
	return &DropError{Reason: DropOutOfTheBlue, Rule: rule, Chunk: first.Type}
}

// AppendPacket returns the next packet to transmit, written into buf's
// capacity: the Mux's own replies first, then one packet per endpoint in
// turn (each endpoint schedules its associations fairly), among those
// that may have something to send.
func (m *Mux) AppendPacket(now timer.Time, buf []byte) (association.Outgoing, bool) {
	out, ok := m.appendPacket(now, buf)
	if ok {
		m.counters.out(len(out.Data))
	}
	return out, ok
}

// appendPacket is AppendPacket without the counting.
func (m *Mux) appendPacket(now timer.Time, buf []byte) (association.Outgoing, bool) {
	if r, ok := m.replies.q.pop(); ok {
		out := association.Outgoing{To: r.to, From: r.from, Data: append(buf[:0], r.data...)}
		m.replies.recycle(r.data)
		return out, true
	}
	m.settle()
	for m.ready.len() > 0 {
		ep, _ := m.ready.pop()
		m.visits++
		out, ok := ep.AppendPacket(now, buf)
		if ok {
			ep.touch()       // sending may start a timer
			m.ready.push(ep) // to the back: the next endpoint's turn
			return out, true
		}
		ep.link.ready = false // until it has something again (settle)
	}
	return association.Outgoing{}, false
}

// NextDeadline returns the earliest deadline of the endpoints, or
// timer.Never.
func (m *Mux) NextDeadline() timer.Time {
	m.settle()
	if len(m.heap) == 0 {
		return timer.Never
	}
	return m.heap[0].link.deadline
}

// HandleTimeout runs the timers of the endpoints that are due at now.
func (m *Mux) HandleTimeout(now timer.Time) {
	m.settle()
	// Take the due endpoints out first, so that one whose deadline is
	// at or before now again is not run twice in one call.
	for len(m.heap) > 0 && m.heap[0].link.deadline <= now {
		m.due = append(m.due, heap.Pop(&m.heap).(*Endpoint))
	}
	for i, ep := range m.due {
		m.due[i] = nil
		m.visits++
		ep.HandleTimeout(now)
		ep.touch() // back in the heap at its new deadline (settle)
	}
	m.due = shrunk(m.due[:0])
}

// settle re-reads the endpoints touched since the last call: their
// deadline (which brings their view of the associations changed through
// Assoc up to date, and reports those changes: see TakeChanged) and
// whether they may have something to send.
func (m *Mux) settle() {
	for i := 0; i < len(m.touched); i++ {
		ep := m.touched[i]
		m.touched[i] = nil
		m.visits++
		d := ep.NextDeadline()
		ep.link.touched = false
		m.heap.set(ep, d)
		if !ep.link.ready && (ep.replies.q.len() > 0 || ep.sendQ.len() > 0) {
			ep.link.ready = true
			m.ready.push(ep)
		}
	}
	m.touched = shrunk(m.touched[:0])
}

// muxHeap is a min-heap of endpoints by deadline (container/heap), each
// endpoint recording its index; the endpoints without a deadline are not
// in it.
type muxHeap []*Endpoint

func (h muxHeap) Len() int { return len(h) }

func (h muxHeap) Less(i, j int) bool {
	a, b := &h[i].link, &h[j].link
	if a.deadline != b.deadline {
		return a.deadline < b.deadline
	}
	return h[i].Port() < h[j].Port() // deterministic order among equal deadlines
}

func (h muxHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].link.idx, h[j].link.idx = i, j
}

func (h *muxHeap) Push(x any) {
	ep := x.(*Endpoint)
	ep.link.idx = len(*h)
	*h = append(*h, ep)
}

func (h *muxHeap) Pop() any {
	old := *h
	ep := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	ep.link.idx = -1
	return ep
}

// set moves ep to deadline d: it is added, moved or (for timer.Never)
// removed.
func (h *muxHeap) set(ep *Endpoint, d timer.Time) {
	l := &ep.link
	switch {
	case d == timer.Never:
		if l.idx >= 0 {
			heap.Remove(h, l.idx)
		}
	case l.idx < 0:
		l.deadline = d
		heap.Push(h, ep)
	case d != l.deadline:
		l.deadline = d
		heap.Fix(h, l.idx)
	}
}

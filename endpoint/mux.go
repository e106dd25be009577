package endpoint

import (
	"net/netip"

	"github.com/gensctp/gensctp/association"
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
// Its cost per call is O(1) for HandleDatagram and O(endpoints) for
// NextDeadline, HandleTimeout and a final AppendPacket: it is meant for a
// handful of ports; each Endpoint scales with its associations.
//
// A Mux is not safe for concurrent use; the caller serialises.
type Mux struct {
	eps     map[uint16]*Endpoint
	list    []*Endpoint // in the order added
	next    int         // round-robin cursor of AppendPacket
	replies replyQueue
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{eps: make(map[uint16]*Endpoint)} }

// Add attaches ep for its port. It fails with ErrPortInUse if the port
// has an endpoint.
func (m *Mux) Add(ep *Endpoint) error {
	if _, ok := m.eps[ep.Port()]; ok {
		return ErrPortInUse
	}
	m.eps[ep.Port()] = ep
	m.list = append(m.list, ep)
	return nil
}

// Remove detaches the endpoint of port and reports whether there was one.
// Packets for the port are out of the blue from then on.
func (m *Mux) Remove(port uint16) bool {
	ep, ok := m.eps[port]
	if !ok {
		return false
	}
	delete(m.eps, port)
	for i, x := range m.list {
		if x == ep {
			m.list = append(m.list[:i], m.list[i+1:]...)
			break
		}
	}
	m.next = 0
	return true
}

// Endpoint returns the endpoint of port.
func (m *Mux) Endpoint(port uint16) (*Endpoint, bool) {
	ep, ok := m.eps[port]
	return ep, ok
}

// Endpoints returns the endpoints in the order they were added.
func (m *Mux) Endpoints() []*Endpoint { return append([]*Endpoint(nil), m.list...) }

// HandleDatagram hands the SCTP packet of d to the endpoint of its
// destination port (which parses it once), or applies the out-of-the-blue
// rules when there is none. See Endpoint.HandleDatagram.
func (m *Mux) HandleDatagram(d *association.Datagram) error {
	h, err := packet.ParseHeader(d.Data)
	if err != nil {
		return &DropError{Reason: DropMalformed, Err: err}
	}
	if ep := m.eps[h.DstPort]; ep != nil {
		return ep.HandleDatagram(d)
	}
	return m.outOfTheBlue(d.From, d.To, d.Data)
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
// turn (each endpoint schedules its associations fairly).
func (m *Mux) AppendPacket(now timer.Time, buf []byte) (association.Outgoing, bool) {
	if r, ok := m.replies.q.pop(); ok {
		out := association.Outgoing{To: r.to, From: r.from, Data: append(buf[:0], r.data...)}
		m.replies.recycle(r.data)
		return out, true
	}
	n := len(m.list)
	for i := range n {
		k := (m.next + i) % n
		if out, ok := m.list[k].AppendPacket(now, buf); ok {
			m.next = (k + 1) % n
			return out, true
		}
	}
	return association.Outgoing{}, false
}

// NextDeadline returns the earliest deadline of the endpoints, or
// timer.Never.
func (m *Mux) NextDeadline() timer.Time {
	next := timer.Never
	for _, ep := range m.list {
		next = timer.Min(next, ep.NextDeadline())
	}
	return next
}

// HandleTimeout runs the timers of the endpoints that are due at now.
func (m *Mux) HandleTimeout(now timer.Time) {
	for _, ep := range m.list {
		if ep.NextDeadline() <= now {
			ep.HandleTimeout(now)
		}
	}
}

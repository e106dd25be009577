package api

import (
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// partialKey identifies a message under partial delivery.
type partialKey struct {
	id        AssocID
	stream    uint16
	unordered bool
}

// partialMsg is a message whose pieces are being gathered.
type partialMsg struct {
	first association.Message // the first piece (its fields describe the message)
	data  []byte
	// dropping: the message would exceed MaxMessageSize; its remaining
	// pieces are dropped.
	dropping bool
}

// nextLocked returns the next whole message or event for the user, or
// false: it polls, hands connect outcomes to their Connect, drops the
// events the sctp_events option turns off, and gathers the pieces of
// partially delivered messages (RFC 6458 Section 8.1.21) so that a
// message is always delivered whole, up to the MaxMessageSize option
// (a budget of each association).
func (s *Socket) nextLocked(now timer.Time) (d Delivery, ok bool) {
	for {
		r, ok := s.pollLocked()
		if !ok {
			return Delivery{}, false
		}
		if r.d.Event != nil {
			if d, ok := s.eventLocked(now, r); ok {
				return d, true
			}
			continue
		}
		if d, ok := s.messageLocked(now, r); ok {
			return d, true
		}
	}
}

// eventLocked turns an event into a Delivery, or consumes it.
func (s *Socket) eventLocked(now timer.Time, r rawDelivery) (Delivery, bool) {
	from := s.peerLocked(r.id)
	ev := convertEvent(r.d.Event, r.id, from.Port())
	if ev == nil {
		return Delivery{}, false
	}
	switch e := ev.(type) {
	case *AssocChange:
		if s.connectDoneLocked(e) {
			return Delivery{}, false
		}
		if e.State != CommUp && e.State != Restart {
			s.forgetLocked(r.id)
		}
	case *PaddrChange:
		e.Addr = s.st.show(e.Addr)
		from = e.Addr
	case *PdapiEvent:
		s.dropPartialLocked(partialKey{r.id, e.Stream, false})
		s.dropPartialLocked(partialKey{r.id, e.Stream, true})
	}
	if !s.st.events.wants(ev) {
		return Delivery{}, false
	}
	kind := KindEvent
	if errorClass(ev) {
		kind = KindError
	}
	return Delivery{Kind: kind, Socket: s, From: from, Event: ev}, true
}

// forgetLocked drops what the socket keeps about an association that
// ended; its final AssocChange, being delivered, is its last delivery.
func (s *Socket) forgetLocked(id AssocID) {
	delete(s.peers, id)
	for k := range s.partial {
		if k.id == id {
			s.dropPartialLocked(k)
		}
	}
	delete(s.st.perAssoc, id)
	if s.typ == Stream && !s.peeled && s.assoc1 == id {
		s.assoc1 = 0
	}
}

// messageLocked turns a message or piece into a Delivery once whole.
func (s *Socket) messageLocked(now timer.Time, r rawDelivery) (Delivery, bool) {
	m := r.d.Message
	k := partialKey{r.id, uint16(m.Stream), m.Unordered}
	p := s.partial[k]
	if !m.EndOfRecord || p != nil {
		if p == nil {
			if s.partial == nil {
				s.partial = make(map[partialKey]*partialMsg)
				s.partialLen = make(map[AssocID]int)
			}
			p = &partialMsg{first: m}
			s.partial[k] = p
		}
		if p.dropping {
			if m.EndOfRecord {
				delete(s.partial, k)
			}
			return Delivery{}, false
		}
		if s.partialLen[r.id]+len(m.Data) > s.st.maxMessage {
			return s.tooLargeLocked(now, k)
		}
		p.data = append(p.data, m.Data...)
		s.partialLen[r.id] += len(m.Data)
		if !m.EndOfRecord {
			return Delivery{}, false
		}
		data := p.data
		m = p.first
		m.Data = data
		s.dropPartialLocked(k)
	}
	s.stats.received(len(m.Data))
	from := s.peerLocked(r.id)
	if f := r.d.Message.From; f.IsValid() {
		// The address the message's last DATA chunk came from (on a
		// multihomed association, its path), with the peer's SCTP port.
		from = s.st.show(netip.AddrPortFrom(f.Addr(), from.Port()))
	}
	d := Delivery{Kind: KindData, Socket: s, From: from, Data: m.Data}
	if s.st.events.dataIO {
		d.HasInfo = true
		d.Info = SndRcvInfo{Stream: uint16(m.Stream), SSN: uint16(m.SSN), PPID: uint32(m.PPID),
			TSN: uint32(m.TSN), CumTSN: uint32(m.CumTSN), AssocID: r.id}
		if m.Unordered {
			d.Info.Flags = Unordered
		}
	}
	s.ancLocked(&d, r.d.Message.IP) // the piece that ends the message
	return d, true
}

// dropPartialLocked forgets a message under reassembly.
func (s *Socket) dropPartialLocked(k partialKey) {
	if p := s.partial[k]; p != nil {
		if n := s.partialLen[k.id] - len(p.data); n > 0 {
			s.partialLen[k.id] = n
		} else {
			delete(s.partialLen, k.id)
		}
		delete(s.partial, k)
	}
}

// tooLargeLocked handles a message that would take its association's
// pieces under reassembly beyond MaxMessageSize: it cannot be
// delivered whole, so the association is aborted, which reports the
// partial delivery as aborted (an error-class PdapiEvent, then comm_lost);
// the pieces still queued are dropped.
func (s *Socket) tooLargeLocked(now timer.Time, k partialKey) (Delivery, bool) {
	s.dropPartialLocked(k)
	s.partial[k] = &partialMsg{dropping: true}
	if a, ok := s.share.ep.Assoc(k.id); ok && a.State() != association.StateClosed {
		a.Abort(now, []byte("message too large"))
		return Delivery{}, false
	}
	ev := &PdapiEvent{Indication: PartialDeliveryAborted, AssocID: k.id, Stream: k.stream}
	return Delivery{Kind: KindError, Socket: s, From: s.peerLocked(k.id), Event: ev}, true
}

// peerAddrs returns the peer transport addresses for Connect: each IP
// with its remote UDP encapsulation port.
func (st *settings) peerAddrs(addrs []netip.Addr) []netip.AddrPort {
	out := make([]netip.AddrPort, len(addrs))
	for i, a := range addrs {
		out[i] = netip.AddrPortFrom(a.Unmap(), st.remoteUDP(a))
	}
	return out
}

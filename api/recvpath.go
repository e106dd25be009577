package api

import (
	"fmt"
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// The receive path. An association hands out each message whole or, past
// the partial delivery point (RFC 6458 Section 8.1.21), in pieces, each in
// a buffer of the endpoint's pool (Endpoint.Buffers). The socket turns
// them into deliveries:
//
//   - RecvBuffer and Conn.Read copy a message or piece straight from the
//     association's buffer into the caller's, keeping what does not fit
//     for the next call (s.rest), and give the buffer back to the pool:
//     one copy, no allocation (recvpiece.go);
//   - Recv and active mode hand out whole messages that belong to the
//     receiver: a message is copied once into a buffer of its size, the
//     pieces of one delivered in parts are gathered into one (s.partial)
//     up to MaxMessageSize;
//   - a message whose first part RecvBuffer or Conn.Read returned goes on
//     in pieces whichever call takes the rest (s.pieced), and one whose
//     pieces Recv began gathering is gathered to its end.

// partialKey identifies a message under partial delivery: only one
// message of a stream is delivered in pieces at a time.
type partialKey struct {
	id        AssocID
	stream    uint16
	unordered bool
}

// msgKey returns the key of the message r.
func msgKey(r rawDelivery) partialKey {
	return partialKey{r.id, uint16(r.d.Message.Stream), r.d.Message.Unordered}
}

// partialMsg is a message whose pieces are being gathered.
type partialMsg struct {
	first association.Message // the first piece (its fields describe the message)
	data  []byte
	// dropping: the message would exceed MaxMessageSize; its remaining
	// pieces are dropped.
	dropping bool
}

// nextUnitLocked returns the next event for the user (ev.Kind != 0) or
// the next message or piece of a message (r): it polls, hands connect
// outcomes to their Connect and drops the events the sctp_events option
// turns off. skipStash leaves the stash for later (see pollLocked).
func (s *Socket) nextUnitLocked(now timer.Time, skipStash bool) (r rawDelivery, ev Delivery, ok bool) {
	for {
		if r, ok = s.pollLocked(skipStash); !ok {
			return rawDelivery{}, Delivery{}, false
		}
		if r.d.Event == nil {
			return r, Delivery{}, true
		}
		if ev, ok := s.eventLocked(now, r); ok {
			return rawDelivery{}, ev, true
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
		e.Err = s.assocErrLocked(r.id, e.Err)
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
		for _, u := range []bool{false, true} {
			k := partialKey{r.id, e.Stream, u}
			if p := s.partial[k]; p != nil && p.dropping {
				e.Err = s.tooLargeErrLocked() // the abort tooLargeLocked made
			}
			s.dropPartialLocked(k)
			delete(s.pieced, k)
		}
	}
	if !s.st.events.wants(ev) {
		if f, ok := ev.(*SendFailed); ok {
			s.share.ep.Buffers(r.id).Put(f.Data) // nobody reads it: back to the pool
		}
		return Delivery{}, false
	}
	kind := KindEvent
	if errorClass(ev) {
		kind = KindError
	}
	return Delivery{Kind: kind, Socket: s, From: from, Event: ev}, true
}

// minPeersShrink is the peak below which the peers map is kept as it is.
const minPeersShrink = 256

// forgetPeerLocked drops the peer address of association id. A Go map
// keeps its storage when entries go: peers is made anew, sized for what
// is left, once that is a quarter of its peak, so that a server that held
// 100,000 associations does not keep their table for good. The copy costs
// no more than the deletions since the peak: O(1) amortized.
func (s *Socket) forgetPeerLocked(id AssocID) {
	s.peersPeak = max(s.peersPeak, len(s.peers))
	delete(s.peers, id)
	if n := len(s.peers); s.peersPeak >= minPeersShrink && n <= s.peersPeak/4 {
		fresh := make(map[AssocID]netip.AddrPort, n)
		for k, v := range s.peers {
			fresh[k] = v
		}
		s.peers, s.peersPeak = fresh, n
	}
}

// forgetLocked drops what the socket keeps about an association that
// ended; its final AssocChange, being delivered, is its last delivery.
func (s *Socket) forgetLocked(id AssocID) {
	s.forgetPeerLocked(id)
	for k := range s.partial {
		if k.id == id {
			s.dropPartialLocked(k)
		}
	}
	for k := range s.pieced {
		if k.id == id {
			delete(s.pieced, k)
		}
	}
	delete(s.st.perAssoc, id)
	if s.typ == Stream && !s.peeled && s.assoc1 == id {
		s.assoc1 = 0
	}
}

// gatherLocked adds the message or piece r to the message gathered under
// its key. It returns the message once whole (ok, ev.Kind == 0): r itself
// when it is whole and nothing was gathered, else the gathered message,
// whose data the socket owns; or the error-class delivery of a message
// beyond MaxMessageSize (ok, ev.Kind != 0).
func (s *Socket) gatherLocked(now timer.Time, r rawDelivery) (whole rawDelivery, ev Delivery, ok bool) {
	m := r.d.Message
	k := msgKey(r)
	p := s.partial[k]
	if p == nil && m.EndOfRecord {
		if len(m.Data) > s.st.maxMessage {
			// Delivered whole by the association (below its partial
			// delivery point), but beyond the limit all the same.
			s.recycleLocked(r)
			return rawDelivery{}, s.oversizeLocked(now, k), true
		}
		return r, Delivery{}, true
	}
	if p == nil {
		if s.partial == nil {
			s.partial = make(map[partialKey]*partialMsg)
			s.partialLen = make(map[AssocID]int)
		}
		p = &partialMsg{first: m}
		p.first.Data = nil
		s.partial[k] = p
	}
	defer s.recycleLocked(r)
	if p.dropping {
		if m.EndOfRecord {
			delete(s.partial, k)
		}
		return rawDelivery{}, Delivery{}, false
	}
	if s.partialLen[r.id]+len(m.Data) > s.st.maxMessage {
		ev, ok := s.tooLargeLocked(now, k)
		return rawDelivery{}, ev, ok
	}
	p.data = append(p.data, m.Data...)
	s.partialLen[r.id] += len(m.Data)
	if !m.EndOfRecord {
		return rawDelivery{}, Delivery{}, false
	}
	whole = rawDelivery{id: r.id, d: association.Delivery{Message: p.first}, owned: true}
	whole.d.Message.Data, whole.d.Message.EndOfRecord = p.data, true
	// The message's end: the address and IP header fields of its last
	// DATA chunk.
	whole.d.Message.From, whole.d.Message.IP = m.From, m.IP
	s.dropPartialLocked(k)
	return whole, Delivery{}, true
}

// recycleLocked gives the buffer of the message or piece r back to the
// endpoint's pool once it was copied, unless the socket owns it.
func (s *Socket) recycleLocked(r rawDelivery) {
	if !r.owned {
		s.share.ep.Buffers(r.id).Put(r.d.Message.Data)
	}
}

// dataLocked returns the delivery of the message or piece r, its Data
// r's, and counts it.
func (s *Socket) dataLocked(r rawDelivery) Delivery {
	m := &r.d.Message
	s.stats.received(len(m.Data))
	from := s.peerLocked(r.id)
	if f := m.From; f.IsValid() {
		// The address the message's last DATA chunk came from (on a
		// multihomed association, its path), with the peer's SCTP port.
		from = s.st.show(netip.AddrPortFrom(f.Addr(), from.Port()))
	}
	d := Delivery{Kind: KindData, Socket: s, From: from, Data: m.Data}
	if s.st.events.dataIO {
		d.HasInfo = true
		d.Info = SndRcvInfo{Stream: uint16(m.Stream), SSN: uint16(m.SSN), MID: uint32(m.MID), PPID: uint32(m.PPID),
			TSN: uint32(m.TSN), CumTSN: uint32(m.CumTSN), AssocID: r.id}
		if m.Unordered {
			d.Info.Flags = Unordered
		}
	}
	s.ancLocked(&d, m.IP) // the piece that ends the message
	return d
}

// receiverLocked returns the delivery of the message or piece r with data of
// the receiver's: r's own if the socket owns it, else a copy, r's buffer
// going back to the pool.
func (s *Socket) receiverLocked(r rawDelivery) Delivery {
	d := s.dataLocked(r)
	if !r.owned {
		d.Data = append(make([]byte, 0, len(d.Data)), d.Data...)
		s.recycleLocked(r)
	}
	return d
}

// dropPartialLocked forgets a message under reassembly.
func (s *Socket) dropPartialLocked(k partialKey) {
	if p := s.partial[k]; p != nil {
		s.unchargeLocked(k.id, len(p.data))
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
	if s.abortTooLargeLocked(now, k.id) {
		return Delivery{}, false // its partial delivery is reported aborted
	}
	return s.pdAbortedLocked(k), true
}

// oversizeLocked handles a message the association delivered whole that
// is larger than MaxMessageSize: it is dropped, the association aborted,
// and the error-class delivery of a partial delivery aborted returned,
// as for a message whose pieces exceed the limit (tooLargeLocked).
func (s *Socket) oversizeLocked(now timer.Time, k partialKey) Delivery {
	s.abortTooLargeLocked(now, k.id)
	return s.pdAbortedLocked(k)
}

// abortTooLargeLocked aborts association id for a message too large,
// unless it is closed already, and reports whether it did.
func (s *Socket) abortTooLargeLocked(now timer.Time, id AssocID) bool {
	a, ok := s.share.ep.Assoc(id)
	if !ok || a.State() == association.StateClosed {
		return false
	}
	a.Abort(now, []byte("message too large"))
	return true
}

// pdAbortedLocked returns the error-class delivery of the partial
// delivery of the message k aborted.
func (s *Socket) pdAbortedLocked(k partialKey) Delivery {
	ev := &PdapiEvent{Indication: PartialDeliveryAborted, AssocID: k.id, Stream: k.stream, Err: s.tooLargeErrLocked()}
	return Delivery{Kind: KindError, Socket: s, From: s.peerLocked(k.id), Event: ev}
}

// tooLargeErrLocked returns the reason of a message aborted for the
// MaxMessageSize option.
func (s *Socket) tooLargeErrLocked() error {
	return fmt.Errorf("%w: above MaxMessageSize (%d bytes): the association was aborted", ErrMessageTooLarge, s.st.maxMessage)
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

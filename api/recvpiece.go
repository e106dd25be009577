package api

import (
	"github.com/gensctp/gensctp/timer"
)

// piece is the message or piece of a message that RecvBuffer or
// Conn.Read is handing out, a part at a time when the caller's buffer is
// smaller (see recvpath.go).
type piece struct {
	on   bool
	d    Delivery // its delivery, Data aside
	data []byte   // what is left to hand out
	buf  []byte   // the buffer to give back to the pool once read; nil when the socket owns data
	key  partialKey
	eor  bool // it ends its message
}

// takeLocked makes the message or piece r the one handed out next.
func (s *Socket) takeLocked(r rawDelivery) {
	s.rest = piece{on: true, d: s.dataLocked(r), data: r.d.Message.Data, key: msgKey(r),
		eor: r.d.Message.EndOfRecord}
	if !r.owned {
		s.rest.buf = r.d.Message.Data
	}
	s.rest.d.Data = nil
}

// readRestLocked copies what b holds of the piece being handed out into b
// and returns its delivery, Data b[:n]: Partial unless that ends the
// message, in which case the message no longer goes out in pieces.
func (s *Socket) readRestLocked(b []byte) Delivery {
	r := &s.rest
	n := copy(b, r.data)
	r.data = r.data[n:]
	d := r.d
	d.Data = b[:n]
	if len(r.data) > 0 || !r.eor {
		d.Partial = true
		s.markPiecedLocked(r.key)
	} else {
		delete(s.pieced, r.key)
	}
	if len(r.data) == 0 {
		s.share.ep.Buffers(r.key.id).Put(r.buf)
		*r = piece{}
	}
	return d
}

// restOwnedLocked returns the rest of the piece being handed out as a
// delivery of its own whose data the receiver owns (a copy), for Recv
// and active mode: the message it belongs to goes out in pieces.
func (s *Socket) restOwnedLocked() Delivery {
	r := &s.rest
	d := r.d
	d.Data = r.data
	if r.buf != nil {
		d.Data = append(make([]byte, 0, len(r.data)), r.data...)
		s.share.ep.Buffers(r.key.id).Put(r.buf)
	}
	d.Partial = !r.eor
	if r.eor {
		delete(s.pieced, r.key)
	}
	*r = piece{}
	return d
}

// markPiecedLocked records that the message of key k goes out in pieces.
func (s *Socket) markPiecedLocked(k partialKey) {
	if s.pieced == nil {
		s.pieced = make(map[partialKey]struct{})
	}
	s.pieced[k] = struct{}{}
}

// piecedLocked reports whether the message of key k goes out in pieces.
func (s *Socket) piecedLocked(k partialKey) bool {
	_, ok := s.pieced[k]
	return ok
}

// nextLocked returns the next delivery of the socket: an event, or a
// message. For Recv and active mode (b nil) the message's data is the
// receiver's: a whole message (its pieces gathered, up to the
// MaxMessageSize option, a budget of each association), or a piece of a
// message that RecvBuffer or Conn.Read began returning in pieces. For
// RecvBuffer it is what b holds of the next message or piece (the rest of
// the one being handed out first), copied into b; a message whose pieces
// Recv began gathering is gathered to its end first.
func (s *Socket) nextLocked(now timer.Time, b []byte) (Delivery, bool) {
	if s.rest.on && b == nil {
		return s.restOwnedLocked(), true
	}
	if s.rest.on {
		return s.readRestLocked(b), true
	}
	for {
		r, ev, ok := s.nextUnitLocked(now, false)
		if !ok {
			return Delivery{}, false
		}
		if ev.Kind != 0 {
			return ev, true
		}
		if m := r.d.Message; b == nil && m.EndOfRecord && len(s.pieced) == 0 && len(s.partial) == 0 &&
			len(m.Data) <= s.st.maxMessage {
			// The common case, as the steps below would take it: a whole
			// message, none in pieces, within the limit.
			return s.receiverLocked(r), true
		}
		k := msgKey(r)
		if r.whole && b == nil {
			return s.receiverLocked(r), true // never gathered into another
		}
		if b == nil && s.piecedLocked(k) {
			d := s.receiverLocked(r)
			d.Partial = !r.d.Message.EndOfRecord
			if !d.Partial {
				delete(s.pieced, k)
			}
			return d, true
		}
		if !r.whole && (b == nil || s.partial[k] != nil) {
			w, ev, ok := s.gatherLocked(now, r)
			switch {
			case !ok:
				continue
			case ev.Kind != 0:
				return ev, true
			case b == nil:
				return s.receiverLocked(w), true
			}
			r = w
		}
		s.takeLocked(r)
		return s.readRestLocked(b), true
	}
}

package association

import (
	"errors"
	"net/netip"
	"slices"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// Deferred reset processing (RFC 6525 Section 5.2.2 E2 and E4): while
// the peer's Outgoing SSN Reset Request waits for the TSNs up to its
// Sender's Last Assigned TSN, the DATA chunks after that TSN on the
// streams it resets carry SSNs of the new sequence, which only the reset
// makes acceptable. They "MUST be queued locally and held until the
// cumulative acknowledgment point reaches the Sender's Last Assigned
// TSN", then "released and processed normally".

// resetHeld is a DATA chunk (d), or an I-DATA chunk (id, when isI), held
// for a deferred reset or for our SSN/TSN Reset Request, with what its
// packet said for Message.IP and Message.From. Held for our SSN/TSN
// Reset Request (reconfig_send_assoc_hold.go), it may also be the stream
// entries of a FORWARD TSN (fs) or I-FORWARD-TSN (ifs, when isI) chunk,
// when fwd, tsn its New Cumulative TSN and settled the Cumulative TSN Ack
// Point it left; atCum tells whether a DATA chunk came at the Cumulative
// TSN Ack Point + 1.
type resetHeld struct {
	tsn     chunk.TSN
	d       chunk.Data
	id      chunk.IData
	isI     bool
	ip      IPInfo
	from    netip.AddrPort
	atCum   bool
	fwd     bool
	fs      []chunk.ForwardTSNStream
	ifs     []chunk.IForwardTSNStream
	settled chunk.TSN
}

// flags returns the flags of the chunk held.
func (h *resetHeld) flags() chunk.DataFlags {
	if h.isI {
		return h.id.Flags
	}
	return h.d.Flags
}

// streamID returns the stream of the chunk held.
func (h *resetHeld) streamID() chunk.StreamID {
	if h.isI {
		return h.id.StreamID
	}
	return h.d.StreamID
}

// size returns the bytes h is charged for besides ChunkOverhead: its user
// data, or its stream entries.
func (h *resetHeld) size() int {
	switch {
	case h.fwd:
		return forwardEntryCost * (len(h.fs) + len(h.ifs))
	case h.isI:
		return len(h.id.UserData)
	}
	return len(h.d.UserData)
}

// heldChunk returns the DATA chunk d (or the I-DATA chunk id, with d nil)
// at tsn to hold, with its user data copied out of the packet.
func (a *Association) heldChunk(tsn chunk.TSN, d *chunk.Data, id *chunk.IData) resetHeld {
	h := resetHeld{tsn: tsn, ip: a.rxIP, from: a.rxFrom}
	if d != nil {
		h.d = *d
		h.d.UserData = append([]byte(nil), d.UserData...)
	} else {
		h.id, h.isI = *id, true
		h.id.UserData = append([]byte(nil), id.UserData...)
	}
	return h
}

// deferredReset returns the RE-CONFIG state if a reset of the peer is
// deferred, nil if not. A restart of the peer (RFC 9260 Section 5.2.4
// action A) ends it: every stream starts afresh, and what was held goes
// with the old association; the state itself is remade with the next
// RE-CONFIG chunk (reconf).
func (a *Association) deferredReset() *reconfState {
	rs := a.reconfIf()
	if rs == nil || !rs.deferred || rs.initial != a.peerInitialTSN {
		return nil
	}
	return rs
}

// holdForReset holds the DATA chunk d (or the I-DATA chunk id, with d
// nil) at tsn, which the receive window
// took, when a deferred reset must process it after (E2): it is beyond
// the Sender's Last Assigned TSN on a stream the reset affects. A held
// chunk is received (acknowledged, its TSN counts for the Cumulative TSN
// Ack Point) and charged to the receive buffer as reassembly would
// charge it (resetHeldCost), so that what is held stays within the
// window; it reports whether it held d. A chunk for a stream we do not
// have goes the usual way, to its Invalid Stream Identifier error.
func (a *Association) holdForReset(now timer.Time, tsn chunk.TSN, d *chunk.Data, id *chunk.IData) bool {
	sid := chunk.StreamID(0)
	if d != nil {
		sid = d.StreamID
	} else {
		sid = id.StreamID
	}
	if !a.defers(tsn, sid) {
		return false
	}
	rs := a.reconfIf()
	h := a.heldChunk(tsn, d, id)
	rs.held = append(rs.held, h)
	rs.heldBytes += h.size()
	a.rcv.add(tsn)
	a.touch(now)
	return true
}

// defers reports whether a deferred reset holds the chunk at tsn on
// stream sid (holdForReset).
func (a *Association) defers(tsn chunk.TSN, sid chunk.StreamID) bool {
	rs := a.deferredReset()
	return rs != nil && tsn.GT(rs.defLast) && lists(rs.defStreams, sid) && uint16(sid) < a.inbound
}

// resetHeldCost returns what the chunks held for a deferred reset or for
// our SSN/TSN Reset Request take of the receive buffer: their user data
// (stream entries) and ChunkOverhead each.
func (a *Association) resetHeldCost() int {
	n := 0
	if rs := a.deferredReset(); rs != nil {
		n = rs.heldBytes + ChunkOverhead*len(rs.held)
	}
	if rs := a.aheadHold(); rs != nil {
		n += rs.aheadCost()
	}
	return n
}

// releaseHeld processes the chunks held for the reset just performed, in
// TSN order, with the SSNs of the new sequence (E4: "Any queued TSNs
// (queued at step E2) MUST now be released and processed normally"),
// and delivers what they complete.
func (a *Association) releaseHeld(now timer.Time) {
	rs := a.reconfIf()
	if rs == nil || len(rs.held) == 0 {
		return
	}
	held := rs.held
	rs.held, rs.heldBytes = nil, 0
	slices.SortFunc(held, func(x, y resetHeld) int {
		switch {
		case x.tsn == y.tsn:
			return 0
		case x.tsn.LT(y.tsn):
			return -1
		}
		return 1
	})
	for i := range held {
		if err := a.addHeld(&held[i]); err != nil && !errors.Is(err, stream.ErrStaleMessage) {
			// Inconsistent fragments: a protocol violation by the peer,
			// as in handleData.
			a.abort(now, &chunk.ProtocolViolationCause{Info: []byte{}}, CommLost)
			return
		}
	}
	a.deliver()
}

// addHeld adds the DATA or I-DATA chunk h, held and received already, to
// reassembly, with what its packet said for the message it may end.
func (a *Association) addHeld(h *resetHeld) error {
	if h.flags().Has(chunk.FlagEnd) {
		if a.heldIP == nil {
			a.heldIP = make(map[chunk.TSN]heldEnd)
		}
		a.heldIP[h.tsn] = heldEnd{h.ip, h.from}
	}
	if h.isI {
		return a.reassembly().AddI(h.tsn, &h.id)
	}
	return a.reassembly().Add(h.tsn, &h.d)
}

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
// for a deferred reset, with what its packet said for Message.IP and
// Message.From.
type resetHeld struct {
	tsn  chunk.TSN
	d    chunk.Data
	id   chunk.IData
	isI  bool
	ip   IPInfo
	from netip.AddrPort
}

// flags returns the flags of the chunk held.
func (h *resetHeld) flags() chunk.DataFlags {
	if h.isI {
		return h.id.Flags
	}
	return h.d.Flags
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
	rs := a.deferredReset()
	if rs == nil || !tsn.GT(rs.defLast) {
		return false
	}
	sid := chunk.StreamID(0)
	if d != nil {
		sid = d.StreamID
	} else {
		sid = id.StreamID
	}
	if !lists(rs.defStreams, sid) || uint16(sid) >= a.inbound {
		return false
	}
	h := resetHeld{tsn: tsn, ip: a.rxIP, from: a.rxFrom}
	var n int
	if d != nil {
		h.d = *d
		h.d.UserData = append([]byte(nil), d.UserData...)
		n = len(d.UserData)
	} else {
		h.id, h.isI = *id, true
		h.id.UserData = append([]byte(nil), id.UserData...)
		n = len(id.UserData)
	}
	rs.held = append(rs.held, h)
	rs.heldBytes += n
	a.rcv.add(tsn)
	a.touch(now)
	return true
}

// resetHeldCost returns what the chunks held for a deferred reset take of
// the receive buffer: their user data and ChunkOverhead each.
func (a *Association) resetHeldCost() int {
	rs := a.deferredReset()
	if rs == nil {
		return 0
	}
	return rs.heldBytes + ChunkOverhead*len(rs.held)
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
		h := &held[i]
		if h.flags().Has(chunk.FlagEnd) {
			if a.heldIP == nil {
				a.heldIP = make(map[chunk.TSN]heldEnd)
			}
			a.heldIP[h.tsn] = heldEnd{h.ip, h.from}
		}
		var err error
		if h.isI {
			err = a.reassembly().AddI(h.tsn, &h.id)
		} else {
			err = a.reassembly().Add(h.tsn, &h.d)
		}
		if err != nil && !errors.Is(err, stream.ErrStaleMessage) {
			// Inconsistent fragments: a protocol violation by the peer,
			// as in handleData.
			a.abort(now, &chunk.ProtocolViolationCause{Info: []byte{}}, CommLost)
			return
		}
	}
	a.deliver()
}

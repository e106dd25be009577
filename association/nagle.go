package association

import "github.com/gensctp/gensctp/chunk"

// nagleHolds decides, for Nagle-style bundling (RFC 9260 Section 6.1:
// implementations may delay to increase bundling efficiency;
// sctp_nodelay turns it off), whether new data waits (hold) and whether
// the packet that takes it asks for an immediate SACK (probe), given the
// largest payload of a packet to the path.
//
// Classic Nagle holds less than a packet of data while any DATA is in
// flight, until everything is acknowledged. Against a peer that delays
// its SACK (RFC 9260 Section 6.2: up to 200 ms, and for every second
// packet only) that stalls: when the last packet in flight is one the
// peer sits on, the data held leaves only at the peer's SACK timer, a
// 200 ms tail after a message's last full packet, or on the second
// message of a sender that writes twice before it reads. So data waits
// only behind a packet that asked for an immediate SACK: when data would
// wait and no such packet is in flight, it goes at once with the I bit
// set (RFC 9260 Section 3.3.1: "the receiver SHOULD NOT delay the sending
// of the corresponding SACK chunk"), and what comes after it waits for
// that SACK, one round trip. A packet sent with nothing in flight asks
// for nothing: a request's SACK still rides on the answer.
func (a *Association) nagleHolds(maxPayload int) (hold, probe bool) {
	if a.cfg.NoDelay || !a.dataInFlight() || a.sendq.Buffered() >= maxPayload || a.state != StateEstablished {
		return false, false
	}
	if a.out.gapAcked > 0 {
		// The peer misses a TSN: it acknowledges every packet at once
		// until the gap is filled (RFC 9260 Section 6.7), no need to ask.
		return true, false
	}
	if e := a.out.at(a.out.probe); e != nil && e.inFlight && !e.acked && !e.abandoned {
		// The probe is in flight: its SACK comes within a round trip.
		return true, false
	}
	return false, true
}

// markNagleProbe marks the DATA chunk tsn, of flags f, as the one that asks
// for an immediate SACK (nagleHolds).
func (a *Association) markNagleProbe(f *chunk.DataFlags, tsn chunk.TSN) {
	*f |= chunk.FlagImmediate
	a.out.probe = tsn
}

// dataInFlight reports whether DATA is in flight on any path: sent, and
// neither acknowledged, abandoned (RFC 3758 Section 3.5 A2: "no longer
// outstanding") nor marked for retransmission. Only such data brings the
// SACK that Nagle-style bundling waits for: chunks abandoned and not yet
// passed by the peer's Cumulative TSN Ack (a FORWARD TSN on its way, or
// lost) bring none, and data held behind them would wait for a T3-rtx
// expiry.
func (a *Association) dataInFlight() bool {
	for _, p := range a.paths {
		if p.flightSize > 0 {
			return true
		}
	}
	return false
}

package association

import (
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// This file holds Explicit Congestion Notification (RFC 3168) for SCTP as
// RFC 4960 Appendix A describes it (RFC 9260 Section 3.2 and 3.3.2 only
// reserve its chunk and parameter types): the ECN Capable parameter in
// INIT and INIT ACK, ECT(0) on the packets that carry new DATA, and the
// ECNE and CWR chunks. Over UDP encapsulation the ECN bits are those of
// the UDP datagrams (RFC 6951 Section 5.8: "If the implementation
// supports the sending and receiving of the ECN bits for the IP protocols
// being used by an SCTP association, the ECN bits MUST NOT be changed
// during sending and receiving").

// ECNCodepoint is the ECN field of an IP header: the two low bits of the
// IPv4 TOS byte or the IPv6 traffic class (RFC 3168 Section 5).
type ECNCodepoint uint8

// The codepoints of RFC 3168 Section 5.
const (
	// NotECT: the packet's transport does not do ECN.
	NotECT ECNCodepoint = 0
	// ECT1 is ECN-Capable Transport(1).
	ECT1 ECNCodepoint = 1
	// ECT0 is ECN-Capable Transport(0), what an ECN-capable sender sets.
	ECT0 ECNCodepoint = 2
	// CE is Congestion Experienced, set by a router instead of dropping.
	CE ECNCodepoint = 3
)

// String returns the RFC 3168 name of the codepoint.
func (e ECNCodepoint) String() string {
	return [...]string{"Not-ECT", "ECT(1)", "ECT(0)", "CE"}[e&3]
}

// ECN returns the ECN codepoint of the IP header fields ip: the low bits
// of the TOS byte (IPv4) or traffic class (IPv6), NotECT when neither was
// reported.
func (ip IPInfo) ECN() ECNCodepoint {
	switch {
	case ip.Has&IPTOS != 0:
		return ECNCodepoint(ip.TOS & 3)
	case ip.Has&IPTClass != 0:
		return ECNCodepoint(ip.TClass & 3)
	}
	return NotECT
}

// ecnCapable is the ECN Capable parameter, shared as the extension
// parameters are.
var ecnCapable = &chunk.ECNCapable{}

// ecnParams appends the ECN Capable parameter to ps when cfg has ECN on
// (RFC 4960 Appendix A: "To indicate that an endpoint is ECN capable, an
// endpoint SHOULD add to the INIT and or INIT ACK chunk the TLV reserved
// for ECN").
func ecnParams(cfg *Config, ps []chunk.Param) []chunk.Param {
	if !cfg.ECN {
		return ps
	}
	return append(ps, ecnCapable)
}

// ecnOn reports whether the association uses ECN: on in our Config and
// announced by the peer (RFC 4960 Appendix A: unlike TCP's, SCTP's
// negotiation needs no more than each side announcing it).
func (a *Association) ecnOn() bool {
	return a.cfg.ECN && a.peerFeatures&featECN != 0
}

// ECN reports whether the association negotiated ECN: both ends
// announced it. Before the handshake completes it is false.
func (a *Association) ECN() bool { return a.state >= StateEstablished && a.ecnOn() }

// packetECN returns the ECN codepoint of a packet that carries DATA:
// ECT(0) when ECN is on and the packet carries new DATA chunks and no
// retransmission (RFC 3168 Section 6.1.5: "the TCP data sender MUST NOT
// set either an ECT codepoint or the CE codepoint in retransmitted data
// packets"; control packets stay Not-ECT as pure acknowledgements do,
// Section 6.1.4).
func (a *Association) packetECN(newData, retransmitted bool) ECNCodepoint {
	if newData && !retransmitted && a.ecnOn() {
		return ECT0
	}
	return NotECT
}

// noteCE looks at the IP header of the packet whose first DATA chunk has
// TSN tsn: marked Congestion Experienced, it starts (or moves on) the
// echo, and asks for a SACK at once so that the sender hears of the
// congestion within a round trip. ECNE chunks then go with every SACK
// until a CWR for ecnEchoTSN or later arrives (RFC 3168 Section 6.1.3:
// the receiver "continues to set the ECN-Echo flag ... until it receives
// a CWR"). ecnEchoTSN is the lowest TSN of the last marked packet (RFC
// 4960 Appendix A: the ECNE "contains one data element, i.e., the lowest
// TSN associated with the IP datagram marked with the CE bit").
func (a *Association) noteCE(tsn chunk.TSN) {
	if !a.ecnOn() || a.rxIP.ECN() != CE {
		return
	}
	a.details().CEMarksReceived++
	if !a.ecnEcho || tsn.GT(a.ecnEchoTSN) {
		a.ecnEcho, a.ecnEchoTSN = true, tsn
	}
	a.sackNow = true
}

// ecneChunk returns the ECNE to send before a SACK, nil when no echo is
// due.
func (a *Association) ecneChunk() chunk.Chunk {
	if !a.ecnEcho {
		return nil
	}
	e := &a.scr().ecneOut
	e.LowestTSN = a.ecnEchoTSN
	return e
}

// handleCWR stops the echo once the sender reports the reduction for
// the TSN echoed or a later one (RFC 4960 Appendix A: the CWR "contains
// one data element, i.e., the TSN number that was sent in the ECNE
// chunk").
func (a *Association) handleCWR(c *chunk.CWR) {
	if a.ecnEcho && c.LowestTSN.GE(a.ecnEchoTSN) {
		a.ecnEcho = false
	}
}

// handleECNE reduces the congestion window of the destination the
// echoed TSN went to, once per window of data (congestion.Standard
// OnECNEcho; not again in Fast Recovery, whose reduction covers the same
// window), and answers with a CWR for the TSN (RFC 4960 Appendix A). An
// echo of a TSN not sent is discarded.
func (a *Association) handleECNE(pth *path, c *chunk.ECNE) error {
	t := c.LowestTSN
	if !t.LT(a.nextTSN) {
		return discard("ECNE for a TSN not sent", chunk.TypeECNE, nil)
	}
	p := pth
	if tc := a.out.at(t); tc != nil && tc.path != nil {
		p = tc.path
	}
	if !a.inRecovery && p.cc.OnECNEcho(uint32(t), uint32(a.nextTSN-1)) {
		a.details().ECNReductions++
	}
	a.queueCWR(t)
	return nil
}

// queueCWR queues a CWR for tsn, or moves the one queued on to tsn: one
// answers every ECNE received since the last went out.
func (a *Association) queueCWR(tsn chunk.TSN) {
	for _, q := range a.ctrl {
		if w, ok := q.c.(*chunk.CWR); ok {
			if tsn.GT(w.LowestTSN) {
				w.LowestTSN = tsn
			}
			return
		}
	}
	a.queueReply(ctrlChunk{c: &chunk.CWR{LowestTSN: tsn}})
}

// handleECNChunk handles an ECNE or CWR chunk of an association that
// negotiated ECN.
func (a *Association) handleECNChunk(pth *path, r *packet.Raw) (bool, error) {
	if r.Type == chunk.TypeCWR {
		var c chunk.CWR
		if _, err := c.Parse(r.Bytes); err != nil {
			return true, discard("malformed chunk", r.Type, err)
		}
		a.handleCWR(&c)
		return false, nil
	}
	var c chunk.ECNE
	if _, err := c.Parse(r.Bytes); err != nil {
		return true, discard("malformed chunk", r.Type, err)
	}
	return false, a.handleECNE(pth, &c)
}

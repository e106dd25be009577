package fuzz

import (
	"encoding/binary"

	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
)

// RE-CONFIG chunks injected by FuzzInjectChunks with the fields a live
// association checks made relative to it (sel bit 4): the request
// sequence numbers to the one the receiver expects, the response
// sequence numbers to the receiver's own request (sel bit 5 has it reset
// stream 3 before the injection), and an Outgoing SSN Reset Request's
// Sender's Last Assigned TSN to the receiver's cumulative TSN.

// initialTSNs records the first DATA TSN each end of p sends from now on
// (index 0 for A, 1 for Z): its Initial TSN when it sent nothing before,
// and the number of its first RE-CONFIG request (RFC 6525 Section 5.1.1).
func initialTSNs(p *associationtest.Pair) *[2]chunk.TSN {
	var first [2]chunk.TSN
	var seen [2]bool
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		s := 0
		if d.From == p.AddrZ {
			s = 1
		}
		if ct, _ := sim.FirstChunkType(d.Data); !seen[s] && ct == chunk.TypeData && len(d.Data) >= 20 {
			first[s], seen[s] = chunk.TSN(binary.BigEndian.Uint32(d.Data[16:])), true
		}
		return sim.Pass
	})
	return &first
}

// relativeReconfig rewrites the RE-CONFIG chunks of the packet b: each
// request's sequence number becomes peerInit plus its value modulo 4 (the
// peer's first requests), each response's ownInit plus its value modulo
// 4 (the receiver's first requests), and each Sender's Last Assigned TSN
// cum minus 8 plus its value modulo 64. It walks the chunks and
// parameters the way a receiver does (RFC 9260 Section 3.2, RFC 6525
// Section 3.1).
func relativeReconfig(b []byte, peerInit, ownInit, cum chunk.TSN) {
	for off := 12; off+4 <= len(b); {
		l := int(binary.BigEndian.Uint16(b[off+2:]))
		if l < 4 {
			return
		}
		if chunk.Type(b[off]) == chunk.TypeReConfig {
			relativeParams(b[off+4:min(off+l, len(b))], peerInit, ownInit, cum)
		}
		off += (l + 3) &^ 3
	}
}

// relativeParams rewrites the RE-CONFIG parameters of b (see
// relativeReconfig).
func relativeParams(b []byte, peerInit, ownInit, cum chunk.TSN) {
	rel := func(at int, base chunk.TSN, mod uint32) {
		v := binary.BigEndian.Uint32(b[at:]) % mod
		binary.BigEndian.PutUint32(b[at:], uint32(base)+v)
	}
	for off := 0; off+8 <= len(b); {
		l := int(binary.BigEndian.Uint16(b[off+2:]))
		if l < 4 {
			return
		}
		switch chunk.ParamType(binary.BigEndian.Uint16(b[off:])) {
		case chunk.ParamOutgoingSSNResetRequest:
			rel(off+4, peerInit, 4)
			if off+16 <= len(b) {
				rel(off+12, cum-8, 64)
			}
		case chunk.ParamIncomingSSNResetRequest, chunk.ParamSSNTSNResetRequest,
			chunk.ParamAddOutgoingStreams, chunk.ParamAddIncomingStreams:
			rel(off+4, peerInit, 4)
		case chunk.ParamReconfigResponse:
			rel(off+4, ownInit, 4)
		}
		off += (l + 3) &^ 3
	}
}

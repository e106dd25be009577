package association

import (
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// This file holds the zero checksum of RFC 9653: the Zero Checksum
// Acceptable parameter our INIT and INIT ACK carry when Config.ZeroChecksum
// names a method, the peer's announcement recorded in featZeroChecksum,
// and the checks of received packets whose checksum field is zero.

// zeroChecksumParams appends to ps the Zero Checksum Acceptable parameter
// when cfg has a method (RFC 9653 Section 5.1: "An endpoint willing to
// accept SCTP packets with an incorrect checksum of zero MUST include the
// Zero Checksum Acceptable Chunk Parameter").
func zeroChecksumParams(cfg *Config, ps []chunk.Param) []chunk.Param {
	if cfg.ZeroChecksum == chunk.EDMIDReserved {
		return ps
	}
	return append(ps, &chunk.ZeroChecksumAcceptable{EDMID: cfg.ZeroChecksum})
}

// zeroChecksumFeature returns featZeroChecksum when the peer's parameter
// p announces the method cfg has: the peer then accepts packets with a
// zero checksum from us (RFC 9653 Section 5.2 restriction 1: only "a Zero
// Checksum Acceptable Chunk Parameter indicating an alternate error
// detection method it supports"; and Section 7.1: only if "the alternate
// error detection method announced by the peer is also enabled locally").
// Another method, or ours off, gets nothing.
func zeroChecksumFeature(cfg *Config, p *chunk.ZeroChecksumAcceptable) features {
	if cfg.ZeroChecksum == chunk.EDMIDReserved || p.EDMID != cfg.ZeroChecksum {
		return 0
	}
	return featZeroChecksum
}

// sendsZeroChecksum reports whether the packets of the association go out
// with a zero checksum (RFC 9653 Section 5.2: "If none of the above
// restrictions apply, an endpoint SHOULD use zero as the checksum"): the
// peer announced the method of our Config. packet.Builder still puts a
// CRC32c on packets with an INIT or COOKIE ECHO chunk.
func (a *Association) sendsZeroChecksum() bool {
	return a.peerFeatures&featZeroChecksum != 0 && a.cfg.ZeroChecksum != chunk.EDMIDReserved
}

// ZeroChecksum reports whether the association negotiated the zero
// checksum of RFC 9653: it announced Config.ZeroChecksum and the peer the
// same method, so that both send packets with a zero checksum.
func (a *Association) ZeroChecksum() bool { return a.sendsZeroChecksum() }

// checkZeroChecksum checks p, a packet whose checksum field is zero, that
// packet.Parse let through without computing its CRC32c. RFC 9653 Section
// 5.3: an endpoint that announced Zero Checksum Acceptable "MUST accept
// SCTP packets that have an incorrect checksum value of zero"; "Otherwise,
// the endpoint MUST drop all SCTP packets with an incorrect CRC32c
// checksum". An association without Config.ZeroChecksum keeps the packet
// only if zero is its CRC32c. Both outcomes are counted in DetailStats.
func (a *Association) checkZeroChecksum(p *packet.Packet) error {
	if !p.Findings.Has(packet.FindingZeroChecksum) {
		return nil
	}
	d := a.details()
	if a.cfg.ZeroChecksum != chunk.EDMIDReserved {
		d.ZeroChecksumsReceived++
		return nil
	}
	if packet.Checksum(p.Bytes()) == 0 {
		return nil // a correct CRC32c of zero (RFC 9653 Section 3, Figure 1)
	}
	d.ZeroChecksumsDropped++
	return discard("zero checksum not announced", 0, &packet.Error{Err: packet.ErrChecksum, Offset: 8})
}

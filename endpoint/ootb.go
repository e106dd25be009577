package endpoint

import (
	"encoding/binary"
	"net/netip"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// broadcast4 is the IPv4 limited broadcast address.
var broadcast4 = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// unicast reports whether addr may be the source or destination of an
// SCTP packet that gets an answer (RFC 9260 Section 8.4 rule 1: "If the
// OOTB packet is to or from a non-unicast address, a receiver SHOULD
// silently discard the packet").
func unicast(addr netip.Addr) bool {
	addr = addr.Unmap()
	return addr.IsValid() && !addr.IsUnspecified() && !addr.IsMulticast() && addr != broadcast4
}

// screen applies the checks every received packet passes before it is
// looked up: no zero port (RFC 9260 Section 3.1: "The Source Port Number
// 0 MUST NOT be used" and "The Destination Port Number 0 MUST NOT be
// used"), unicast addresses (Section 8.4 rule 1), and the rules for tag 0
// (Section 8.5.1 A: "When an endpoint receives an SCTP packet with the
// Verification Tag set to 0, it SHOULD verify that the packet contains
// only an INIT chunk. Otherwise, the receiver MUST silently discard the
// packet."; Section 3.1: "A packet containing an INIT chunk MUST have a
// zero Verification Tag."). It returns the first chunk.
func screen(from netip.AddrPort, to netip.Addr, p *packet.Packet) (packet.Raw, error) {
	it := p.Chunks()
	first, _ := it.Next()
	switch {
	case p.Findings.Has(packet.FindingZeroPort):
		return first, &DropError{Reason: DropZeroPort, Chunk: first.Type}
	case !unicast(from.Addr()) || to.IsValid() && !unicast(to):
		return first, &DropError{Reason: DropNonUnicast, Rule: 1, Chunk: first.Type}
	case first.Type == chunk.TypeInit && (p.VerificationTag != 0 || p.NumChunks != 1 ||
		p.Findings.Has(packet.FindingUnbundleable)):
		return first, &DropError{Reason: DropBadInit, Chunk: first.Type}
	case p.VerificationTag == 0 && first.Type != chunk.TypeInit:
		return first, &DropError{Reason: DropBadInit, Chunk: first.Type}
	}
	return first, nil
}

// ootbSummary records the chunk types of RFC 9260 Section 8.4 that a
// packet contains anywhere ("If the OOTB packet contains ...").
type ootbSummary struct {
	abort, init, shutdownAck, shutdownComplete, cookieAck, staleCookie bool
}

func summarize(p *packet.Packet) ootbSummary {
	var s ootbSummary
	it := p.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		switch r.Type {
		case chunk.TypeAbort:
			s.abort = true
		case chunk.TypeInit:
			s.init = true
		case chunk.TypeShutdownAck:
			s.shutdownAck = true
		case chunk.TypeShutdownComplete:
			s.shutdownComplete = true
		case chunk.TypeCookieAck:
			s.cookieAck = true
		case chunk.TypeError:
			s.staleCookie = s.staleCookie || hasCause(r.Value(), chunk.CauseStaleCookie)
		}
	}
	return s
}

// hasCause reports whether the error causes in v (the value of an ERROR
// chunk) include one with the given code.
func hasCause(v []byte, code chunk.CauseCode) bool {
	for len(v) >= 4 {
		if chunk.CauseCode(binary.BigEndian.Uint16(v)) == code {
			return true
		}
		n := (int(binary.BigEndian.Uint16(v[2:])) + 3) &^ 3
		if n < 4 || n > len(v) {
			return false
		}
		v = v[n:]
	}
	return false
}

// ootb applies rules 2 to 8 of RFC 9260 Section 8.4 to a packet that
// belongs to no association and passed screen. It returns the rule applied
// and the reply appended to buf[:0], or nil for silence. Rule 3 (an INIT
// that cannot be processed) and rule 4 (a COOKIE ECHO nobody can verify)
// apply only to callers that have no acceptor: the Mux for a port without
// an endpoint.
func ootb(p *packet.Packet, buf []byte) (int, []byte) {
	s := summarize(p)
	switch {
	case s.abort:
		// Rule 2: "If the OOTB packet contains an ABORT chunk, the
		// receiver MUST silently discard the OOTB packet and take no
		// further action."
		return 2, nil
	case s.init:
		// Rule 3: an INIT nobody can process gets an ABORT whose
		// "Verification Tag ... MUST be the Initiate Tag of the received
		// INIT chunk, and the T bit of the ABORT chunk has to be set to 0".
		var init chunk.Init
		if _, err := init.Parse(firstChunk(p).Bytes); err != nil || init.InitiateTag == 0 {
			return 3, nil
		}
		return 3, refusal(p.Header, init.InitiateTag, 0, buf)
	case firstChunk(p).Type == chunk.TypeCookieEcho:
		// Rule 4 sends a COOKIE ECHO to Section 5.1, whose Section 5.1.5
		// discards a cookie that cannot be verified silently.
		return 4, nil
	case s.shutdownAck:
		// Rule 5: "the receiver SHOULD respond to the sender of the OOTB
		// packet with a SHUTDOWN COMPLETE chunk. ... the receiver of the
		// OOTB packet MUST fill in the Verification Tag field of the
		// outbound packet with the Verification Tag received in the
		// SHUTDOWN ACK chunk and set the T bit".
		sc := chunk.ShutdownComplete{Flags: chunk.FlagT}
		return 5, finish(sc.Append(replyHeader(p.Header, p.VerificationTag, buf)))
	case s.shutdownComplete:
		// Rule 6: "the receiver SHOULD silently discard the packet and
		// take no further action."
		return 6, nil
	case s.staleCookie || s.cookieAck:
		// Rule 7: "If the packet contains an ERROR chunk with the "Stale
		// Cookie" error cause or a COOKIE ACK chunk, the SCTP packet
		// SHOULD be silently discarded."
		return 7, nil
	}
	// Rule 8: "The receiver SHOULD respond to the sender of the OOTB packet
	// with an ABORT chunk. When sending the ABORT chunk, the receiver of
	// the OOTB packet MUST fill in the Verification Tag field of the
	// outbound packet with the value found in the Verification Tag field
	// of the OOTB packet and set the T bit".
	ab := chunk.Abort{Flags: chunk.FlagT}
	return 8, finish(ab.Append(replyHeader(p.Header, p.VerificationTag, buf)))
}

// firstChunk returns the first chunk of p.
func firstChunk(p *packet.Packet) packet.Raw {
	it := p.Chunks()
	r, _ := it.Next()
	return r
}

// refusal appends a packet with an ABORT (T bit clear) for tag, the peer's
// Initiate Tag, with the cause code given (0 for none): the answer to an
// INIT or COOKIE ECHO that does not lead to an association (RFC 9260
// Section 5.1: "The Verification Tag field in the common header of the
// outbound SCTP packet containing the ABORT chunk MUST be set to the
// Initiate Tag value of the received INIT or INIT ACK chunk this ABORT
// chunk is responding to").
func refusal(h packet.Header, tag chunk.VerificationTag, cause chunk.CauseCode, buf []byte) []byte {
	ab := chunk.Abort{}
	if cause == chunk.CauseOutOfResource {
		ab.Causes = []chunk.Cause{&chunk.OutOfResourceCause{}}
	}
	return finish(ab.Append(replyHeader(h, tag, buf)))
}

// replyHeader appends to buf[:0] the common header of a reply to a packet
// with header h, carrying tag.
func replyHeader(h packet.Header, tag chunk.VerificationTag, buf []byte) []byte {
	r := packet.Header{SrcPort: h.DstPort, DstPort: h.SrcPort, VerificationTag: tag}
	return r.Append(buf[:0])
}

// finish fills in the CRC32c.
func finish(b []byte) []byte {
	packet.SetChecksum(b)
	return b
}

package association

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
)

// ErrInvalidPTB: a Packet Too Big message that does not quote a packet of
// this association (RFC 8899 Section 4.6.1: "A PTB message that does not
// complete the validation MUST NOT be further utilized").
var ErrInvalidPTB = errors.New("association: PTB message not validated")

// PTB is a Packet Too Big message (ICMPv4 Fragmentation Needed, ICMPv6
// Packet Too Big) that the operating system reported for a packet sent to
// a peer (IP_RECVERR on Linux).
type PTB struct {
	// To is the destination of the packet quoted: the peer's IP address
	// and UDP encapsulation port.
	To netip.AddrPort
	// MTU is PTB_SIZE, the next-hop MTU at the IP layer.
	MTU int
	// Quoted is the quoted packet from the SCTP common header on (after
	// the IP and UDP headers): at least its first 8 bytes, the ports and
	// the verification tag (RFC 9260 Appendix C).
	Quoted []byte
}

// HandlePTB uses a Packet Too Big message for the path MTU discovery of
// the path to ptb.To once validated (RFC 8899 Section 6.2.2.4: "ICMP
// validation MUST be performed for PTB messages as specified in Appendix C
// of [RFC4960]"; RFC 9260 Appendix C: the ports and the verification tag
// of the quoted common header must be the association's, the tag the
// peer's). It returns ErrInvalidPTB for a message that is not validated,
// and nil otherwise, used or not (RFC 8899 Section 4.6.2: PTB messages
// "MUST NOT be used directly to set the PLPMTU"; a size the search can
// use makes it probe that size next):
//
//   - below BASE_PLPMTU, or at least the size probed: discarded;
//   - from BASE_PLPMTU to below the PLPMTU: a black hole, the path falls
//     back to BASE_PLPMTU and the search probes the PTB size first;
//   - from the PLPMTU to below the size probed: the probe failed, the
//     PTB size is probed next (or the search completes at the PLPMTU).
func (a *Association) HandlePTB(now timer.Time, ptb PTB) error {
	p := a.pathFor(ptb.To.Addr())
	q := ptb.Quoted
	if p == nil || len(q) < 8 || binary.BigEndian.Uint16(q) != a.localPort ||
		binary.BigEndian.Uint16(q[2:]) != a.peerPort ||
		chunk.VerificationTag(binary.BigEndian.Uint32(q[4:])) != a.peerTag || a.peerTag == 0 {
		return ErrInvalidPTB
	}
	pl := p.pl
	if !a.quotedProbeOK(p, q) {
		return ErrInvalidPTB
	}
	a.details().PTBsReceived++
	if pl == nil || pl.state == PLPMTUDDisabled || !a.canProbe() {
		return nil
	}
	over := ipv4Overhead
	if ad := p.remote.Addr(); ad.Is6() && !ad.Is4In6() {
		over = ipv6Overhead
	}
	size := (ptb.MTU - over) &^ 3 // PL_PTB_SIZE
	probed := p.mtu
	if pl.outstanding || pl.due {
		probed = pl.probed
	}
	switch {
	case size < pl.base || size >= max(probed, p.mtu+1):
		return nil // Section 4.6.2: invalid, or an inconsistent signal
	case size < p.mtu:
		// "This could be an indication of a black hole. The PLPMTU SHOULD
		// be set to BASE_PLPMTU"; "The PL_PTB_SIZE ... can be used to
		// initialize a search algorithm."
		pl.fail, pl.hint = size+4, size
		a.pmtudEnterBase(p)
	case pl.state == PLPMTUDSearching:
		// "The PLPMTU is not updated"; "The PL can use the reported
		// PL_PTB_SIZE ... as the next search point."
		pl.fail, pl.hint = size+4, size // no size above PL_PTB_SIZE passes
		pl.count, pl.confirming = 0, false
		a.pmtudNext(now, p)
	}
	return nil
}

// quotedProbeOK checks a PTB message that quotes enough of one of our
// probes to show its Heartbeat Information (RFC 8899 Section 4.6.1: "a PL
// can use the nonce ... to validate the PTB message"): it must be the
// probe outstanding on p (see probePath). A quote of anything else
// (a DATA packet; too short to show the nonce, as ICMPv4 routers that
// quote 8 bytes after the IP header leave it) passes on the ports and the
// tag alone.
func (a *Association) quotedProbeOK(p *path, q []byte) bool {
	const at = packet.HeaderLen + 4 + 4 // chunk and parameter headers
	if len(q) < at+probeInfoLen || chunk.Type(q[packet.HeaderLen]) != chunk.TypeHeartbeat ||
		binary.BigEndian.Uint16(q[packet.HeaderLen+6:]) != 4+probeInfoLen {
		return true
	}
	return a.probePath(q[at:]) == p
}

package association

import (
	"crypto/hmac"
	"hash"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// AuthStats count the received chunks that AUTH (RFC 4895 Section 6.3)
// made the association discard.
type AuthStats struct {
	// Unauthenticated counts chunks of a type we asked the peer to
	// authenticate that came without a valid AUTH chunk before them.
	Unauthenticated uint64
	// BadHMAC counts AUTH chunks whose HMAC did not verify, or had the
	// wrong length; the chunks after each were discarded.
	BadHMAC uint64
	// UnknownKey counts AUTH chunks with a Shared Key Identifier of no
	// endpoint-pair key of ours.
	UnknownKey uint64
	// UnsupportedHMAC counts AUTH chunks with an HMAC Identifier we did
	// not list (each answered with an ERROR chunk, within the reply
	// limits).
	UnsupportedHMAC uint64
	// ExtraAuth counts packets discarded whole for carrying more than
	// one AUTH chunk (none of them verified).
	ExtraAuth uint64
}

// authenticated reports whether the chunk r of the packet being processed
// comes after a valid AUTH chunk (RFC 4895 Section 6.3: "If the result of
// the calculation is the same as given in the HMAC field, all the chunks
// following the AUTH chunk are processed"). It is false without AUTH.
//
// RFC 5061 Section 4.1.1 has an ASCONF accepted only authenticated: its
// handler asks this (ASCONF and ASCONF-ACK are in our CHUNKS list, so
// handleChunk already discards them otherwise while AUTH is on).
func (a *Association) authenticated(r *packet.Raw) bool {
	s := a.authOf()
	return s != nil && s.on && s.rxFrom > 0 && r.Offset >= s.rxFrom
}

// authGate applies RFC 4895 Section 6.3 to the chunk r before it is
// handled: an AUTH chunk is verified (handleAuth); a chunk of a type we
// asked to be authenticated that no valid AUTH chunk precedes is
// discarded ("It MUST silently discard these chunks if they are not
// placed after an AUTH chunk in the packet"). It reports whether r was
// dealt with (handled: skip it; stop: skip the rest of the packet too).
func (a *Association) authGate(p *packet.Packet, r *packet.Raw) (handled, stop bool, err error) {
	if !a.authOn() {
		if s := a.authOf(); s != nil && r.Type == chunk.TypeAuth && a.state == StateCookieWait {
			// An AUTH chunk before the COOKIE ECHO of an initialization
			// collision: the peer's key vector comes with the cookie
			// (authHeld).
			s.rxHeld = r.Offset
			return true, false, nil
		}
		return false, false, nil
	}
	if r.Type == chunk.TypeAuth {
		if r.Offset == a.authOf().rxChecked {
			return true, false, nil // verified by authPrecheck
		}
		stop, err := a.handleAuth(p, r)
		return true, stop, err
	}
	if a.authOf().localChunks.has(r.Type) && !a.authenticated(r) {
		a.details().Auth.Unauthenticated++
		return true, false, discard("chunk not authenticated", r.Type, nil)
	}
	return false, false, nil
}

// authPrecheck applies RFC 4895 Section 6.3 to the packet p before it
// changes anything (its chunks, the UDP port learned from it, the timers
// a packet from the peer restarts): with AUTH in use, its AUTH chunk is
// verified first, and a packet whose AUTH chunk does not verify is
// discarded whole ("all the chunks following the AUTH chunk MUST be
// silently discarded"; those before it, which anyone could have sent
// without it, go with them). A packet with more than one AUTH chunk is
// discarded whole, none verified: a sender puts one AUTH chunk before
// the chunks it authenticates (Section 6.2), and verifying each would
// cost one HMAC over the rest of the packet per AUTH chunk.
func (a *Association) authPrecheck(p *packet.Packet) error {
	s := a.authOf()
	if s == nil {
		return nil
	}
	first, n := authChunks(p)
	switch {
	case n == 0:
		return nil
	case n > 1:
		a.details().Auth.ExtraAuth++
		return discard("more than one AUTH chunk", chunk.TypeAuth, nil)
	case !s.on:
		return nil // an initialization collision's: authGate holds it
	}
	if _, err := a.handleAuth(p, &first); err != nil {
		return err
	}
	s.rxChecked = first.Offset
	return nil
}

// authChunks returns the first AUTH chunk of p and the number of AUTH
// chunks in p, at most 2.
func authChunks(p *packet.Packet) (first packet.Raw, n int) {
	it := p.Chunks()
	for r, ok := it.Next(); ok && n < 2; r, ok = it.Next() {
		if r.Type == chunk.TypeAuth {
			if n == 0 {
				first = r
			}
			n++
		}
	}
	return first, n
}

// authZeros is the HMAC field of Figure 6 of RFC 4895 Section 6.2.
var authZeros [hmacMaxLen]byte

// hmacMaxLen is the longest HMAC of the algorithms we implement.
const hmacMaxLen = 32

// handleAuth verifies the AUTH chunk r (RFC 4895 Section 6.3). When it is
// valid the chunks after it count as authenticated (see authenticated);
// otherwise they are discarded (stop).
func (a *Association) handleAuth(p *packet.Packet, r *packet.Raw) (stop bool, err error) {
	s := a.authOf()
	var c chunk.Auth
	if _, err := c.Parse(r.Bytes); err != nil {
		a.details().Auth.BadHMAC++
		return true, discard("malformed AUTH", r.Type, err)
	}
	h := chunk.HMACIdentifier(c.HMACID)
	if !hmacSupported(h) {
		// "If this algorithm was not specified by the receiver in the
		// HMAC-ALGO parameter in the INIT or INIT-ACK chunk during
		// association setup, the AUTH chunk and all the chunks after it
		// MUST be discarded and an ERROR chunk SHOULD be sent with the
		// error cause defined in Section 4.1."
		a.details().Auth.UnsupportedHMAC++
		if a.canReport() {
			a.queueAnswer(ctrlChunk{c: &chunk.OperationError{Causes: []chunk.Cause{
				&chunk.UnsupportedHMACIdentifierCause{HMACID: h}}}})
		}
		return true, discard("unsupported HMAC identifier", r.Type, nil)
	}
	m := s.hmac(c.SharedKeyID, h)
	if m == nil {
		// "If no endpoint pair shared key has been configured for that
		// Shared Key Identifier, all authenticated chunks MUST be
		// silently discarded."
		a.details().Auth.UnknownKey++
		return true, discard("unknown AUTH key", r.Type, nil)
	}
	if len(c.HMAC) != hmacLen(h) || !s.verify(m, r, c.HMAC, p.Bytes()[r.Offset+len(r.Bytes):]) {
		// "If the field does not match the result of the calculation,
		// all the chunks following the AUTH chunk MUST be silently
		// discarded."
		a.details().Auth.BadHMAC++
		return true, discard("bad HMAC", r.Type, nil)
	}
	s.rxFrom = r.Offset + len(r.Bytes)
	if c.SharedKeyID != s.recvKey {
		// RFC 6458 Section 6.1.8: SCTP_AUTH_NEW_KEY, "a new key has been
		// made active (used for the first time by the peer)".
		s.recvKey = c.SharedKeyID
		a.authEvent(AuthNewKey, c.SharedKeyID)
	}
	return false, nil
}

// verify reports whether mac is the HMAC m of the AUTH chunk r, its
// HMAC field zero, followed by rest (RFC 4895 Section 6.2, Figure 6).
func (s *authState) verify(m hash.Hash, r *packet.Raw, mac, rest []byte) bool {
	m.Write(r.Bytes[:authHeaderLen])
	m.Write(authZeros[:len(mac)])
	m.Write(r.Bytes[authHeaderLen+len(mac):]) // padding: none for SHA-1 and SHA-256
	m.Write(rest)
	return hmac.Equal(m.Sum(s.mac[:0]), mac)
}

// authCookieEcho applies RFC 4895 Section 6.3 to the packet p whose COOKIE
// ECHO ce creates the association: "If a packet arrives containing an
// AUTH chunk as a first chunk, a COOKIE-ECHO chunk as the second chunk,
// and possibly more chunks after them, and the receiver does not have an
// STCB for that packet, then authentication is based on the contents of
// the COOKIE-ECHO chunk. ... If authentication fails, then the packet is
// discarded." A COOKIE ECHO of a type we asked to be authenticated that
// comes without the AUTH chunk is discarded too. On success the chunks
// after the AUTH chunk count as authenticated.
func (a *Association) authCookieEcho(p *packet.Packet, ce *packet.Raw) error {
	if ce.Offset == packet.HeaderLen {
		if a.authOn() && a.authOf().localChunks.has(chunk.TypeCookieEcho) {
			return discard("COOKIE ECHO not authenticated", chunk.TypeCookieEcho, nil)
		}
		return nil
	}
	it := p.Chunks()
	r, _ := it.Next() // the AUTH chunk before ce (packet.Packet.Lead)
	if !a.authOn() {
		return discard("AUTH before COOKIE ECHO without AUTH", chunk.TypeAuth, nil)
	}
	if _, err := a.handleAuth(p, &r); err != nil {
		return err
	}
	return nil
}

// authHeld verifies the AUTH chunk authGate left for the COOKIE ECHO the
// association just processed in COOKIE-WAIT (RFC 4895 Section 6.3: "the
// receiver MUST authenticate the chunks in the packet by using the RANDOM
// parameters, CHUNKS parameters and HMAC_ALGO parameters obtained from
// the COOKIE-ECHO chunk"; the cookie itself is verified by its MAC). The
// chunks after it then count as authenticated, if it verifies.
func (a *Association) authHeld(p *packet.Packet) {
	s := a.authOf()
	if s == nil || s.rxHeld == 0 || !s.on {
		return
	}
	it := p.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		if r.Offset == s.rxHeld {
			_, _ = a.handleAuth(p, &r)
			return
		}
	}
}

package association

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"slices"

	"github.com/gensctp/gensctp/chunk"
)

// authRandomLen is the length of the Random Number. RFC 4895 Section 6.1:
// "The RANDOM parameter MUST contain a 32-byte Random Number."
const authRandomLen = 32

// maxPeerAuthVec bounds the peer's key vector (its RANDOM, CHUNKS and
// HMAC-ALGO parameters), which the State Cookie carries: a RANDOM of 36
// bytes, a CHUNKS parameter of at most 260 (RFC 4895 Section 3.2: "The
// maximum length of this parameter is 260 bytes") and 216 bytes, 106
// identifiers, of HMAC-ALGO. A peer sending more is refused.
const maxPeerAuthVec = 512

// ourHMACs are the HMAC identifiers of our HMAC-ALGO parameter, most
// preferred first. RFC 4895 Section 6.1: "The HMAC algorithm based on
// SHA-1 MUST be supported and included in the HMAC-ALGO parameter."
var ourHMACs = &chunk.RequestedHMACAlgorithm{HMACs: []chunk.HMACIdentifier{chunk.HMACSHA256, chunk.HMACSHA1}}

// hmacSupported reports whether we implement the HMAC identifier h.
func hmacSupported(h chunk.HMACIdentifier) bool {
	return h == chunk.HMACSHA1 || h == chunk.HMACSHA256
}

// hmacLen returns the length of an HMAC of the algorithm h.
func hmacLen(h chunk.HMACIdentifier) int {
	if h == chunk.HMACSHA1 {
		return sha1.Size
	}
	return sha256.Size
}

// typeSet is a set of chunk types.
type typeSet [4]uint64

func (s *typeSet) add(t chunk.Type)      { s[t>>6] |= 1 << (t & 63) }
func (s *typeSet) has(t chunk.Type) bool { return s[t>>6]&(1<<(t&63)) != 0 }

// list returns the types of s in increasing order.
func (s *typeSet) list() []chunk.Type {
	var out []chunk.Type
	for t := 0; t < 256; t++ {
		if s.has(chunk.Type(t)) {
			out = append(out, chunk.Type(t))
		}
	}
	return out
}

// ourAuthChunks returns the types of our CHUNKS parameter: those of cfg
// and ASCONF and ASCONF-ACK (RFC 5061 Section 4.1: "An implementation
// supporting this extension MUST list the ASCONF, the ASCONF-ACK, and
// the AUTH chunks in its INIT and INIT-ACK parameters"; the AUTH chunk
// type itself cannot be listed in CHUNKS, RFC 4895 Section 3.2), in
// increasing order, each once, appended to ts.
func ourAuthChunks(cfg *AuthConfig, ts []chunk.Type) []chunk.Type {
	var s typeSet
	s.add(chunk.TypeASCONF)
	s.add(chunk.TypeASCONFAck)
	for _, t := range cfg.Chunks {
		if authListable(t) {
			s.add(t)
		}
	}
	for t := 0; t < 256; t++ {
		if s.has(chunk.Type(t)) {
			ts = append(ts, chunk.Type(t))
		}
	}
	return ts
}

// authRandom returns the Random Number of the association with the
// local verification tag and initial TSN (RFC 4895 Section 6.1: it
// "should be generated in accordance with RFC 4086"): a hash of them
// keyed with the current cookie secret (drawn from the configured
// randomness source, crypto/rand in production), as RFC 4086 Section 6.2
// builds pseudo-random output from a secret seed. Tag and TSN are random
// and the secret unknown to anyone else, so the number is unpredictable
// and differs from one association to the next, yet the source's stream
// is not drawn from: seeded runs stay what they were without AUTH.
func authRandom(k *CookieKeys, tag chunk.VerificationTag, tsn chunk.TSN) (r [authRandomLen]byte) {
	var in [len("SCTP-AUTH RANDOM") + cookieKeyLen + 8]byte
	n := copy(in[:], "SCTP-AUTH RANDOM")
	n += copy(in[n:], k.cur[:])
	binary.BigEndian.PutUint32(in[n:], uint32(tag))
	binary.BigEndian.PutUint32(in[n+4:], uint32(tsn))
	return sha256.Sum256(in[:])
}

// authParamSet holds our RANDOM, CHUNKS and HMAC-ALGO parameters for an
// INIT or INIT ACK, reused from one to the next.
type authParamSet struct {
	random chunk.Random
	chunks chunk.ChunkList
}

// params appends our AUTH parameters, with the Random Number r, to ps,
// unless AUTH is off in cfg.
func (s *authParamSet) params(cfg *Config, r *[authRandomLen]byte, ps []chunk.Param) []chunk.Param {
	if cfg.Auth.Disabled {
		return ps
	}
	s.random.Random = r[:]
	s.chunks.Types = ourAuthChunks(&cfg.Auth, s.chunks.Types[:0])
	return append(ps, &s.random, &s.chunks, ourHMACs)
}

// appendUnpadded appends the parameter p without its padding: RFC 4895
// Section 6.1, the key vectors include "the parameter type, parameter
// length, and the parameter value, but padding is omitted".
func appendUnpadded(b []byte, p chunk.Param) []byte {
	start := len(b)
	b = p.Append(b)
	return b[:start+int(binary.BigEndian.Uint16(b[start+2:]))]
}

// authVector appends to b the key vector of the AUTH parameters among ps
// (RFC 4895 Section 6.1: "The RANDOM parameter, the CHUNKS parameter, and
// the HMAC-ALGO parameter sent by each endpoint are concatenated as byte
// vectors"), the first of each type. It returns b unchanged when the
// RANDOM or the HMAC-ALGO parameter is missing (no AUTH), and an error
// cause when the peer's parameters cannot be used: a Random Number that
// is not 32 bytes (Section 6.1: "the association MUST be aborted. The
// ABORT chunk SHOULD contain the error cause 'Protocol Violation'"), no
// HMAC identifier we implement, or a vector over maxPeerAuthVec.
func authVector(ps []chunk.Param, b []byte) ([]byte, chunk.Cause) {
	var rnd, chunks, hmacs chunk.Param
	for _, p := range ps {
		switch p.(type) {
		case *chunk.Random:
			rnd = cmpOr(rnd, p)
		case *chunk.ChunkList:
			chunks = cmpOr(chunks, p)
		case *chunk.RequestedHMACAlgorithm:
			hmacs = cmpOr(hmacs, p)
		}
	}
	if rnd == nil || hmacs == nil {
		return b, nil
	}
	if len(rnd.(*chunk.Random).Random) != authRandomLen {
		return b, authViolation("RANDOM of other than 32 bytes")
	}
	if pickHMAC(hmacs.(*chunk.RequestedHMACAlgorithm).HMACs) == 0 {
		return b, authViolation("no supported HMAC identifier")
	}
	start := len(b)
	b = appendUnpadded(b, rnd)
	if chunks != nil {
		b = appendUnpadded(b, chunks)
	}
	b = appendUnpadded(b, hmacs)
	if len(b)-start > maxPeerAuthVec {
		return b[:start], authViolation("AUTH parameters too long")
	}
	return b, nil
}

// cmpOr returns a unless it is nil, else b.
func cmpOr(a, b chunk.Param) chunk.Param {
	if a != nil {
		return a
	}
	return b
}

// authViolation returns the Protocol Violation cause for a peer's AUTH
// parameters that cannot be used.
func authViolation(info string) chunk.Cause {
	return &chunk.ProtocolViolationCause{Info: []byte(info)}
}

// pickHMAC returns the first identifier of hs we implement, or 0. RFC
// 4895 Section 6.1: "The receiver of an HMAC-ALGO parameter SHOULD use
// the first listed algorithm it supports."
func pickHMAC(hs []chunk.HMACIdentifier) chunk.HMACIdentifier {
	for _, h := range hs {
		if hmacSupported(h) {
			return h
		}
	}
	return 0
}

// authState is the AUTH state of an association (RFC 4895): from our INIT
// or INIT ACK on when we offer AUTH; on once the peer offered it too.
type authState struct {
	localRandom [authRandomLen]byte
	// on: both ends offered AUTH; the rest below is set.
	on bool
	// localChunks are the types we asked the peer to authenticate,
	// peerChunks those it asked of us (less INIT, INIT ACK, SHUTDOWN
	// COMPLETE and AUTH, RFC 4895 Section 3.2), peerList as it listed them.
	localChunks, peerChunks typeSet
	peerList                []chunk.Type
	// sendChunks are the types we authenticate unasked (peerChunks too).
	sendChunks typeSet
	// sendHMAC is the algorithm of the AUTH chunks we send.
	sendHMAC chunk.HMACIdentifier
	// localVec and peerVec are the key vectors (RFC 4895 Section 6.1).
	localVec, peerVec []byte
	// keys are the endpoint-pair shared keys; active the identifier of the
	// one that signs what we send.
	keys   AuthKeys
	active uint16
	// macs are the HMACs keyed with the association shared keys, made
	// at first use and forgotten when the keys change.
	macs []keyMAC
	// recvKey is the identifier of the key of the last valid AUTH chunk
	// received (RFC 6458 Section 6.1.8, SCTP_AUTH_NEW_KEY).
	recvKey uint16
	// rxFrom is the offset of the first chunk a valid AUTH chunk covers
	// in the packet being processed, 0 if none; rxHeld the offset of an
	// AUTH chunk left for the COOKIE ECHO after it (authGate), 0 if none.
	rxFrom, rxHeld int
	// mac receives an HMAC being computed.
	mac [sha256.Size]byte
}

// keyMAC holds the HMACs keyed with the association shared key of an
// endpoint-pair key (RFC 4895 Section 6.1).
type keyMAC struct {
	id           uint16
	sha1, sha256 hash.Hash
}

// hmac returns the HMAC of algorithm h keyed with the association shared
// key of the endpoint-pair key id, reset, or nil when there is no such
// key.
func (s *authState) hmac(id uint16, h chunk.HMACIdentifier) hash.Hash {
	i := slices.IndexFunc(s.macs, func(m keyMAC) bool { return m.id == id })
	if i < 0 {
		k := s.keys.index(id)
		if k < 0 {
			return nil
		}
		i = len(s.macs)
		s.macs = append(s.macs, keyMAC{id: id})
	}
	m, newHash := &s.macs[i].sha256, sha256.New
	if h == chunk.HMACSHA1 {
		m, newHash = &s.macs[i].sha1, sha1.New
	}
	if *m == nil {
		*m = hmac.New(newHash, sharedKey(s.keys[s.keys.index(id)].Secret, s.localVec, s.peerVec))
	}
	(*m).Reset()
	return *m
}

// setKeys replaces the endpoint-pair keys.
func (s *authState) setKeys(keys AuthKeys) {
	s.keys, s.macs = keys, nil
}

// sharedKey returns the association shared key of the endpoint-pair key
// secret and the key vectors v1 and v2 (RFC 4895 Section 6.1): "selecting
// the numerically smaller key vector and concatenating it to the endpoint
// pair shared key, and then concatenating the numerically larger key
// vector to that. If the key vectors are equal as numbers but differ in
// length, then the concatenation order is the endpoint shared key,
// followed by the shorter key vector, followed by the longer key vector."
func sharedKey(secret, v1, v2 []byte) []byte {
	if compareVectors(v1, v2) > 0 {
		v1, v2 = v2, v1
	}
	k := make([]byte, 0, len(secret)+len(v1)+len(v2))
	return append(append(append(k, secret...), v1...), v2...)
}

// compareVectors compares the key vectors a and b as big-endian numbers,
// the shorter first when they are equal as numbers.
func compareVectors(a, b []byte) int {
	ta, tb := bytes.TrimLeft(a, "\x00"), bytes.TrimLeft(b, "\x00")
	switch {
	case len(ta) != len(tb):
		return len(ta) - len(tb)
	}
	if c := bytes.Compare(ta, tb); c != 0 {
		return c
	}
	return len(a) - len(b)
}

// setupAuth makes the AUTH state of the association from our Random
// Number and the peer's key vector peerVec (empty when the peer did not
// offer AUTH), once the peer's INIT or INIT ACK is known. It returns the
// cause to abort with when peerVec cannot be used.
func (a *Association) setupAuth(local *[authRandomLen]byte, peerVec []byte) chunk.Cause {
	if a.cfg.Auth.Disabled {
		a.setAuth(nil)
		return nil
	}
	s := &authState{localRandom: *local}
	if old := a.authOf(); old != nil {
		s.rxHeld = old.rxHeld // a collision's COOKIE ECHO (authHeld)
	}
	a.setAuth(s)
	if len(peerVec) == 0 {
		return nil
	}
	var ps authParamSet
	s.localVec = nil
	for _, p := range ps.params(a.cfg, local, nil) {
		s.localVec = appendUnpadded(s.localVec, p)
	}
	s.peerVec = append([]byte(nil), peerVec...)
	for _, t := range ps.chunks.Types {
		s.localChunks.add(t)
	}
	for _, t := range a.cfg.Auth.SendChunks {
		s.sendChunks.add(t)
	}
	for b := s.peerVec; len(b) >= 4; {
		n := int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || n > len(b) {
			return authViolation("AUTH parameters")
		}
		switch chunk.ParamType(binary.BigEndian.Uint16(b)) {
		case chunk.ParamChunkList:
			for _, t := range b[4:n] {
				if authListable(chunk.Type(t)) && !s.peerChunks.has(chunk.Type(t)) {
					s.peerChunks.add(chunk.Type(t))
					s.sendChunks.add(chunk.Type(t))
					s.peerList = append(s.peerList, chunk.Type(t))
				}
			}
		case chunk.ParamRequestedHMACAlgorithm:
			for v := b[4:n]; len(v) >= 2 && s.sendHMAC == 0; v = v[2:] {
				if h := chunk.HMACIdentifier(binary.BigEndian.Uint16(v)); hmacSupported(h) {
					s.sendHMAC = h
				}
			}
		}
		b = b[n:]
	}
	if s.sendHMAC == 0 {
		return authViolation("no supported HMAC identifier")
	}
	s.keys = a.cfg.Auth.Keys.orNull()
	s.active = a.cfg.Auth.ActiveKey
	s.recvKey = s.active
	s.on = true
	return nil
}

// authOn reports whether the association authenticates chunks: both ends
// offered AUTH (RFC 4895).
func (a *Association) authOn() bool {
	s := a.authOf()
	return s != nil && s.on
}

// authStart makes our Random Number for the INIT we are about to send,
// unless AUTH is off.
func (a *Association) authStart() {
	a.setAuth(nil)
	if !a.cfg.Auth.Disabled {
		a.setAuth(&authState{localRandom: authRandom(a.keys, a.localTag, a.nextTSN)})
	}
}

// authFromPeer sets up AUTH from the parameters of the peer's INIT ACK,
// params. It returns the cause to abort with when they cannot be used.
func (a *Association) authFromPeer(params []chunk.Param) chunk.Cause {
	s := a.authOf()
	if s == nil {
		return nil
	}
	vec, cause := authVector(params, nil)
	if cause != nil {
		return cause
	}
	return a.setupAuth(&s.localRandom, vec)
}

// authFromCookie sets up AUTH from a State Cookie (the cookie was made
// with the peer's parameters checked: authVector).
func (a *Association) authFromCookie(ck *cookie) {
	if !ck.auth {
		a.setAuth(nil)
		return
	}
	a.setupAuth(&ck.localRandom, ck.peerAuth)
}

// authLen returns the bytes appendAuth appends.
func (c *cookie) authLen() int {
	if !c.auth {
		return 1
	}
	return 1 + authRandomLen + 2 + len(c.peerAuth)
}

// appendAuth appends the AUTH part of the cookie: a flag byte, then with
// AUTH offered our Random Number and the peer's key vector, its length
// first.
func (c *cookie) appendAuth(b []byte) []byte {
	if !c.auth {
		return append(b, 0)
	}
	b = append(append(b, 1), c.localRandom[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(c.peerAuth)))
	return append(b, c.peerAuth...)
}

// parseAuth reads what appendAuth wrote at the start of p and returns the
// rest. c.peerAuth aliases p.
func (c *cookie) parseAuth(p []byte) ([]byte, bool) {
	if len(p) < 1 || p[0] > 1 {
		return p, false
	}
	c.auth, p = p[0] == 1, p[1:]
	if !c.auth {
		return p, true
	}
	if len(p) < authRandomLen+2 {
		return p, false
	}
	copy(c.localRandom[:], p)
	n := int(binary.BigEndian.Uint16(p[authRandomLen:]))
	p = p[authRandomLen+2:]
	if n > len(p) || n > maxPeerAuthVec {
		return p, false
	}
	c.peerAuth = p[:n]
	return p[n:], true
}

// authOf returns the AUTH state, nil when we do not offer AUTH.
func (a *Association) authOf() *authState {
	if a.detail == nil {
		return nil
	}
	return a.detail.auth
}

// setAuth sets the AUTH state.
func (a *Association) setAuth(s *authState) {
	if s != nil || a.detail != nil {
		a.details()
		a.detail.auth = s
	}
}

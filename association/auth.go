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

// defaultAuthChunks is ourAuthChunks of a configuration without Chunks,
// shared (never written through) so that the usual handshake builds no
// list.
var defaultAuthChunks = ourAuthChunks(&AuthConfig{}, nil)

// authChunksOf returns ourAuthChunks of cfg, in own (reused, appended
// to from its start) unless cfg lists no chunk type; own is returned too.
func authChunksOf(cfg *AuthConfig, own []chunk.Type) (ts, owned []chunk.Type) {
	if len(cfg.Chunks) == 0 {
		return defaultAuthChunks, own
	}
	own = ourAuthChunks(cfg, own[:0])
	return own, own
}

// appendAuthTail appends to b the CHUNKS parameter listing ts and our
// HMAC-ALGO parameter, without padding: the part of our key vector (RFC
// 4895 Section 6.1) after the RANDOM parameter, as our INIT or INIT ACK
// advertises it.
func appendAuthTail(b []byte, ts []chunk.Type) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(chunk.ParamChunkList))
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(ts)))
	for _, t := range ts {
		b = append(b, byte(t))
	}
	b = binary.BigEndian.AppendUint16(b, uint16(chunk.ParamRequestedHMACAlgorithm))
	b = binary.BigEndian.AppendUint16(b, uint16(4+2*len(ourHMACs.HMACs)))
	for _, h := range ourHMACs.HMACs {
		b = binary.BigEndian.AppendUint16(b, uint16(h))
	}
	return b
}

// maxAuthTail bounds the part of our key vector a State Cookie carries
// (appendAuthTail): a CHUNKS parameter of at most 260 bytes and our
// HMAC-ALGO parameter.
const maxAuthTail = 260 + 4 + 2*hmacCount

// hmacCount is the number of HMAC identifiers we implement (ourHMACs).
const hmacCount = 2

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
	// own backs chunks.Types when the configuration lists chunk types.
	own []chunk.Type
}

// params appends our AUTH parameters, with the Random Number r, to ps,
// unless AUTH is off in cfg.
func (s *authParamSet) params(cfg *Config, r *[authRandomLen]byte, ps []chunk.Param) []chunk.Param {
	if cfg.Auth.Disabled {
		return ps
	}
	s.random.Random = r[:]
	s.chunks.Types, s.own = authChunksOf(&cfg.Auth, s.own)
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
	// COMPLETE and AUTH, RFC 4895 Section 3.2).
	localChunks, peerChunks typeSet
	// sendChunks are the types we authenticate unasked (peerChunks too).
	sendChunks typeSet
	// sendHMAC is the algorithm of the AUTH chunks we send.
	sendHMAC chunk.HMACIdentifier
	// localVec and peerVec are the key vectors (RFC 4895 Section 6.1),
	// our RANDOM, CHUNKS and HMAC-ALGO parameters as we advertised them
	// and the peer's (peerVec lists the peer's CHUNKS in its order).
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
	// AUTH chunk left for the COOKIE ECHO after it (authGate), 0 if none;
	// rxChecked the offset of the AUTH chunk authPrecheck verified, 0 if
	// none.
	rxFrom, rxHeld, rxChecked int
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
// Number and the key vectors vecs: ours, the first nLocal bytes, as we
// advertised it, then the peer's (none when the peer did not offer AUTH),
// once the peer's INIT or INIT ACK is known. The state keeps vecs. It
// returns the cause to abort with when the peer's vector cannot be used.
//
// The endpoint-pair keys and the active key of an association already
// using AUTH stay (a restart, RFC 9260 Section 5.2.4, or a collision):
// they are the user's (RFC 6458 Sections 8.1.18 and 8.3.3), while the
// association shared key is made again from the new key vectors.
func (a *Association) setupAuth(local *[authRandomLen]byte, vecs []byte, nLocal int) chunk.Cause {
	if a.cfg.Auth.Disabled {
		a.setAuth(nil)
		return nil
	}
	s := a.authOf()
	if s == nil {
		s = new(authState)
		a.setAuth(s)
	}
	// The packet being processed keeps what its AUTH chunk covers, and a
	// collision's COOKIE ECHO its AUTH chunk (authHeld).
	old := *s
	*s = authState{localRandom: *local, rxFrom: old.rxFrom, rxHeld: old.rxHeld, rxChecked: old.rxChecked}
	if len(vecs) <= nLocal {
		return nil
	}
	s.localVec, s.peerVec = vecs[:nLocal:nLocal], vecs[nLocal:]
	if !walkAuthVec(s.localVec, func(t chunk.Type) { s.localChunks.add(t) }, nil) {
		return authViolation("AUTH parameters")
	}
	for _, t := range a.cfg.Auth.SendChunks {
		s.sendChunks.add(t)
	}
	peerChunk := func(t chunk.Type) {
		s.peerChunks.add(t)
		s.sendChunks.add(t)
	}
	pickSend := func(h chunk.HMACIdentifier) {
		if s.sendHMAC == 0 && hmacSupported(h) {
			s.sendHMAC = h
		}
	}
	if !walkAuthVec(s.peerVec, peerChunk, pickSend) {
		return authViolation("AUTH parameters")
	}
	if s.sendHMAC == 0 {
		return authViolation("no supported HMAC identifier")
	}
	if old.on {
		s.keys, s.active, s.recvKey = old.keys, old.active, old.recvKey
	} else {
		s.keys = a.cfg.Auth.Keys.orNull()
		s.active = a.cfg.Auth.ActiveKey
		s.recvKey = s.active
	}
	s.on = true
	return nil
}

// appendRandom appends the RANDOM parameter with the Random Number r,
// as a key vector has it (it needs no padding).
func appendRandom(b []byte, r *[authRandomLen]byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(chunk.ParamRandom))
	b = binary.BigEndian.AppendUint16(b, 4+authRandomLen)
	return append(b, r[:]...)
}

// walkAuthVec calls chunkFn with each listable chunk type (authListable)
// of the CHUNKS parameter of the key vector v, in its order, and hmacFn
// (if not nil) with each identifier of its HMAC-ALGO parameter. It
// reports false when v is not a sequence of parameters.
func walkAuthVec(v []byte, chunkFn func(chunk.Type), hmacFn func(chunk.HMACIdentifier)) bool {
	for len(v) >= 4 {
		n := int(binary.BigEndian.Uint16(v[2:]))
		if n < 4 || n > len(v) {
			return false
		}
		switch chunk.ParamType(binary.BigEndian.Uint16(v)) {
		case chunk.ParamChunkList:
			for _, t := range v[4:n] {
				if authListable(chunk.Type(t)) {
					chunkFn(chunk.Type(t))
				}
			}
		case chunk.ParamRequestedHMACAlgorithm:
			for h := v[4:n]; hmacFn != nil && len(h) >= 2; h = h[2:] {
				hmacFn(chunk.HMACIdentifier(binary.BigEndian.Uint16(h)))
			}
		}
		v = v[n:]
	}
	return len(v) == 0
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
	room := authVectorRoom(params)
	if room == 0 {
		return a.setupAuth(&s.localRandom, nil, 0) // the peer offers no AUTH
	}
	// Our INIT advertised a.cfg's list (the configuration of an
	// association does not change). Both vectors in one allocation.
	ts, _ := authChunksOf(&a.cfg.Auth, nil)
	vecs := make([]byte, 0, 4+authRandomLen+4+len(ts)+4+2*hmacCount+room)
	vecs = appendAuthTail(appendRandom(vecs, &s.localRandom), ts)
	n := len(vecs)
	vecs, cause := authVector(params, vecs)
	if cause != nil {
		return cause
	}
	return a.setupAuth(&s.localRandom, vecs, n)
}

// authVectorRoom returns the bytes of the RANDOM, CHUNKS and HMAC-ALGO
// parameters among ps with their padding (at least what authVector
// appends), 0 when there is no RANDOM parameter.
func authVectorRoom(ps []chunk.Param) int {
	n, rnd := 0, false
	for _, p := range ps {
		switch p.(type) {
		case *chunk.Random:
			rnd = true
			n += p.Len()
		case *chunk.ChunkList, *chunk.RequestedHMACAlgorithm:
			n += p.Len()
		}
	}
	if !rnd {
		return 0
	}
	return n
}

// authFromCookie sets up AUTH from a State Cookie (the cookie was made
// with the peer's parameters checked: authVector), with our key vector as
// the INIT ACK advertised it, which the cookie carries (RFC 4895 Section
// 6.3: "using the RANDOM parameters, CHUNKS parameters and HMAC_ALGO
// parameters obtained from the COOKIE-ECHO chunk").
func (a *Association) authFromCookie(ck *cookie) {
	if !ck.auth {
		a.setAuth(nil)
		return
	}
	if len(ck.peerAuth) == 0 {
		a.setupAuth(&ck.localRandom, nil, 0)
		return
	}
	vecs := make([]byte, 0, 4+authRandomLen+len(ck.localAuth)+len(ck.peerAuth))
	vecs = append(appendRandom(vecs, &ck.localRandom), ck.localAuth...)
	n := len(vecs)
	a.setupAuth(&ck.localRandom, append(vecs, ck.peerAuth...), n)
}

// authLen returns the bytes appendAuth appends.
func (c *cookie) authLen() int {
	if !c.auth {
		return 1
	}
	return 1 + authRandomLen + 2 + len(c.peerAuth) + 2 + len(c.localAuth)
}

// appendAuth appends the AUTH part of the cookie: a flag byte, then with
// AUTH offered our Random Number, the peer's key vector and the rest of
// ours (CHUNKS and HMAC-ALGO as the INIT ACK listed them), each vector
// its length first.
func (c *cookie) appendAuth(b []byte) []byte {
	if !c.auth {
		return append(b, 0)
	}
	b = append(append(b, 1), c.localRandom[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(c.peerAuth)))
	b = append(b, c.peerAuth...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(c.localAuth)))
	return append(b, c.localAuth...)
}

// parseAuth reads what appendAuth wrote at the start of p and returns the
// rest. c.peerAuth and c.localAuth alias p.
func (c *cookie) parseAuth(p []byte) ([]byte, bool) {
	if len(p) < 1 || p[0] > 1 {
		return p, false
	}
	c.auth, p = p[0] == 1, p[1:]
	if !c.auth {
		return p, true
	}
	if len(p) < authRandomLen {
		return p, false
	}
	copy(c.localRandom[:], p)
	p = p[authRandomLen:]
	var ok bool
	if c.peerAuth, p, ok = cookieVec(p, maxPeerAuthVec); !ok {
		return p, false
	}
	c.localAuth, p, ok = cookieVec(p, maxAuthTail)
	return p, ok
}

// cookieVec reads a vector of at most limit bytes, its length first, at
// the start of p and returns it (aliasing p) and the rest.
func cookieVec(p []byte, limit int) (v, rest []byte, ok bool) {
	if len(p) < 2 {
		return nil, p, false
	}
	n := int(binary.BigEndian.Uint16(p))
	p = p[2:]
	if n > len(p) || n > limit {
		return nil, p, false
	}
	return p[:n], p[n:], true
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

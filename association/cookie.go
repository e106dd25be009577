package association

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// DefaultCookieKeyLifetime is how long a cookie secret stays current.
// RFC 9260 Section 5.1.3: "The secret key SHOULD be changed reasonably
// frequently (e.g., hourly)".
const DefaultCookieKeyLifetime = time.Hour

// cookieKeyLen is the size of a cookie secret; cookieMACLen the size of the
// HMAC-SHA-256 tag.
const (
	cookieKeyLen = 32
	cookieMACLen = sha256.Size
)

// CookieKeys holds the secrets that sign State Cookies (RFC 9260 Section
// 5.1.3): the current one and the one before it, so that a cookie issued
// just before a rotation still verifies. It is shared by every association
// of an endpoint. Not safe for concurrent use; the caller serialises.
type CookieKeys struct {
	rnd      rand.Source
	lifetime time.Duration
	rotated  timer.Time
	started  bool
	id       uint32
	cur      [cookieKeyLen]byte
	prev     [cookieKeyLen]byte
	hasPrev  bool
}

// NewCookieKeys returns keys drawn from rnd that rotate every lifetime (0
// means DefaultCookieKeyLifetime).
func NewCookieKeys(rnd rand.Source, lifetime time.Duration) *CookieKeys {
	if lifetime <= 0 {
		lifetime = DefaultCookieKeyLifetime
	}
	k := &CookieKeys{rnd: rnd, lifetime: lifetime}
	k.fill(&k.cur)
	return k
}

func (k *CookieKeys) fill(key *[cookieKeyLen]byte) {
	for i := 0; i < cookieKeyLen; i += 8 {
		binary.LittleEndian.PutUint64(key[i:], k.rnd.Uint64())
	}
}

// Rotate replaces the current secret when it is older than the lifetime.
// The previous secret keeps verifying cookies until the next rotation.
func (k *CookieKeys) Rotate(now timer.Time) {
	if !k.started {
		k.started, k.rotated = true, now
		return
	}
	if now.Sub(k.rotated) < k.lifetime {
		return
	}
	k.prev, k.hasPrev = k.cur, true
	k.fill(&k.cur)
	k.id++
	k.rotated = now
}

// NextRotation returns when Rotate will next change the secret.
func (k *CookieKeys) NextRotation() timer.Time {
	if !k.started {
		return timer.Never
	}
	return k.rotated.Add(k.lifetime)
}

// key returns the secret with the given id, or false when it has been
// rotated out.
func (k *CookieKeys) key(id uint32) ([]byte, bool) {
	switch {
	case id == k.id:
		return k.cur[:], true
	case k.hasPrev && id == k.id-1:
		return k.prev[:], true
	}
	return nil, false
}

// cookie is the content of a State Cookie: everything needed to build the
// TCB when a valid COOKIE ECHO arrives (RFC 9260 Section 5.1.3), plus the
// tie-tags of Section 5.2.2.
type cookie struct {
	created  timer.Time
	lifetime time.Duration

	localPort, peerPort uint16
	localTag, peerTag   chunk.VerificationTag
	localTSN, peerTSN   chunk.TSN
	peerRwnd            uint32
	outbound, inbound   uint16
	localTieTag         chunk.VerificationTag
	peerTieTag          chunk.VerificationTag

	peerFeatures   features
	peerAdaptation uint32

	// peerAddrs are the addresses the INIT listed (RFC 9260 Section
	// 5.1.2), at most maxCookieAddrs.
	peerAddrs []netip.Addr
	// initFrom is where the INIT came from and the INIT ACK went (IP and
	// UDP encapsulation port); zero when the caller did not say. RFC 9260
	// Section 5.4 rule 2 confirms "the address to which the INIT ACK was
	// sent", not the source of the COOKIE ECHO, which anyone who saw the
	// INIT ACK can forge.
	initFrom netip.AddrPort

	// auth: we offered AUTH (RFC 4895) in the INIT ACK, with the Random
	// Number localRandom; peerAuth is the peer's key vector (its RANDOM,
	// CHUNKS and HMAC-ALGO parameters, empty if it offered none): RFC
	// 4895 Section 6.3, "authentication is based on the contents of the
	// COOKIE-ECHO chunk". The cookie carries no endpoint-pair key
	// ("the cookie ... MUST NOT contain any endpoint pair shared keys").
	auth        bool
	localRandom [authRandomLen]byte
	peerAuth    []byte
	// localAuth is the rest of our key vector as the INIT ACK advertised
	// it, its CHUNKS and HMAC-ALGO parameters (appendAuthTail): the
	// association authenticates with what the peer was told, whatever
	// the configuration of the Acceptor became since.
	localAuth []byte
}

// features records what the peer announced in its INIT or INIT ACK.
type features uint8

const (
	featForwardTSN features = 1 << iota
	featAdaptation
	featZeroChecksum
	featReconfig
	featIData
	featIForwardTSN
	featECN
	featASCONF
)

const (
	cookieVersion  = 4
	cookieFixedLen = 1 + 4 + 8 + 4 + 2 + 2 + 4*6 + 4 + 2 + 2 + 1 + 4 + 1 + 1
	maxCookieAddrs = 32
)

// Errors of cookie verification. RFC 9260 Section 5.1.5 discards the packet
// silently in every case but staleness.
var (
	errCookieMAC    = errors.New("state cookie: bad MAC or unknown key")
	errCookieFormat = errors.New("state cookie: malformed")
)

// encode appends the cookie signed with the current secret of k to b,
// with m (nil: afresh).
func (c *cookie) encode(b []byte, k *CookieKeys, m *cookieMAC) []byte {
	start := len(b)
	b = append(b, cookieVersion)
	b = binary.BigEndian.AppendUint32(b, k.id)
	b = binary.BigEndian.AppendUint64(b, uint64(c.created))
	// Saturated rather than wrapped: Config.Validate keeps it in range
	// (MaxCookieLife), this guards the encoding.
	b = binary.BigEndian.AppendUint32(b, uint32(min(c.lifetime/time.Millisecond, math.MaxUint32)))
	b = binary.BigEndian.AppendUint16(b, c.localPort)
	b = binary.BigEndian.AppendUint16(b, c.peerPort)
	for _, v := range [...]uint32{uint32(c.localTag), uint32(c.peerTag), uint32(c.localTSN),
		uint32(c.peerTSN), uint32(c.localTieTag), uint32(c.peerTieTag)} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	b = binary.BigEndian.AppendUint32(b, c.peerRwnd)
	b = binary.BigEndian.AppendUint16(b, c.outbound)
	b = binary.BigEndian.AppendUint16(b, c.inbound)
	b = append(b, byte(c.peerFeatures))
	b = binary.BigEndian.AppendUint32(b, c.peerAdaptation)
	b = appendCookieAddrPort(b, c.initFrom)
	n := min(len(c.peerAddrs), maxCookieAddrs)
	b = append(b, byte(n))
	for _, a := range c.peerAddrs[:n] {
		b = appendCookieAddr(b, a)
	}
	b = c.appendAuth(b)
	return m.sign(b, start, k)
}

// fitAddrs drops peer addresses from the end of c.peerAddrs until the
// encoded cookie takes at most room bytes (or no address is left).
func (c *cookie) fitAddrs(room int) {
	c.peerAddrs = c.peerAddrs[:min(len(c.peerAddrs), maxCookieAddrs)]
	n, size := len(c.peerAddrs), c.encodedLen()
	for n > 0 && size > room {
		n--
		size -= cookieAddrLen(c.peerAddrs[n])
	}
	c.peerAddrs = c.peerAddrs[:n]
}

// encodedLen returns the length of c encoded.
func (c *cookie) encodedLen() int {
	size := c.minLen()
	for _, a := range c.peerAddrs[:min(len(c.peerAddrs), maxCookieAddrs)] {
		size += cookieAddrLen(a)
	}
	return size
}

// minLen returns the length of c encoded without peer addresses.
func (c *cookie) minLen() int {
	// cookieFixedLen counts one byte for initFrom.
	size := cookieFixedLen + cookieMACLen + cookieAddrLen(c.initFrom.Addr().Unmap()) - 1
	if c.initFrom.IsValid() {
		size += 2
	}
	return size + c.authLen()
}

// cookieAddrLen returns the bytes appendCookieAddr appends for a.
func cookieAddrLen(a netip.Addr) int {
	switch {
	case !a.IsValid():
		return 1
	case a.Is4():
		return 5
	}
	return 17
}

// decode verifies the MAC of the cookie in b with m (nil: afresh) and
// fills c. It does not check the lifetime.
func (c *cookie) decode(b []byte, k *CookieKeys, m *cookieMAC) error {
	if len(b) < cookieFixedLen+cookieMACLen || b[0] != cookieVersion {
		return errCookieFormat
	}
	if err := m.verify(b, k); err != nil {
		return err
	}
	p := b[5 : len(b)-cookieMACLen]
	c.created = timer.Time(binary.BigEndian.Uint64(p))
	c.lifetime = time.Duration(binary.BigEndian.Uint32(p[8:])) * time.Millisecond
	c.localPort = binary.BigEndian.Uint16(p[12:])
	c.peerPort = binary.BigEndian.Uint16(p[14:])
	p = p[16:]
	u32 := func() uint32 { v := binary.BigEndian.Uint32(p); p = p[4:]; return v }
	c.localTag, c.peerTag = chunk.VerificationTag(u32()), chunk.VerificationTag(u32())
	c.localTSN, c.peerTSN = chunk.TSN(u32()), chunk.TSN(u32())
	c.localTieTag, c.peerTieTag = chunk.VerificationTag(u32()), chunk.VerificationTag(u32())
	c.peerRwnd = u32()
	c.outbound = binary.BigEndian.Uint16(p)
	c.inbound = binary.BigEndian.Uint16(p[2:])
	c.peerFeatures = features(p[4])
	c.peerAdaptation = binary.BigEndian.Uint32(p[5:])
	p = p[9:]
	var ok2 bool
	if c.initFrom, p, ok2 = parseCookieAddrPort(p); !ok2 || len(p) < 1 {
		return errCookieFormat
	}
	n := int(p[0])
	p = p[1:]
	c.peerAddrs = c.peerAddrs[:0]
	for i := 0; i < n; i++ {
		var a netip.Addr
		var ok bool
		if a, p, ok = parseCookieAddr(p); !ok || !a.IsValid() {
			return errCookieFormat
		}
		c.peerAddrs = append(c.peerAddrs, a)
	}
	if p, ok2 = c.parseAuth(p); !ok2 || len(p) != 0 {
		return errCookieFormat
	}
	return nil
}

// appendCookieAddr appends a: a family byte (4 or 6, 0 for the zero
// Addr) and the address.
func appendCookieAddr(b []byte, a netip.Addr) []byte {
	switch {
	case !a.IsValid():
		return append(b, 0)
	case a.Is4():
		a4 := a.As4()
		return append(append(b, 4), a4[:]...)
	default:
		a16 := a.As16()
		return append(append(b, 6), a16[:]...)
	}
}

// parseCookieAddr reads what appendCookieAddr wrote at the start of p and
// returns the rest.
func parseCookieAddr(p []byte) (netip.Addr, []byte, bool) {
	switch {
	case len(p) >= 1 && p[0] == 0:
		return netip.Addr{}, p[1:], true
	case len(p) >= 5 && p[0] == 4:
		return netip.AddrFrom4([4]byte(p[1:5])), p[5:], true
	case len(p) >= 17 && p[0] == 6:
		return netip.AddrFrom16([16]byte(p[1:17])), p[17:], true
	}
	return netip.Addr{}, p, false
}

// appendCookieAddrPort appends ap: its address as appendCookieAddr does
// (unmapped) and, for a valid one, the port.
func appendCookieAddrPort(b []byte, ap netip.AddrPort) []byte {
	if !ap.IsValid() {
		return appendCookieAddr(b, netip.Addr{})
	}
	b = appendCookieAddr(b, ap.Addr().Unmap())
	return binary.BigEndian.AppendUint16(b, ap.Port())
}

// parseCookieAddrPort reads what appendCookieAddrPort wrote at the start
// of p and returns the rest.
func parseCookieAddrPort(p []byte) (netip.AddrPort, []byte, bool) {
	a, p, ok := parseCookieAddr(p)
	switch {
	case !ok:
		return netip.AddrPort{}, p, false
	case !a.IsValid():
		return netip.AddrPort{}, p, true
	case len(p) < 2:
		return netip.AddrPort{}, p, false
	}
	return netip.AddrPortFrom(a, binary.BigEndian.Uint16(p)), p[2:], true
}

// staleness returns how long ago the cookie expired, or 0 if it is valid
// at now (RFC 9260 Section 5.1.5 step 4).
func (c *cookie) staleness(now timer.Time) time.Duration {
	if d := now.Sub(c.created.Add(c.lifetime)); d > 0 {
		return d
	}
	return 0
}

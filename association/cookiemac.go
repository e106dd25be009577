package association

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// cookieMAC computes and checks the HMAC-SHA-256 of State Cookies (RFC
// 9260 Section 5.1.3) for an Acceptor, which signs and verifies one
// cookie per association set up. It keys a hash once per secret and
// resets it for each cookie (hmac.New each time costs five allocations
// and two more SHA-256 blocks), and it remembers the cookie it verified
// last: a cookie with the same bytes, checked again while its secret is
// kept, verifies without a second HMAC (the endpoint checks a COOKIE ECHO
// with CheckCookieEcho, then its limits, then hands it to
// HandleCookieEcho). The zero value is ready; a nil *cookieMAC computes
// every HMAC afresh. Not safe for concurrent use.
type cookieMAC struct {
	keys *CookieKeys
	// h[id&1] is keyed with the secret id: the current and the previous
	// secret have consecutive ids.
	h   [2]hash.Hash
	ids [2]uint32
	sum [cookieMACLen]byte
	// last is the cookie verified last, with keys.
	last []byte
}

// hash returns a hash keyed with the secret id of k (key), reset.
func (m *cookieMAC) hash(k *CookieKeys, id uint32, key []byte) hash.Hash {
	if m == nil {
		return hmac.New(sha256.New, key)
	}
	if m.keys != k {
		*m = cookieMAC{keys: k, last: m.last[:0]}
	}
	i := id & 1
	if m.h[i] == nil || m.ids[i] != id {
		m.h[i], m.ids[i] = hmac.New(sha256.New, key), id
	} else {
		m.h[i].Reset()
	}
	return m.h[i]
}

// verify checks the MAC of the cookie b (long enough, see decode) with the
// secret it names.
func (m *cookieMAC) verify(b []byte, k *CookieKeys) error {
	id := binary.BigEndian.Uint32(b[1:])
	key, ok := k.key(id)
	if !ok {
		// RFC 9260 Section 5.1.5 step 1: "If ... the secret key to use is
		// not available anymore, the packet containing the COOKIE ECHO
		// chunk MUST be silently discarded."
		return errCookieMAC
	}
	if m != nil && m.keys == k && bytes.Equal(b, m.last) {
		return nil // the same bytes verified with the same secret
	}
	body, sum := b[:len(b)-cookieMACLen], b[len(b)-cookieMACLen:]
	mac := m.hash(k, id, key)
	mac.Write(body)
	var want []byte
	if m != nil {
		want = mac.Sum(m.sum[:0])
	} else {
		want = mac.Sum(nil)
	}
	if !hmac.Equal(want, sum) {
		return errCookieMAC
	}
	if m != nil {
		m.last = append(m.last[:0], b...)
	}
	return nil
}

// sign appends the MAC of b[start:] with the current secret of k to b.
func (m *cookieMAC) sign(b []byte, start int, k *CookieKeys) []byte {
	key, _ := k.key(k.id)
	mac := m.hash(k, k.id, key)
	mac.Write(b[start:])
	return mac.Sum(b)
}

package association

import (
	"crypto/hmac"
	"crypto/sha256"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// signedCookie returns a cookie signed with the current secret of k.
func signedCookie(k *CookieKeys, m *cookieMAC, tag chunk.VerificationTag) []byte {
	ck := cookie{created: 1, lifetime: time.Minute, localPort: 7, peerPort: 5000, localTag: tag, peerTag: 99}
	return ck.encode(nil, k, m)
}

// A cookieMAC signs and verifies as hmac.New does (cookies signed with one
// verify with the other), with a hash keyed once per secret: after the
// first cookie, signing and verifying allocate nothing. The cookie it
// verified last verifies again without an HMAC, and nothing else does: a
// cookie one bit off fails, as does the same cookie once its secret is
// gone or under other keys.
func TestCookieMAC(t *testing.T) {
	rnd := rand.NewPCG(1, 2)
	k := NewCookieKeys(rnd, time.Second)
	k.Rotate(0)
	var m cookieMAC
	a := signedCookie(k, &m, 1)
	require.Equal(t, signedCookie(k, nil, 1), a, "the same MAC as hmac.New")
	var ck cookie
	require.NoError(t, ck.decode(a, k, nil))
	require.NoError(t, ck.decode(signedCookie(k, nil, 2), k, &m))

	buf := make([]byte, 0, 256)
	b := signedCookie(k, &m, 3)
	allocs := testing.AllocsPerRun(100, func() {
		buf = ck.encode(buf[:0], k, &m)
		if ck.decode(b, k, &m) != nil || ck.decode(a, k, &m) != nil {
			t.Fatal("a valid cookie did not verify")
		}
	})
	require.Zero(t, allocs)

	// No second HMAC for the cookie verified last: with the keyed hashes
	// spoiled, it still verifies, and another does not.
	require.NoError(t, ck.decode(a, k, &m))
	m.h[0], m.h[1] = hmac.New(sha256.New, []byte("x")), hmac.New(sha256.New, []byte("x"))
	require.NoError(t, ck.decode(a, k, &m))
	require.ErrorIs(t, ck.decode(b, k, &m), errCookieMAC)
	m = cookieMAC{}

	require.NoError(t, ck.decode(a, k, &m))
	bad := append([]byte(nil), a...)
	bad[len(bad)-1] ^= 1
	require.ErrorIs(t, ck.decode(bad, k, &m), errCookieMAC, "not the bytes verified last")
	bad = append([]byte(nil), a...)
	bad[10] ^= 1
	require.ErrorIs(t, ck.decode(bad, k, &m), errCookieMAC)

	require.NoError(t, ck.decode(a, k, &m))
	other := NewCookieKeys(rand.NewPCG(3, 4), time.Second)
	require.ErrorIs(t, ck.decode(a, other, &m), errCookieMAC, "other keys")

	require.NoError(t, ck.decode(a, k, &m))
	k.Rotate(timer.Time(time.Second))
	require.NoError(t, ck.decode(a, k, &m), "the previous secret verifies")
	k.Rotate(timer.Time(2 * time.Second))
	require.ErrorIs(t, ck.decode(a, k, &m), errCookieMAC, "its secret is gone")
	c := signedCookie(k, &m, 4)
	require.NoError(t, ck.decode(c, k, nil), "signed with the new secret")
}

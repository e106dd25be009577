package association

import (
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
)

// Test-only access to the State Cookie, for the external tests of
// scenario_gaps_*_test.go.

// CookieInfo is what a test can read of a State Cookie.
type CookieInfo struct {
	Created                 timer.Time
	Lifetime                time.Duration
	LocalTag, PeerTag       chunk.VerificationTag
	LocalTieTag, PeerTieTag chunk.VerificationTag
}

// InspectCookie verifies the State Cookie b with k and returns its
// content.
func InspectCookie(k *CookieKeys, b []byte) (CookieInfo, error) {
	var c cookie
	if err := c.decode(b, k, nil); err != nil {
		return CookieInfo{}, err
	}
	return CookieInfo{Created: c.created, Lifetime: c.lifetime, LocalTag: c.localTag,
		PeerTag: c.peerTag, LocalTieTag: c.localTieTag, PeerTieTag: c.peerTieTag}, nil
}

// CookieKeysOf returns the keys that sign the cookies of a.
func CookieKeysOf(a *Association) *CookieKeys { return a.keys }

// TieTagsOf returns the tie-tags held in the TCB of a.
func TieTagsOf(a *Association) (local, peer chunk.VerificationTag) {
	return a.localTieTag, a.peerTieTag
}

package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// holdFirstInitOfZ delays Z's first INIT on p's link by d (nothing for
// d = 0).
func holdFirstInitOfZ(p *associationtest.Pair, d time.Duration) {
	if d == 0 {
		return
	}
	held := false
	p.Net.AddFilter(func(dg *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(dg.Data); ct == chunk.TypeInit && dg.From == p.AddrZ && !held {
			held = true
			return sim.Delay(d)
		}
		return sim.Pass
	})
}

// TestAuthInitCollision: both ends ask for COOKIE ECHO and DATA to be
// authenticated and their INITs collide (RFC 9260 Section 5.2.1). RFC
// 4895 Section 6.1: "In case of INIT collision, the rules governing the
// handling of this Random Number follow the same pattern as those for the
// Verification Tag"; Section 6.3: an AUTH chunk before the COOKIE ECHO is
// verified with the association's state, or, in COOKIE-WAIT, where the
// peer's key vector is not known yet, from the cookie. Both ends come up,
// with the same association shared key: data flows both ways.
func TestAuthInitCollision(t *testing.T) {
	for i, tc := range []struct {
		name              string
		zAfter, initDelay time.Duration
	}{
		{"simultaneous", 0, 0},
		{"z-init-late", 0, 15 * time.Millisecond},
		{"a-init-unanswered", 15 * time.Millisecond, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(70 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.Auth.Chunks = []chunk.Type{chunk.TypeCookieEcho, chunk.TypeData}
			cfgZ.Auth.Chunks = cfgA.Auth.Chunks
			p, c := newSymmetricScenarioPair(t, seed, cfgA, cfgZ)
			holdFirstInitOfZ(p, tc.initDelay)
			start := p.Now
			require.NoError(t, p.A.Connect(p.Now))
			p.Run(tc.zAfter)
			require.NoError(t, p.Z.Connect(p.Now))
			require.True(t, p.RunUntil(time.Minute, p.Established), "A %v Z %v; discards %v", p.A.State(), p.Z.State(), p.Discards)
			require.True(t, p.A.AuthActive() && p.Z.AuthActive())
			// Up without a retransmission (T1-cookie, 1 s): no AUTH chunk
			// before a COOKIE ECHO was discarded.
			require.Less(t, p.Now.Sub(start), 500*time.Millisecond, "discards %v", p.Discards)
			for _, from := range []sentAddr{p.AddrA, p.AddrZ} {
				for _, sp := range c.with(from, chunk.TypeCookieEcho) {
					require.Equal(t, chunk.TypeAuth, sp.types()[0])
				}
			}
			require.Equal(t, []byte("from A"), sendAndDeliver(t, p, []byte("from A")).Data)
			require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("from Z")))
			require.True(t, p.RunUntil(5*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }),
				"discards %v", p.Discards)
			require.Zero(t, p.A.Stats().Auth)
			require.Zero(t, p.Z.Stats().Auth)
		})
	}
}

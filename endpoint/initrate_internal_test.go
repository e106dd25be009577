package endpoint

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// A flood of INITs from random forged sources fills the limiter's fixed
// tables: fresh sources keep getting in while the flood is spread thin
// over the slots (100,000 INITs per second at the default rate), and are
// slowed, never locked out, when it is not (300,000 and a million per
// second). The figures are those of the initLimiter documentation.
func TestInitLimiterSpoofedFlood(t *testing.T) {
	for _, tc := range []struct {
		rate    int     // flood INITs per second
		atLeast float64 // share of fresh sources let in
	}{
		{100_000, 1},
		{300_000, 0.2},
		{1_000_000, 0.02},
	} {
		var l initLimiter
		l.set(DefaultInitRate, DefaultInitBurst)
		rnd := rand.New(rand.NewPCG(1, 2))
		step := time.Second / time.Duration(tc.rate)
		now := timer.Time(0)
		ok, tries := 0, 0
		for i := 0; i < tc.rate*4; i++ {
			a := netip.AddrFrom4([4]byte{byte(rnd.Uint32()), byte(rnd.Uint32()), byte(rnd.Uint32()), byte(rnd.Uint32())})
			l.allow(now, a, rnd)
			now = now.Add(step)
			// After 2 s of flood, a fresh client every 10 ms.
			if now >= timer.Time(2*time.Second) && i%(tc.rate/100) == 0 {
				tries++
				if l.allow(now, netip.AddrFrom4([4]byte{10, 0, byte(tries >> 8), byte(tries)}), rnd) {
					ok++
				}
			}
		}
		t.Logf("flood of %d INITs/s from random sources: %d of %d fresh sources let in", tc.rate, ok, tries)
		require.GreaterOrEqual(t, float64(ok), tc.atLeast*float64(tries), "flood of %d/s", tc.rate)
	}
}

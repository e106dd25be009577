package association_test

import (
	"math"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// The State Cookie records its life span as a 32-bit count of
// milliseconds, and RFC 9260 Section 3.3.2.1.3 lets a Cookie Preservative
// ask for "how much increment in milliseconds the sender wishes the
// receiver to add to its default cookie life span" (gensctp grants at
// most one more Valid.Cookie.Life). A Valid.Cookie.Life above
// MaxCookieLife (half the 32-bit range) could wrap: 3,000,000,000 ms, which
// sctp_associnfo's 32-bit cookie_life accepts, plus a preservative made a
// cookie that expired after 1,705,032,704 ms instead of 6,000,000,000.
// Validate refuses it; at MaxCookieLife the longest cookie is exact.
func TestConfigCookieLifeBounded(t *testing.T) {
	for _, life := range []time.Duration{association.MaxCookieLife + time.Millisecond,
		3_000_000_000 * time.Millisecond, math.MaxUint32 * time.Millisecond, math.MaxInt64, -time.Second} {
		cfg := associationtest.Config(1, 7, 5000)
		cfg.CookieLife = life
		cfg = cfg.WithDefaults()
		require.ErrorIs(t, cfg.Validate(), association.ErrInvalidConfig, "%v", life)
		_, err := association.NewAcceptor(cfg)
		require.ErrorIs(t, err, association.ErrInvalidConfig, "%v", life)
	}

	cfg := associationtest.Config(1, 7, 5000)
	cfg.CookieLife = association.MaxCookieLife
	acc, err := association.NewAcceptor(cfg)
	require.NoError(t, err)
	init := &chunk.Init{InitiateTag: 0x1234, ARwnd: 65536, OutboundStreams: 10, InboundStreams: 10,
		InitialTSN: 1, Params: []chunk.Param{&chunk.CookiePreservative{SuggestedLifespanIncrement: math.MaxUint32}}}
	out := acc.HandleInit(0, packet.Header{SrcPort: 5000, DstPort: 7}, init, nil)
	p, err := packet.Parse(out, packet.Options{})
	require.NoError(t, err)
	it := p.Chunks()
	first, _ := it.Next()
	require.Equal(t, chunk.TypeInitAck, first.Type)
	var ack chunk.InitAck
	_, err = ack.Parse(first.Bytes)
	require.NoError(t, err)
	ci, err := association.InspectCookie(acc.Cookies(), ack.StateCookie().Cookie)
	require.NoError(t, err)
	require.Equal(t, 2*association.MaxCookieLife, ci.Lifetime, "no wrap")
}

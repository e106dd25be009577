package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// RFC 9260 Section 8.3: "The sender SHOULD ... send a HEARTBEAT chunk to
// an idle destination transport address ... every RTO + HB.interval, with
// jittering of +/- 50% of the RTO value". HB.interval is a per-path
// parameter (sctp_paddrparams spp_hbinterval): a path set to 5 s sends its
// heartbeats 5 s plus the jittered RTO apart, while the other keeps the
// association's 1 s.
func TestPathHeartbeatInterval(t *testing.T) {
	m := newMHPair(t, 72)
	require.NoError(t, m.A.SetPathParams(m.Now, z2.Addr(), association.PathParams{HeartbeatInterval: 5 * time.Second}))
	sent := map[sentAddr][]timer.Time{}
	m.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, ok := sim.FirstChunkType(d.Data); ok && ct == chunk.TypeHeartbeat && (d.From == a1 || d.From == a2) {
			sent[d.To] = append(sent[d.To], m.Now)
		}
		return sim.Pass
	})
	m.Run(60 * time.Second)
	for _, tc := range []struct {
		to       sentAddr
		interval time.Duration
	}{{z1, time.Second}, {z2, 5 * time.Second}} {
		times := sent[tc.to]
		require.Greater(t, len(times), 3, "%v", tc.to)
		rtoMax := m.A.Config().RTO.Max
		for i := 1; i < len(times); i++ {
			gap := times[i].Sub(times[i-1])
			// RTO at least RTO.Min, jittered by half of it; at most RTO.Max.
			lo := tc.interval + m.A.Config().RTO.Min/2
			hi := tc.interval + rtoMax + rtoMax/2
			require.GreaterOrEqual(t, gap, lo, "%v heartbeat %d", tc.to, i)
			require.LessOrEqual(t, gap, hi, "%v heartbeat %d", tc.to, i)
		}
	}
	require.Less(t, len(sent[z2])*3, len(sent[z1]), "the 5 s path sends far fewer")
}

// sctp_paddrparams SPP_SACKDELAY_DISABLE turns delayed SACKs off (RFC
// 6458 Section 8.1.12): a lone DATA packet, which RFC 9260 Section 6.2
// lets the receiver acknowledge up to SACK.Delay later, is acknowledged at
// once; SPP_SACKDELAY_ENABLE brings the delay back. (LoneSACKDelay is
// off here, so that the whole delay shows.)
func TestSACKDelayDisable(t *testing.T) {
	const seed = 73
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.LoneSACKDelay = association.DefaultSACKDelay
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	lone := func() time.Duration {
		start := p.Now
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("lone")))
		p.Run(time.Second)
		sacks := c.since(start).with(p.AddrZ, chunk.TypeSACK)
		require.NotEmpty(t, sacks)
		data := c.since(start).with(p.AddrA, chunk.TypeData)
		require.Len(t, data, 1)
		return sacks[0].at.Sub(data[0].at)
	}
	_ = lone() // the first DATA of the association is SACKed at once anyway
	delay := p.Z.Config().SACKDelay
	require.Equal(t, scenarioLink.Delay+delay, lone(), "delayed by default")
	require.NoError(t, p.Z.SetPathParams(p.Now, p.AddrA.Addr(), association.PathParams{Flags: association.SACKDelayDisable}))
	require.Equal(t, scenarioLink.Delay, lone(), "at once with sackdelay_disable")
	require.NoError(t, p.Z.SetPathParams(p.Now, p.AddrA.Addr(), association.PathParams{Flags: association.SACKDelayEnable}))
	require.Equal(t, scenarioLink.Delay+delay, lone(), "delayed again with sackdelay_enable")
}

package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// RFC 9260 Section 8.3: "On an idle destination address that is allowed to
// heartbeat, it is RECOMMENDED that a HEARTBEAT chunk is sent once per RTO
// of that destination address plus the protocol parameter 'HB.interval',
// with jittering of +/- 50% of the RTO value" and "The receiver of the
// HEARTBEAT ACK chunk SHOULD also perform an RTT measurement for that
// destination transport address using the time value carried in the
// HEARTBEAT ACK chunk."
// https://www.rfc-editor.org/rfc/rfc9260#section-8.3
func TestScenarioHeartbeatIdle(t *testing.T) {
	const seed = 90
	const hb = 5 * time.Second
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.HeartbeatInterval, cfgZ.HeartbeatInterval = hb, hb
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	// Z came up from a cookie: it has no RTT measurement yet.
	require.Zero(t, p.Z.Paths()[0].SRTT)
	start := p.Now
	p.Run(time.Minute)

	for _, side := range []struct {
		name string
		a    *association.Association
		addr sentAddr
	}{{"A", p.A, p.AddrA}, {"Z", p.Z, p.AddrZ}} {
		gaps := intervals(c.times(side.addr, chunk.TypeHeartbeat))
		// A minute at HB.interval + [0.5, 1.5) RTO: about 10 heartbeats.
		require.GreaterOrEqual(t, len(gaps), 8, "%s: seed %d", side.name, seed)
		distinct := map[time.Duration]bool{}
		rto := side.a.Paths()[0].RTO
		require.Equal(t, time.Second, rto, "RTO.Min after short RTT samples")
		for i, g := range gaps {
			require.GreaterOrEqual(t, g, hb+rto/2, "%s: seed %d: gap %d", side.name, seed, i)
			require.Less(t, g, hb+3*rto/2, "%s: seed %d: gap %d", side.name, seed, i)
			distinct[g] = true
		}
		require.Greater(t, len(distinct), len(gaps)/2, "%s: the intervals are jittered", side.name)
		require.Zero(t, side.a.Paths()[0].ErrorCount)
	}
	// Every HEARTBEAT was answered, with the information copied unchanged.
	hbs := c.with(p.AddrA, chunk.TypeHeartbeat)
	acks := c.with(p.AddrZ, chunk.TypeHeartbeatAck)
	require.Len(t, acks, len(hbs))
	for i := range hbs {
		var h chunk.Heartbeat
		var ha chunk.HeartbeatAck
		r, _ := hbs[i].chunk(chunk.TypeHeartbeat)
		parseChunk(t, r, &h)
		r, _ = acks[i].chunk(chunk.TypeHeartbeatAck)
		parseChunk(t, r, &ha)
		require.Equal(t, h.Info, ha.Info)
	}
	// HEARTBEAT ACKs gave Z its RTT: 20 ms on this link.
	require.Equal(t, 2*scenarioLink.Delay, p.Z.Paths()[0].SRTT)
	require.Empty(t, c.since(start).with(p.AddrA, chunk.TypeData), "idle: no DATA")
	require.Equal(t, association.StateEstablished, p.A.State())
}

// RFC 9260 Section 8.3: "The endpoint SHOULD increment the respective
// error counter of the destination transport address each time a
// HEARTBEAT chunk is sent to that address and not acknowledged within one
// RTO. When the value of this counter exceeds the protocol parameter
// 'Path.Max.Retrans', the endpoint SHOULD mark the corresponding
// destination address as inactive if it is not so marked and SHOULD also
// report to the upper layer the change in reachability of this destination
// address. After this, the endpoint SHOULD continue sending HEARTBEAT
// chunks on this destination address but SHOULD stop increasing the
// counter." and "Upon the receipt of the HEARTBEAT ACK chunk, the sender
// of the HEARTBEAT chunk SHOULD clear the error counter ... and mark the
// destination transport address as active if it is not so marked. The
// endpoint SHOULD report to the upper layer when an inactive destination
// address is marked as active".
// https://www.rfc-editor.org/rfc/rfc9260#section-8.3
func TestScenarioHeartbeatPathDownAndUp(t *testing.T) {
	const seed = 91
	cfgA, cfgZ := scenarioConfigs(seed)
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.HeartbeatInterval, c.PathMaxRetrans, c.MaxRetrans = time.Second, 2, 20
	}
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	cutLink(p, true)
	var counts []int // the distinct error counts of A's path, in order
	sample := func() {
		if n := p.A.Paths()[0].ErrorCount; len(counts) == 0 || counts[len(counts)-1] != n {
			counts = append(counts, n)
		}
	}
	require.True(t, p.RunUntil(5*time.Minute, func() bool {
		sample()
		return p.A.Paths()[0].State == association.PathInactive
	}), "seed %d", seed)
	require.Equal(t, []int{0, 1, 2, 3}, counts, "one error per unanswered HEARTBEAT")
	// Inactive: heartbeats continue, the path counter stays put.
	sent := c.count(p.AddrA, chunk.TypeHeartbeat)
	p.Run(40 * time.Second)
	require.Greater(t, c.count(p.AddrA, chunk.TypeHeartbeat), sent, "heartbeats go on while inactive")
	require.Equal(t, 3, p.A.Paths()[0].ErrorCount, "seed %d", seed)
	require.Equal(t, association.StateEstablished, p.A.State())

	cutLink(p, false)
	require.True(t, p.RunUntil(5*time.Minute, func() bool {
		return p.A.Paths()[0].State == association.PathActive
	}), "seed %d", seed)
	require.Zero(t, p.A.Paths()[0].ErrorCount)
	var states []association.PaddrState
	for _, e := range eventsOf[*association.PaddrChange](p.DeliveredA) {
		require.Equal(t, p.AddrZ, e.Addr)
		states = append(states, e.State)
	}
	require.Equal(t, []association.PaddrState{association.AddrUnreachable, association.AddrAvailable}, states)
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA))
	m := sendAndDeliver(t, p, []byte("back"))
	require.Equal(t, []byte("back"), m.Data)
}

package association_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
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

// RFC 9260 Section 5.4: "In each RTO, a probe MAY be sent on an active
// UNCONFIRMED path" and "The number of packets containing HEARTBEAT chunks
// sent at each RTO SHOULD be limited by the 'HB.Max.Burst' parameter. It
// is an implementation decision as to how to distribute packets containing
// HEARTBEAT chunks to the peer's addresses for path verification." A peer
// with four addresses more than the one connected to: A probes them
// HB.Max.Burst at a time, one RTO apart, every one before any is probed
// again, and confirms all four within ceil(4 / HB.Max.Burst) RTOs.
// (The attack this limits: TestHostileHandshakeListedAddresses.)
// https://www.rfc-editor.org/rfc/rfc9260#section-5.4
func TestScenarioHeartbeatPathVerificationBurst(t *testing.T) {
	// RFC 9260 Section 16: "HB.Max.Burst: 1", the default; it must be
	// positive.
	require.Equal(t, 1, association.Config{}.WithDefaults().HBMaxBurst)
	bad := associationtest.Config(1, 5000, 5001)
	bad.HBMaxBurst = -1
	_, err := association.NewAcceptor(bad)
	require.ErrorIs(t, err, association.ErrInvalidConfig)

	zs := []netip.AddrPort{associationtest.AddrZ}
	for i := range 4 {
		zs = append(zs, netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(2 + i), 2}), associationtest.AddrZ.Port()))
	}
	for _, burst := range []int{1, 2, 4} {
		t.Run(fmt.Sprint("HB.Max.Burst=", burst), func(t *testing.T) {
			const seed = 95
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.HBMaxBurst = burst
			logSeedOnFailure(t, seed)
			p, err := associationtest.NewMultihomedPair(seed, cfgA, cfgZ, scenarioLink,
				[]netip.AddrPort{associationtest.AddrA}, zs)
			require.NoError(t, err)
			c := capturePackets(p)
			require.NoError(t, p.Handshake())
			allActive := func() bool {
				for _, pi := range p.A.Paths() {
					if pi.State != association.PathActive {
						return false
					}
				}
				return true
			}
			require.True(t, p.RunUntil(time.Minute, allActive))
			var probes []*sentPacket
			for i := range c.pkts {
				if s := &c.pkts[i]; s.from == p.AddrA && s.to != p.AddrZ && s.has(chunk.TypeHeartbeat) {
					probes = append(probes, s)
				}
			}
			require.Len(t, probes, 4, "one probe per address: each is answered")
			rto := cfgA.RTO.Initial
			for i, s := range probes {
				window := i / burst
				require.Equal(t, probes[0].at.Add(time.Duration(window)*rto), s.at,
					"probe %d to %v: HB.Max.Burst %d per RTO", i, s.to, burst)
			}
			last := (len(probes) - 1) / burst
			require.LessOrEqual(t, p.Now.Sub(probes[0].at), time.Duration(last)*rto+2*scenarioLink.Delay)
		})
	}
}

// RFC 9260 Section 6.10: "An endpoint MUST process received chunks in
// their order in the packet. ... If the receiver detects a partial chunk,
// it MUST drop the chunk." A HEARTBEAT followed in its packet by a chunk
// whose Chunk Length is 0 is answered; the malformed chunk is dropped.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.10
func TestScenarioHeartbeatBeforeMalformedChunk(t *testing.T) {
	p, c := establishedPair(t, 315)
	zTag, _ := p.Z.Tags()
	pkt := append(packetOf(headerAZ(zTag), heartbeatOf(16)), byte(chunk.TypeHeartbeat), 0, 0, 0)
	packet.SetChecksum(pkt)
	start := p.Now
	p.Net.Send(p.Now, p.AddrA, p.AddrZ, pkt)
	p.Run(time.Second)
	acks := c.since(start).with(p.AddrZ, chunk.TypeHeartbeatAck)
	require.Len(t, acks, 1)
	r, _ := acks[0].chunk(chunk.TypeHeartbeatAck)
	var ack chunk.HeartbeatAck
	parseChunk(t, r, &ack)
	require.Equal(t, heartbeatOf(16).Info, ack.Info)
	require.Equal(t, association.StateEstablished, p.Z.State())
}

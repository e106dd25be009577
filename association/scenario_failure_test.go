package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// cutLink takes both directions of the pair's link down (or up).
func cutLink(p *associationtest.Pair, down bool) {
	p.Net.SetDown(p.AddrA, p.AddrZ, down)
	p.Net.SetDown(p.AddrZ, p.AddrA, down)
}

// closedAt runs p until A is closed and returns the time it closed.
func runUntilAClosed(t *testing.T, p *associationtest.Pair, seed uint64, limit time.Duration) timer.Time {
	t.Helper()
	var at timer.Time
	require.True(t, p.RunUntil(limit, func() bool {
		at = p.Now
		return p.A.State() == association.StateClosed
	}), "seed %d: A still %v", seed, p.A.State())
	return at
}

// RFC 9260 Section 8.1: "If the value of this counter exceeds the limit
// indicated in the protocol parameter 'Association.Max.Retrans', the
// endpoint SHOULD consider the peer endpoint unreachable and SHALL stop
// transmitting any more data to it (and thus the association enters the
// CLOSED state)." Section 6.3.3 E2: "set RTO = RTO * 2 ("back off the
// timer"). The maximum value discussed in rule C7 above ('RTO.Max') MAY be
// used to provide an upper bound to this doubling operation."
// https://www.rfc-editor.org/rfc/rfc9260#section-8.1
func TestScenarioT3ExhaustsAssociation(t *testing.T) {
	const seed = 80
	cfgA, cfgZ := scenarioConfigs(seed) // RTO 1 s .. 8 s
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.MaxRetrans, c.PathMaxRetrans, c.HeartbeatDisabled = 5, 2, true
	}
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	require.Equal(t, time.Second, p.A.Paths()[0].RTO)
	cutLink(p, true)
	msg := []byte("into the void")
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
	closed := runUntilAClosed(t, p, seed, 10*time.Minute)

	sends := c.times(p.AddrA, chunk.TypeData)
	require.Len(t, sends, 1+cfgA.MaxRetrans, "seed %d: the DATA and Association.Max.Retrans retransmissions", seed)
	want := []time.Duration{1, 2, 4, 8, 8, 8} // seconds: doubling capped at RTO.Max
	got := append(intervals(sends), closed.Sub(sends[len(sends)-1]))
	for i := range want {
		want[i] *= time.Second
	}
	require.Equal(t, want, got, "seed %d", seed)
	require.Equal(t, uint64(len(want)), p.A.Stats().T3Expirations)

	// The path went inactive after Path.Max.Retrans, then the
	// association failed with the message handed back.
	var kinds []string
	for _, d := range p.DeliveredA {
		switch e := d.Event.(type) {
		case *association.PaddrChange:
			kinds = append(kinds, e.State.String())
		case *association.SendFailed:
			require.True(t, e.Sent)
			require.Equal(t, msg, e.Data)
			kinds = append(kinds, "send_failed")
		case *association.AssocChange:
			kinds = append(kinds, e.State.String())
		}
	}
	require.Equal(t, []string{"comm_up", "addr_unreachable", "send_failed", "comm_lost"}, kinds, "seed %d", seed)
}

// RFC 9260 Section 8.3: "When the value of this counter exceeds the
// protocol parameter 'Path.Max.Retrans', the endpoint SHOULD mark the
// destination transport address as inactive" and an unanswered HEARTBEAT
// counts toward the association's error counter of Section 8.1 too, so an
// idle association whose peer vanished fails after
// 'Association.Max.Retrans' + 1 unanswered heartbeats.
// https://www.rfc-editor.org/rfc/rfc9260#section-8.3
func TestScenarioHeartbeatsExhaustAssociation(t *testing.T) {
	const seed = 81
	const hb = 2 * time.Second
	cfgA, cfgZ := scenarioConfigs(seed)
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.MaxRetrans, c.PathMaxRetrans, c.HeartbeatInterval = 3, 2, hb
	}
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	cutLink(p, true)
	closed := runUntilAClosed(t, p, seed, 10*time.Minute)

	sends := c.times(p.AddrA, chunk.TypeHeartbeat)
	require.Len(t, sends, 1+cfgA.MaxRetrans, "seed %d", seed)
	// Each interval is HB.interval plus the RTO jittered by +/- 50 %, the
	// RTO doubling after each unanswered heartbeat.
	got := append(intervals(sends), closed.Sub(sends[len(sends)-1]))
	rto := time.Second
	for i, d := range got {
		require.GreaterOrEqual(t, d, hb+rto/2, "seed %d: interval %d", seed, i)
		require.Less(t, d, hb+3*rto/2, "seed %d: interval %d", seed, i)
		rto = min(2*rto, cfgA.RTO.Max)
	}
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.CommLost}, assocStates(p.DeliveredA))
	unreachable := eventsOf[*association.PaddrChange](p.DeliveredA)
	require.Len(t, unreachable, 1)
	require.Equal(t, association.AddrUnreachable, unreachable[0].State)
	require.Equal(t, p.AddrZ, unreachable[0].Addr)
}

// RFC 9260 Section 8.1: "The receiver of the HEARTBEAT ACK chunk MAY choose
// not to clear the counter if there is outstanding data on the
// association. This allows for handling the possible difference in
// reachability based on DATA chunks and HEARTBEAT chunks." A path that
// loses every DATA chunk and carries HEARTBEATs and their ACKs (a black
// hole for large packets; a peer whose TSNs no longer match ours, as
// after a forged SSN/TSN Reset Request, found by FuzzInjectChunks input
// cb0f6fa01176af2f): the answered heartbeats keep the path's counter
// down and not the association's, which fails after
// Association.Max.Retrans timeouts instead of retransmitting for ever.
// The test next to it keeps a closed window open far longer: window
// probes answered by SACKs are not errors (Section 6.1 rule A).
// https://www.rfc-editor.org/rfc/rfc9260#section-8.1
func TestScenarioDataBlackHoleFailsAssociation(t *testing.T) {
	const seed = 82
	cfgA, cfgZ := scenarioConfigs(seed) // RTO 1 s .. 8 s
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.MaxRetrans, c.PathMaxRetrans, c.HeartbeatInterval = 5, 5, time.Second
	}
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(d.Data); d.From == p.AddrA && ct == chunk.TypeData {
			return sim.Drop
		}
		return sim.Pass
	})
	msg := []byte("never acknowledged")
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
	closed := runUntilAClosed(t, p, seed, 10*time.Minute)

	acks := c.with(p.AddrZ, chunk.TypeHeartbeatAck)
	require.NotEmpty(t, acks, "seed %d: Z answered heartbeats while A's data was outstanding", seed)
	require.Less(t, acks[0].at, closed)
	require.Equal(t, uint64(cfgA.MaxRetrans+1), p.A.Stats().T3Expirations, "seed %d", seed)
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.CommLost}, assocStates(p.DeliveredA))
	failed := eventsOf[*association.SendFailed](p.DeliveredA)
	require.Len(t, failed, 1)
	require.Equal(t, msg, failed[0].Data)
}

// A receiver that stops reading for ten minutes, with heartbeats on: the
// sender probes the closed window, its probes answered by SACKs, for
// longer than Association.Max.Retrans timeouts take, and the association
// stays up (RFC 9260 Section 6.1 rule A; the heartbeats' ACKs clear
// nothing while the probe is outstanding, see
// TestScenarioDataBlackHoleFailsAssociation).
func TestScenarioZeroWindowOutlivesMaxRetrans(t *testing.T) {
	const seed, n, size, rbuf = 83, 30, 1000, 8000
	cfgA, cfgZ := scenarioConfigs(seed)
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.MaxRetrans, c.PathMaxRetrans, c.HeartbeatInterval = 3, 3, time.Second
	}
	cfgZ.ReceiveBuffer = rbuf
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	p.HoldZ = true
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, size)))
	}
	p.Run(10 * time.Minute)
	require.Equal(t, association.StateEstablished, p.A.State(), "seed %d", seed)
	require.Positive(t, p.A.Buffered(), "seed %d: A is stalled with data queued", seed)
	p.ReleaseZ()
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == n }),
		"seed %d: %d/%d delivered", seed, len(messagesOf(p.DeliveredZ)), n)
	for i, m := range messagesOf(p.DeliveredZ) {
		require.Equal(t, numbered(i, size), m.Data, "seed %d: message %d", seed, i)
	}
}

package association_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// numbered returns message i of a test run: size bytes that encode i.
func numbered(i, size int) []byte {
	b := bytes.Repeat([]byte{byte(i), byte(i >> 8)}, size/2+1)
	return b[:size]
}

// bothClosed reports whether both ends of p are closed.
func bothClosed(p *associationtest.Pair) func() bool {
	return func() bool {
		return p.A.State() == association.StateClosed && p.Z != nil && p.Z.State() == association.StateClosed
	}
}

// RFC 9260 Section 9.2: "Upon receipt of the SHUTDOWN primitive from its
// upper layer, the endpoint enters the SHUTDOWN-PENDING state and remains
// there until all outstanding data has been acknowledged by its peer. The
// endpoint accepts no new data from its upper layer" ... "Once all its
// outstanding data has been acknowledged, the endpoint sends a SHUTDOWN
// chunk to its peer". Section 9: "A shutdown of an association is
// considered a graceful close where all data in queue by either endpoint
// is delivered to the respective peers."
// https://www.rfc-editor.org/rfc/rfc9260#section-9.2
func TestScenarioShutdownWithQueuedData(t *testing.T) {
	const seed, n, size = 60, 200, 1000
	p, c := establishedPair(t, seed)
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, size)))
	}
	require.NoError(t, p.A.Shutdown(p.Now))
	require.Equal(t, association.StateShutdownPending, p.A.State())
	require.ErrorIs(t, p.A.Send(p.Now, association.SendInfo{}, []byte("late")), association.ErrClosed)
	statesA := []association.State{p.A.State()}
	statesZ := []association.State{p.Z.State()}
	require.True(t, p.RunUntil(time.Minute, func() bool {
		if s := p.A.State(); s != statesA[len(statesA)-1] {
			statesA = append(statesA, s)
		}
		if s := p.Z.State(); s != statesZ[len(statesZ)-1] {
			statesZ = append(statesZ, s)
		}
		return bothClosed(p)()
	}), "seed %d: A %v Z %v", seed, p.A.State(), p.Z.State())
	require.Equal(t, []association.State{association.StateShutdownPending, association.StateShutdownSent,
		association.StateClosed}, statesA)
	require.Equal(t, []association.State{association.StateEstablished, association.StateShutdownAckSent,
		association.StateClosed}, statesZ)

	// Z: every message, in order, then SHUTDOWN, then SHUTDOWN COMPLETE.
	var got int
	var tail []string
	for _, d := range p.DeliveredZ {
		switch e := d.Event.(type) {
		case nil:
			require.Empty(t, tail, "message after %v", tail)
			require.Equal(t, numbered(got, size), d.Message.Data, "message %d", got)
			got++
		case *association.ShutdownEvent:
			tail = append(tail, "shutdown")
		case *association.AssocChange:
			if e.State != association.CommUp {
				tail = append(tail, e.State.String())
			}
		}
	}
	require.Equal(t, n, got)
	require.Equal(t, []string{"shutdown", "shutdown_comp"}, tail)
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp}, assocStates(p.DeliveredA))
	require.Empty(t, eventsOf[*association.SendFailed](p.DeliveredA))

	// On the wire: the SHUTDOWN follows the last DATA and carries none.
	data := c.times(p.AddrA, chunk.TypeData)
	shut := c.with(p.AddrA, chunk.TypeShutdown)
	require.Len(t, shut, 1)
	require.False(t, shut[0].has(chunk.TypeData))
	require.GreaterOrEqual(t, shut[0].at, data[len(data)-1])
	require.ErrorIs(t, p.A.Shutdown(p.Now), association.ErrClosed)
}

// RFC 9260 Section 9.2: "If there are still outstanding DATA chunks left,
// the SHUTDOWN chunk receiver MUST continue to follow normal data
// transmission procedures defined in Section 6, until all outstanding DATA
// chunks are acknowledged; however, the SHUTDOWN chunk receiver MUST NOT
// accept new data from its SCTP user." and "While in the SHUTDOWN-SENT
// state, the SHUTDOWN chunk sender MUST immediately respond to each
// received packet containing one or more DATA chunks with a SHUTDOWN chunk
// and restart the T2-shutdown timer."
// https://www.rfc-editor.org/rfc/rfc9260#section-9.2
func TestScenarioShutdownByReceiverWhilePeerSends(t *testing.T) {
	const seed, n, size = 61, 100, 1000
	p, c := establishedPair(t, seed)
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, size)))
	}
	p.Exchange() // A's first burst is on the wire
	start := p.Now
	require.NoError(t, p.Z.Shutdown(p.Now))
	require.Equal(t, association.StateShutdownSent, p.Z.State(), "Z has nothing outstanding")
	require.ErrorIs(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("late")), association.ErrClosed)
	require.True(t, p.RunUntil(time.Minute, func() bool {
		return p.A.State() != association.StateEstablished
	}))
	require.Equal(t, association.StateShutdownReceived, p.A.State(), "A still has data to send")
	require.ErrorIs(t, p.A.Send(p.Now, association.SendInfo{}, []byte("late")), association.ErrClosed)
	require.True(t, p.RunUntil(time.Minute, bothClosed(p)), "seed %d: A %v Z %v", seed, p.A.State(), p.Z.State())

	msgs := messagesOf(p.DeliveredZ)
	require.Len(t, msgs, n, "everything A had queued is delivered")
	for i, m := range msgs {
		require.Equal(t, numbered(i, size), m.Data, "message %d", i)
	}
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp}, assocStates(p.DeliveredA))
	require.Len(t, eventsOf[*association.ShutdownEvent](p.DeliveredA), 1)
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp}, assocStates(p.DeliveredZ))
	require.Empty(t, eventsOf[*association.ShutdownEvent](p.DeliveredZ))

	// Each DATA packet reaching Z in SHUTDOWN-SENT got a SHUTDOWN at once.
	shutAt := map[int64]bool{}
	for _, ts := range c.times(p.AddrZ, chunk.TypeShutdown) {
		shutAt[int64(ts)] = true
	}
	checked := 0
	for _, ts := range c.since(start).times(p.AddrA, chunk.TypeData) {
		arrival := ts.Add(scenarioLink.Delay)
		require.True(t, shutAt[int64(arrival)], "no SHUTDOWN answered the DATA arriving at %v", arrival)
		checked++
	}
	require.Greater(t, checked, 10)
}

// RFC 9260 Section 9.2: "If the timer expires, the endpoint MUST resend
// the SHUTDOWN chunk with the updated last sequential TSN received from its
// peer." ... "If the timer expires, the endpoint MUST resend the SHUTDOWN
// ACK chunk." A lost SHUTDOWN COMPLETE is recovered by the SHUTDOWN ACK
// retransmission, which the closed peer answers as out of the blue
// (Section 8.4 rule 5) with a SHUTDOWN COMPLETE carrying the T bit.
// https://www.rfc-editor.org/rfc/rfc9260#section-9.2
func TestScenarioShutdownChunkLost(t *testing.T) {
	cases := []struct {
		lost chunk.Type
		// retransmitted is the chunk type that is sent again, by whom.
		retransmitted chunk.Type
		by            func(p *associationtest.Pair) sim.Addr
	}{
		{chunk.TypeShutdown, chunk.TypeShutdown, addrA},
		{chunk.TypeShutdownAck, chunk.TypeShutdownAck, addrZ},
		{chunk.TypeShutdownComplete, chunk.TypeShutdownAck, addrZ},
	}
	for i, tc := range cases {
		t.Run(tc.lost.String(), func(t *testing.T) {
			seed := uint64(62 + i)
			p, c := establishedPair(t, seed)
			sendAndDeliver(t, p, []byte("some data first"))
			p.Run(time.Second)
			p.Net.AddFilter(sim.DropFirstChunk(tc.lost, 1))
			start := p.Now
			require.NoError(t, p.A.Shutdown(p.Now))
			require.True(t, p.RunUntil(time.Minute, bothClosed(p)), "seed %d: A %v Z %v", seed, p.A.State(), p.Z.State())
			require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp}, assocStates(p.DeliveredA))
			require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp}, assocStates(p.DeliveredZ))
			ts := c.since(start).times(tc.by(p), tc.retransmitted)
			require.Len(t, ts, 2, "seed %d: %v sent once more", seed, tc.retransmitted)
			// T2-shutdown runs on the RTO: RTO.Min (1 s) after the
			// handshake's RTT measurement on A; Z has RTO.Initial (1 s).
			require.Equal(t, time.Second, ts[1].Sub(ts[0]), "seed %d", seed)
			if tc.lost == chunk.TypeShutdownComplete {
				sc := c.since(start).with(p.AddrA, chunk.TypeShutdownComplete)
				require.Len(t, sc, 2)
				r, _ := sc[1].chunk(chunk.TypeShutdownComplete)
				require.True(t, chunk.TFlags(r.Flags).Reflected(), "out of the blue answer has the T bit")
				_, peer := p.Z.Tags()
				require.Equal(t, peer, sc[1].pkt.VerificationTag)
			}
		})
	}
}

func addrA(p *associationtest.Pair) sim.Addr { return p.AddrA }
func addrZ(p *associationtest.Pair) sim.Addr { return p.AddrZ }

// RFC 9260 Section 9.2: "The reception of any packet from its peer (i.e.,
// as the peer sends all of its queued DATA chunks) SHOULD clear the
// endpoint's retransmission count and restart the T2-shutdown timer,
// giving its peer ample opportunity to transmit all of its queued DATA
// chunks that have not yet been sent." Section 8.3: "The sending of
// HEARTBEAT chunks MAY begin upon reaching the ESTABLISHED state and is
// discontinued after sending either a SHUTDOWN chunk or SHUTDOWN ACK
// chunk."
//
// Z shuts down while its user does not read and A still has much to
// send: A's zero window probes are all Z hears for half a minute (less
// than T5-shutdown-guard, 5 * RTO.Max = 40 s), longer than Z's T2 with
// Association.Max.Retrans = 4 would allow if those packets did not count.
// https://www.rfc-editor.org/rfc/rfc9260#section-9.2
func TestScenarioShutdownSenderWaitsForSlowPeer(t *testing.T) {
	const seed, n, size = 66, 60, 1000
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.ReceiveBuffer, cfgZ.MaxRetrans, cfgZ.PathMaxRetrans = 8000, 4, 4
	cfgZ.HeartbeatInterval = 2 * time.Second
	// A's heartbeats would measure the RTT and so collapse the backoff of
	// its probes: without them, A's probes come every RTO.Max (8 s) and
	// Z's T2-shutdown, backing off too, expires between them.
	cfgA.HeartbeatDisabled = true
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	p.HoldZ = true
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, size)))
	}
	p.Run(5 * time.Second)
	require.Positive(t, p.A.Buffered(), "A is stalled by Z's closed window")
	require.NotEmpty(t, c.with(p.AddrZ, chunk.TypeHeartbeat), "Z heartbeats while established")
	shutAt := p.Now
	require.NoError(t, p.Z.Shutdown(p.Now))
	p.Run(35 * time.Second)
	require.Equal(t, association.StateShutdownSent, p.Z.State(), "seed %d: Z gave up on a live peer", seed)
	require.Equal(t, association.StateShutdownReceived, p.A.State())
	p.ReleaseZ()
	require.True(t, p.RunUntil(time.Minute, bothClosed(p)), "seed %d: A %v Z %v", seed, p.A.State(), p.Z.State())
	require.Len(t, messagesOf(p.DeliveredZ), n)
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp}, assocStates(p.DeliveredA))
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp}, assocStates(p.DeliveredZ))
	require.Empty(t, c.since(shutAt).with(p.AddrZ, chunk.TypeHeartbeat), "Z heartbeats after its SHUTDOWN")
}

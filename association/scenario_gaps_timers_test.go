package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Scenario tests of timers and events: T5-shutdown-guard, autoclose,
// the partial-delivery-aborted and adaptation-indication events, and
// Karn's rule.

// RFC 9260 Section 9.2: "The sender of the SHUTDOWN chunk MAY also start
// an overall guard timer T5-shutdown-guard to bound the overall time for
// the shutdown sequence. At the expiration of this timer, the sender
// SHOULD abort the association by sending an ABORT chunk. If the
// T5-shutdown-guard timer is used, it SHOULD be set to the RECOMMENDED
// value of 5 times 'RTO.Max'." T2-shutdown is bounded by
// Association.Max.Retrans, but "The reception of any packet from its peer
// ... SHOULD clear the endpoint's retransmission count and restart the
// T2-shutdown timer": a peer that keeps sending packets but never a
// SHUTDOWN ACK is stopped by T5 alone.
//
// Z's SHUTDOWN ACKs never arrive. RTO.Max is 8 s, so T5 is 40 s; T2
// expires 1, 3, 7, 15, 23, 31, 39, 47 ... s after the SHUTDOWN.
// https://www.rfc-editor.org/rfc/rfc9260#section-9.2
func TestScenarioShutdownGuardT5(t *testing.T) {
	cases := []struct {
		name       string
		maxRetrans int
		keepAlive  bool // Z's address sends A a HEARTBEAT every 500 ms
		abortAt    time.Duration
		shutdowns  int // SHUTDOWN transmissions by A
	}{
		// Association.Max.Retrans = 3: T2's fourth expiry, at 15 s, ends
		// it before T5.
		{"t2-limit-first", 3, false, 15 * time.Second, 4},
		// Association.Max.Retrans = 10: 7 expiries by 40 s; T5 ends it.
		{"t5-before-t2-limit", 10, false, 40 * time.Second, 8},
		// The peer keeps answering: T2 never expires, T5 ends it.
		{"peer-keeps-answering", 3, true, 40 * time.Second, 1},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(400 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.MaxRetrans = tc.maxRetrans
			p, c := newScenarioPair(t, seed, cfgA, cfgZ)
			require.NoError(t, p.Handshake(), "seed %d", seed)
			p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeShutdownAck, 0))
			localA, _ := p.A.Tags()
			t0 := p.Now
			require.NoError(t, p.A.Shutdown(p.Now))
			var closedAt timer.Time
			done := func() bool {
				closedAt = p.Now
				return p.A.State() == association.StateClosed
			}
			for step := 0; step < 240 && !done(); step++ { // 2 minutes
				if tc.keepAlive {
					forge(p, p.AddrZ, p.AddrA, headerZA(localA),
						&chunk.Heartbeat{Info: []byte("keepalive")})
				}
				end := p.Now.Add(500 * time.Millisecond)
				if !p.RunUntil(500*time.Millisecond, done) && p.Now < end {
					p.Now = end
				}
			}
			require.Equal(t, association.StateClosed, p.A.State(), "seed %d", seed)
			require.Equal(t, tc.abortAt, closedAt.Sub(t0), "seed %d", seed)

			aborts := c.with(p.AddrA, chunk.TypeAbort)
			require.Len(t, aborts, 1)
			require.Equal(t, t0.Add(tc.abortAt), aborts[0].at, "the ABORT goes out when the timer expires")
			require.Equal(t, tc.shutdowns, c.count(p.AddrA, chunk.TypeShutdown), "seed %d", seed)
			require.Equal(t, []association.AssocChangeState{association.CommUp, association.CommLost},
				assocStates(p.DeliveredA))
			// Z, in SHUTDOWN-ACK-SENT, gets the ABORT.
			require.True(t, p.RunUntil(time.Second, func() bool { return p.Z.State() == association.StateClosed }))
			require.Equal(t, association.CommLost, eventsOf[*association.AssocChange](p.DeliveredZ)[1].State)
			if tc.keepAlive {
				require.Greater(t, c.count(p.AddrA, chunk.TypeHeartbeatAck), 70, "A answered the peer throughout")
			}
		})
	}
}

// RFC 6458 Section 8.1.8 (SCTP_AUTOCLOSE, gen_sctp's sctp_autoclose):
// "When set, it will cause associations that are idle for more than the
// specified number of seconds to automatically close using the graceful
// shutdown procedure. An idle association is defined as an association
// that has not sent or received user data." Here A has autoclose at 10 s.
// https://www.rfc-editor.org/rfc/rfc6458#section-8.1.8
func TestScenarioAutoclose(t *testing.T) {
	const autoclose = 10 * time.Second
	cases := []struct {
		name string
		// aSendsAt and zSendsAt are when A and Z send a message, after
		// A's COMM_UP (0: never).
		aSendsAt, zSendsAt time.Duration
		// shutdownAt is when A must send its SHUTDOWN.
		shutdownAt time.Duration
	}{
		{"idle", 0, 0, autoclose},
		// Sending user data restarts the idle time.
		{"sent", 4 * time.Second, 0, 4*time.Second + autoclose},
		// So does receiving it (Z's message arrives 10 ms after it is sent).
		{"received", 0, 6 * time.Second, 6*time.Second + scenarioLink.Delay + autoclose},
		{"both", 4 * time.Second, 9 * time.Second, 9*time.Second + scenarioLink.Delay + autoclose},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(410 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.Autoclose = autoclose
			p, c := newScenarioPair(t, seed, cfgA, cfgZ)
			require.NoError(t, p.Connect())
			require.True(t, p.RunUntil(time.Second, func() bool {
				return p.A.State() == association.StateEstablished
			}))
			up := p.Now // A's COMM_UP
			type step struct {
				at time.Duration
				a  *association.Association
			}
			var steps []step
			if tc.aSendsAt > 0 {
				steps = append(steps, step{tc.aSendsAt, p.A})
			}
			if tc.zSendsAt > 0 {
				steps = append(steps, step{tc.zSendsAt, nil})
			}
			for _, s := range steps {
				p.Run(up.Add(s.at).Sub(p.Now))
				require.Equal(t, association.StateEstablished, p.A.State(), "closed before %v", s.at)
				a := s.a
				if a == nil {
					a = p.Z
				}
				require.NoError(t, a.Send(p.Now, association.SendInfo{}, []byte("activity")))
			}
			require.True(t, p.RunUntil(time.Minute, func() bool {
				return p.A.State() == association.StateClosed && p.Z.State() == association.StateClosed
			}), "seed %d: A %v Z %v", seed, p.A.State(), p.Z.State())
			shutdowns := c.times(p.AddrA, chunk.TypeShutdown)
			require.Len(t, shutdowns, 1)
			require.Equal(t, tc.shutdownAt, shutdowns[0].Sub(up), "seed %d", seed)
			require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp},
				assocStates(p.DeliveredA), "a graceful close")
			require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp},
				assocStates(p.DeliveredZ))
			require.Len(t, eventsOf[*association.ShutdownEvent](p.DeliveredZ), 1)
			require.Zero(t, c.count(p.AddrA, chunk.TypeAbort))
			require.Equal(t, tc.aSendsAt > 0, len(messagesOf(p.DeliveredZ)) == 1, "A's message")
			require.Equal(t, tc.zSendsAt > 0, len(messagesOf(p.DeliveredA)) == 1, "Z's message")
		})
	}
}

// RFC 6458 Section 6.1.7 (SCTP_PARTIAL_DELIVERY_EVENT): "When a receiver
// is engaged in a partial delivery of a message, this notification will
// be used to indicate various events." SCTP_PARTIAL_DELIVERY_ABORTED:
// "This indicates that the partial delivery of a user message has been
// aborted. This happens, for example, if an association is aborted while
// a partial delivery is going on". It comes when the peer aborts, when
// the local user aborts, and when the peer restarts (RFC 9260 Section
// 5.2.4 action A: "the existing session is treated the same as if it
// received an ABORT chunk followed by a new COOKIE ECHO chunk").
//
// Z has a 16 KiB receive buffer (a partial delivery point of 8 KiB); A
// sends a 40 KB message on stream 3 of which only the first 8 packets get
// through.
// https://www.rfc-editor.org/rfc/rfc6458#section-6.1.7
func TestScenarioPartialDeliveryAborted(t *testing.T) {
	cases := []struct {
		name string
		end  func(t *testing.T, p *associationtest.Pair, seed uint64)
		last association.AssocChangeState
	}{
		{"peer-aborts", func(t *testing.T, p *associationtest.Pair, _ uint64) {
			p.A.Abort(p.Now, []byte("bye"))
		}, association.CommLost},
		{"local-abort", func(t *testing.T, p *associationtest.Pair, _ uint64) {
			p.Z.Abort(p.Now, nil)
		}, association.CommLost},
		{"peer-restarts", func(t *testing.T, p *associationtest.Pair, seed uint64) {
			restartA(t, p, seed+1000)
		}, association.Restart},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(420 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgZ.ReceiveBuffer = 16 << 10
			p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
			require.NoError(t, p.Handshake(), "seed %d", seed)
			dataPackets := 0
			p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
				if d.From != p.AddrA {
					return sim.Pass
				}
				pkt, err := packet.Parse(d.Data, packet.Options{})
				if err != nil {
					return sim.Pass
				}
				it := pkt.Chunks()
				for r, ok := it.Next(); ok; r, ok = it.Next() {
					if r.Type == chunk.TypeData {
						if dataPackets++; dataPackets > 8 {
							return sim.Drop
						}
						break
					}
				}
				return sim.Pass
			})
			msg := make([]byte, 40000)
			for k := range msg {
				msg[k] = byte(k)
			}
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 3}, msg))
			require.True(t, p.RunUntil(10*time.Second, func() bool { return dataPackets > 8 }))
			p.Run(100 * time.Millisecond)
			pieces := messagesOf(p.DeliveredZ)
			require.NotEmpty(t, pieces, "seed %d: no partial delivery", seed)
			var got []byte
			for _, m := range pieces {
				require.Equal(t, chunk.StreamID(3), m.Stream)
				require.False(t, m.EndOfRecord)
				got = append(got, m.Data...)
			}
			require.Greater(t, len(got), 8<<10)
			require.Equal(t, msg[:len(got)], got)
			before := len(p.DeliveredZ)

			tc.end(t, p, seed)
			require.True(t, p.RunUntil(5*time.Second, func() bool {
				for _, s := range assocStates(p.DeliveredZ[before:]) {
					if s == tc.last {
						return true
					}
				}
				return false
			}), "seed %d", seed)
			after := p.DeliveredZ[before:]
			pd := eventsOf[*association.PDAPIEvent](after)
			require.Len(t, pd, 1, "seed %d", seed)
			require.Equal(t, association.PartialDeliveryAborted, pd[0].Indication)
			require.Equal(t, chunk.StreamID(3), pd[0].Stream)
			// The partial delivery ends before the association change is
			// reported, and no further piece of the message comes.
			var order []string
			for _, d := range after {
				switch e := d.Event.(type) {
				case *association.PDAPIEvent:
					order = append(order, "pdapi")
				case *association.AssocChange:
					order = append(order, e.State.String())
				case nil:
					order = append(order, "message")
				}
			}
			require.Equal(t, []string{"pdapi", tc.last.String()}, order)
		})
	}
}

// RFC 5061 Section 4.2.6 (Adaptation Layer Indication): "This parameter
// is specified for the communication of peer upper-layer protocols. It is
// envisioned to be used for flow control and other adaptation layers that
// require an indication to be carried in the INIT and INIT-ACK."
// RFC 6458 Section 6.1.6 (SCTP_ADAPTATION_INDICATION):
// "When a peer sends an Adaptation Layer Indication parameter as described
// in [RFC5061], SCTP delivers this notification to inform the application
// about the peer's adaptation layer indication." Each side reports the
// other's indication, in both directions, and nothing when the peer sent
// none.
// https://www.rfc-editor.org/rfc/rfc6458#section-6.1.6
func TestScenarioAdaptationIndication(t *testing.T) {
	const indA, indZ = 0x0a0a0001, 0x0b0b0002
	cases := []struct {
		name         string
		onA, onZ     bool
		symmetricRun bool // both connect at once (initialization collision)
	}{
		{"none", false, false, false},
		{"A-only", true, false, false},
		{"Z-only", false, true, false},
		{"both", true, true, false},
		{"both-collision", true, true, true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(430 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.Adaptation, cfgA.HasAdaptation = indA, tc.onA
			cfgZ.Adaptation, cfgZ.HasAdaptation = indZ, tc.onZ
			var p *associationtest.Pair
			var c *capture
			if tc.symmetricRun {
				logSeedOnFailure(t, seed)
				var err error
				p, err = associationtest.NewSymmetricPair(seed, cfgA, cfgZ, scenarioLink)
				require.NoError(t, err)
				c = capturePackets(p)
				require.NoError(t, p.A.Connect(p.Now))
				require.NoError(t, p.Z.Connect(p.Now))
				require.True(t, p.RunUntil(time.Minute, p.Established))
			} else {
				p, c = newScenarioPair(t, seed, cfgA, cfgZ)
				require.NoError(t, p.Handshake(), "seed %d", seed)
			}
			p.Run(time.Second)
			// On the wire: the INIT and INIT ACK carry the parameter of
			// their sender's configuration.
			hasALI := func(from sentAddr, typ chunk.Type, want uint32) bool {
				found := false
				for _, prm := range handshakeParams(t, c, from, typ) {
					if ali, ok := prm.(*chunk.AdaptationLayerIndication); ok {
						require.Equal(t, want, ali.Indication)
						found = true
					}
				}
				return found
			}
			require.Equal(t, tc.onA, hasALI(p.AddrA, chunk.TypeInit, indA))
			require.Equal(t, tc.onZ, hasALI(p.AddrZ, chunk.TypeInitAck, indZ))
			// Each side gets the other's indication, right after COMM_UP.
			for _, side := range []struct {
				got    []association.Delivery
				peerOn bool
				want   uint32
			}{{p.DeliveredA, tc.onZ, indZ}, {p.DeliveredZ, tc.onA, indA}} {
				ev := eventsOf[*association.AdaptationEvent](side.got)
				if !side.peerOn {
					require.Empty(t, ev)
					continue
				}
				require.Len(t, ev, 1)
				require.Equal(t, side.want, ev[0].Indication)
				require.IsType(t, &association.AssocChange{}, side.got[0].Event)
				require.Equal(t, association.CommUp, side.got[0].Event.(*association.AssocChange).State)
				require.Equal(t, ev[0], side.got[1].Event, "the adaptation indication follows COMM_UP")
			}
		})
	}
}

// RFC 9260 Section 6.3.1 C5: "Karn's algorithm: RTT measurements MUST NOT
// be made using chunks that were retransmitted (and thus for which it
// is ambiguous whether the reply was for the first instance of the chunk
// or for a later instance)." and "RTT measurements SHOULD only be made
// using a DATA chunk with TSN r if no DATA chunk with TSN less than or
// equal to r was retransmitted since the DATA chunk with TSN r was sent
// first." Section 6.3.3 E2: after a T3-rtx expiry the RTO is backed off,
// and a new measurement is what brings it back.
//
// Heartbeats are off (they measure the RTT too) and Z acknowledges every
// packet at once, so the only samples are those of DATA chunks: 20 ms
// on this link. The first DATA packet A sends is lost and retransmitted;
// a sample from its first transmission would be 1.02 s (after T3) or
// 40 ms (after a fast retransmit). Afterwards the link delay goes up to
// 100 ms: a measurement made then shows that the rule did not stop RTT
// measurement for good.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.3.1
func TestScenarioKarnRule(t *testing.T) {
	cases := []struct {
		name string
		msgs int // 1000-byte messages sent at once
		t3   bool
	}{
		{"t3-retransmission", 1, true},
		{"fast-retransmission", 8, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(440 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.HeartbeatDisabled, cfgZ.HeartbeatDisabled = true, true
			cfgA.NoDelay = true
			cfgZ.SACKDelayDisabled = true
			p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
			require.NoError(t, p.Handshake(), "seed %d", seed)
			rtt := 2 * scenarioLink.Delay
			st := p.A.Status().Primary
			require.Equal(t, rtt, st.SRTT, "the handshake measured the RTT")
			require.Equal(t, cfgA.RTO.Min, st.RTO)

			p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeData, 1))
			for range tc.msgs {
				require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, make([]byte, 1000)))
			}
			require.True(t, p.RunUntil(10*time.Second, func() bool { return p.A.Outstanding() == 0 && p.A.Buffered() == 0 }))
			stats := p.A.Stats()
			st = p.A.Status().Primary
			require.Equal(t, rtt, st.SRTT, "seed %d: SRTT took a sample from a retransmitted chunk", seed)
			if tc.t3 {
				require.Equal(t, uint64(1), stats.T3Expirations)
				require.Equal(t, 2*cfgA.RTO.Min, st.RTO, "the backed-off RTO stays until a valid measurement")
				// A valid measurement brings the RTO back.
				sendAndDeliver(t, p, []byte("fresh"))
				p.Run(100 * time.Millisecond)
				st = p.A.Status().Primary
				require.Equal(t, rtt, st.SRTT)
				require.Equal(t, cfgA.RTO.Min, st.RTO)
			} else {
				require.Zero(t, stats.T3Expirations)
				require.Equal(t, uint64(1), stats.FastRetransmissions)
			}

			// The RTT grows to 200 ms: it is measured again.
			slow := sim.LinkConfig{Delay: 100 * time.Millisecond}
			require.NoError(t, p.Net.SetLinkBoth(p.AddrA, p.AddrZ, slow))
			for k := range 4 {
				sendAndDeliver(t, p, []byte{byte(k)})
				p.Run(time.Second)
			}
			st = p.A.Status().Primary
			require.Greater(t, st.SRTT, 3*rtt, "seed %d: no RTT measured after the retransmission", seed)
			require.Zero(t, p.A.Stats().T3Expirations-stats.T3Expirations)
		})
	}
}

package association_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// RFC 9260 Section 5.1 A: "After sending the INIT chunk, "A" starts the
// T1-init timer and enters the COOKIE-WAIT state." Section 5.1 C: ""A"
// then sends the State Cookie received in the INIT ACK chunk in a COOKIE
// ECHO chunk, starts the T1-cookie timer, and enters the COOKIE-ECHOED
// state." Section 5.1 E: "Upon reception of the COOKIE ACK chunk, endpoint
// "A" moves from the COOKIE-ECHOED state to the ESTABLISHED state".
// RFC 9260 Section 5.1.1: "the number of outbound streams ... MUST NOT
// exceed the MIS value of the peer" and the inbound streams are the
// minimum of our MIS and the peer's OS.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.1.1
func TestScenarioHandshakeStatesAndStreams(t *testing.T) {
	const seed = 11
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.OutboundStreams, cfgA.MaxInboundStreams = 5, 7
	cfgZ.OutboundStreams, cfgZ.MaxInboundStreams = 3, 4
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Connect())
	states := []association.State{p.A.State()}
	require.True(t, p.RunUntil(time.Minute, func() bool {
		if s := p.A.State(); s != states[len(states)-1] {
			states = append(states, s)
		}
		return p.Established()
	}), "seed %d", seed)
	require.Equal(t, []association.State{association.StateCookieWait,
		association.StateCookieEchoed, association.StateEstablished}, states, "seed %d", seed)

	upA := eventsOf[*association.AssocChange](p.DeliveredA)
	upZ := eventsOf[*association.AssocChange](p.DeliveredZ)
	require.Len(t, upA, 1)
	require.Len(t, upZ, 1)
	require.Equal(t, association.CommUp, upA[0].State)
	require.Equal(t, association.CommUp, upZ[0].State)
	// A: outbound min(5, Z's MIS 4) = 4, inbound min(7, Z's OS 3) = 3.
	require.Equal(t, [2]uint16{4, 3}, [2]uint16{upA[0].OutboundStreams, upA[0].InboundStreams})
	// Z: outbound min(3, A's MIS 7) = 3, inbound min(4, A's OS 5) = 4.
	require.Equal(t, [2]uint16{3, 4}, [2]uint16{upZ[0].OutboundStreams, upZ[0].InboundStreams})
	out, in := p.A.Streams()
	require.Equal(t, [2]uint16{4, 3}, [2]uint16{out, in})
	// The four-way handshake, one packet each.
	require.Equal(t, 1, c.count(p.AddrA, chunk.TypeInit))
	require.Equal(t, 1, c.count(p.AddrZ, chunk.TypeInitAck))
	require.Equal(t, 1, c.count(p.AddrA, chunk.TypeCookieEcho))
	require.Equal(t, 1, c.count(p.AddrZ, chunk.TypeCookieAck))
	// A stream beyond the negotiated count is refused.
	require.ErrorIs(t, p.A.Send(p.Now, association.SendInfo{Stream: 4}, []byte("x")), association.ErrInvalidStream)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 3}, []byte("x")))
}

// RFC 9260 Section 3.3.3, the OS of an INIT ACK: "the value MUST NOT be
// greater than the MIS value sent in the INIT chunk" (what Linux and
// usrsctp send: min(own OS, the INIT's MIS), Section 5.1.1). Both ends then
// agree on the counts: each end's outbound streams are the other's
// inbound streams. Checked for the INIT ACK of a listener and for the INIT
// ACKs of an initialization collision (Section 5.2.1).
// https://www.rfc-editor.org/rfc/rfc9260#section-3.3.3
func TestScenarioInitAckOutboundStreamsAtMostMIS(t *testing.T) {
	for _, mode := range []string{"listener", "collision"} {
		t.Run(mode, func(t *testing.T) {
			collision := mode == "collision"
			const seed = 13
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.OutboundStreams, cfgA.MaxInboundStreams = 10, 3
			cfgZ.OutboundStreams, cfgZ.MaxInboundStreams = 20, 5
			logSeedOnFailure(t, seed)
			var p *associationtest.Pair
			var err error
			if collision {
				p, err = associationtest.NewSymmetricPair(seed, cfgA, cfgZ, scenarioLink)
			} else {
				p, err = associationtest.NewPair(seed, cfgA, cfgZ, scenarioLink)
			}
			require.NoError(t, err)
			c := capturePackets(p)
			require.NoError(t, p.A.Connect(p.Now))
			if collision {
				require.NoError(t, p.Z.Connect(p.Now))
			}
			require.True(t, p.RunUntil(time.Minute, p.Established))

			n := 0
			for _, end := range []struct {
				from sentAddr
				mis  uint16 // of the INIT answered
			}{{p.AddrZ, cfgA.MaxInboundStreams}, {p.AddrA, cfgZ.MaxInboundStreams}} {
				for _, sp := range c.with(end.from, chunk.TypeInitAck) {
					r, _ := sp.chunk(chunk.TypeInitAck)
					var ack chunk.InitAck
					parseChunk(t, r, &ack)
					require.LessOrEqual(t, ack.OutboundStreams, end.mis, "INIT ACK from %v: OS above the INIT's MIS", end.from)
					n++
				}
			}
			require.NotZero(t, n)
			// Z's INIT ACK carries min(20, A's MIS 3).
			r, _ := c.with(p.AddrZ, chunk.TypeInitAck)[0].chunk(chunk.TypeInitAck)
			var ack chunk.InitAck
			parseChunk(t, r, &ack)
			require.Equal(t, uint16(3), ack.OutboundStreams)
			require.Equal(t, cfgZ.MaxInboundStreams, ack.InboundStreams)

			oa, ia := p.A.Streams()
			oz, iz := p.Z.Streams()
			require.Equal(t, [4]uint16{5, 3, 3, 5}, [4]uint16{oa, ia, oz, iz})
			upA := eventsOf[*association.AssocChange](p.DeliveredA)
			upZ := eventsOf[*association.AssocChange](p.DeliveredZ)
			require.Equal(t, [2]uint16{oa, ia}, [2]uint16{upA[0].OutboundStreams, upA[0].InboundStreams})
			require.Equal(t, [2]uint16{oz, iz}, [2]uint16{upZ[0].OutboundStreams, upZ[0].InboundStreams})
		})
	}
}

// RFC 9260 Section 5.1.1: "If the peer's MIS is less than the endpoint's
// OS ... the endpoint MUST use MIS outbound streams and MAY report any
// shortage to the upper layer." Messages queued during the handshake on
// the streams the peer did not grant are not dropped silently: each comes
// back as a SendFailed event with its data, unsent, with the Invalid
// Stream Identifier cause (RFC 9260 Section 3.3.10.1; RFC 6458 Section
// 6.1.4: ssf_error "will be an SCTP protocol error code"), and the others
// are delivered. Checked when the INIT ACK gives the counts, and when an
// initialization collision does (Section 5.2.4 action B: A, still in
// COOKIE-WAIT, takes Z's COOKIE ECHO).
// https://www.rfc-editor.org/rfc/rfc9260#section-5.1.1
func TestScenarioHandshakeUngrantedStreamsSendFailed(t *testing.T) {
	for _, mode := range []string{"init-ack", "collision"} {
		t.Run(mode, func(t *testing.T) {
			const seed = 14
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.OutboundStreams = 10
			cfgZ.MaxInboundStreams = 2
			logSeedOnFailure(t, seed)
			var p *associationtest.Pair
			var err error
			if mode == "collision" {
				cfgZ.OutboundStreams = 2
				p, err = associationtest.NewSymmetricPair(seed, cfgA, cfgZ, scenarioLink)
			} else {
				p, err = associationtest.NewPair(seed, cfgA, cfgZ, scenarioLink)
			}
			require.NoError(t, err)
			require.NoError(t, p.A.Connect(p.Now))
			streams := []chunk.StreamID{0, 5, 1, 9, 2}
			for i, st := range streams {
				require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: st, PPID: 7, Context: uint32(i)},
					[]byte(fmt.Sprintf("message %d", i))))
			}
			if mode == "collision" {
				// A's INIT reaches Z before Z connects (out of the blue);
				// Z's INIT then finds A in COOKIE-WAIT.
				p.Run(15 * time.Millisecond)
				require.NoError(t, p.Z.Connect(p.Now))
			}
			require.True(t, p.RunUntil(time.Minute, func() bool {
				return p.Established() && len(messagesOf(p.DeliveredZ)) == 2
			}), "seed %d", seed)
			p.Run(time.Second)

			failed := eventsOf[*association.SendFailed](p.DeliveredA)
			require.Len(t, failed, 3, "streams 5, 9 and 2 were not granted")
			// In stream order (2, 5, 9), each stream's in queue order.
			for k, i := range []int{4, 1, 3} {
				f := failed[k]
				require.False(t, f.Sent)
				require.Equal(t, chunk.CauseInvalidStreamIdentifier, f.Error)
				require.Equal(t, association.SendInfo{Stream: streams[i], PPID: 7, Context: uint32(i)}, f.Info)
				require.Equal(t, fmt.Sprintf("message %d", i), string(f.Data))
			}
			for i, m := range messagesOf(p.DeliveredZ) {
				require.Equal(t, fmt.Sprintf("message %d", []int{0, 2}[i]), string(m.Data))
			}
			out, _ := p.A.Streams()
			require.Equal(t, uint16(2), out)
			require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA))
		})
	}
}

// Messages queued during the handshake come back as SendFailed events,
// unsent, whichever way the attempt ends: the user aborts or shuts down
// (eof) in COOKIE-WAIT, or Max.Init.Retransmits is exhausted for the INIT
// or the COOKIE ECHO (RFC 9260 Section 5.1.6: the endpoint "reports the
// failure to its upper layer"; Section 10.1 ABORT: "Any pending data or
// queued data can be delivered" back), each before the cant_assoc event.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.1.6
func TestScenarioHandshakeFailureReturnsQueuedData(t *testing.T) {
	cases := []struct {
		name string
		end  func(p *associationtest.Pair)
		drop chunk.Type
		code chunk.CauseCode
	}{
		{"abort", func(p *associationtest.Pair) { p.A.Abort(p.Now, nil) }, 0, chunk.CauseUserInitiatedAbort},
		{"eof", func(p *associationtest.Pair) { require.NoError(t, p.A.Shutdown(p.Now)) }, 0, chunk.CauseUserInitiatedAbort},
		{"init-unanswered", nil, chunk.TypeInit, 0},
		{"cookie-echo-unanswered", nil, chunk.TypeCookieEcho, 0},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(15 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.MaxInitRetransmits = 2
			p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
			if tc.drop != 0 {
				p.Net.AddFilter(sim.DropFirstChunk(tc.drop, 0)) // every one
			}
			require.NoError(t, p.Connect())
			for i := range 3 {
				require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1, Context: uint32(i)}, numbered(i, 100)))
			}
			if tc.end != nil {
				tc.end(p)
			}
			require.True(t, p.RunUntil(time.Minute, func() bool { return p.A.State() == association.StateClosed }))
			failed := eventsOf[*association.SendFailed](p.DeliveredA)
			require.Len(t, failed, 3)
			for i, f := range failed {
				require.False(t, f.Sent)
				require.Equal(t, tc.code, f.Error)
				require.Equal(t, uint32(i), f.Info.Context)
				require.Equal(t, numbered(i, 100), f.Data)
			}
			last := p.DeliveredA[len(p.DeliveredA)-1].Event.(*association.AssocChange)
			require.Equal(t, association.CantAssoc, last.State)
		})
	}
}

// RFC 9260 Section 5.1.6: "If the T1-init timer expires, the endpoint MUST
// retransmit INIT and restart the T1-init timer without changing state."
// and "If the T1-cookie timer expires, the endpoint MUST retransmit COOKIE
// ECHO and restart the T1-cookie timer without changing state."
// https://www.rfc-editor.org/rfc/rfc9260#section-5.1.6
func TestScenarioHandshakeLostChunkRetransmitted(t *testing.T) {
	for _, lost := range []chunk.Type{chunk.TypeInit, chunk.TypeCookieEcho} {
		t.Run(lost.String(), func(t *testing.T) {
			const seed = 12
			cfgA, cfgZ := scenarioConfigs(seed)
			p, c := newScenarioPair(t, seed, cfgA, cfgZ)
			p.Net.AddFilter(sim.DropFirstChunk(lost, 1))
			require.NoError(t, p.Handshake(), "seed %d", seed)
			ts := c.times(p.AddrA, lost)
			require.Len(t, ts, 2, "one loss, one retransmission")
			// The retransmission comes one RTO.Initial after the original.
			require.Equal(t, cfgA.RTO.Initial, ts[1].Sub(ts[0]))
			require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA))
			require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ))
		})
	}
}

// RFC 9260 Section 5.1.6: "This is repeated 'Max.Init.Retransmits' times
// before "A" considers "Z" unreachable and reports the failure to its upper
// layer (and thus the association enters the CLOSED state)." Section 5.1:
// "The T1-init timer and T1-cookie timer SHOULD follow the same rules given
// in Section 6.3", that is the RTO doubling of Section 6.3.3 E2 "("back off
// the timer")", with RTO.Max (or gen_sctp's max_init_timeo) as the cap.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.1.6
func TestScenarioT1Exhausted(t *testing.T) {
	cases := []struct {
		name     string
		lost     chunk.Type
		retx     int // Config.MaxInitRetransmits
		rtoMax   time.Duration
		initTimo time.Duration // Config.MaxInitTimeout
		wantCap  time.Duration
	}{
		{"init/capped-by-RTO.Max", chunk.TypeInit, 4, 4 * time.Second, 0, 4 * time.Second},
		{"init/capped-by-MaxInitTimeout", chunk.TypeInit, 5, 60 * time.Second, 3 * time.Second, 3 * time.Second},
		{"init/no-retransmission", chunk.TypeInit, -1, 8 * time.Second, 0, 8 * time.Second},
		{"cookie-echo/capped-by-RTO.Max", chunk.TypeCookieEcho, 4, 4 * time.Second, 0, 4 * time.Second},
		{"cookie-echo/capped-by-MaxInitTimeout", chunk.TypeCookieEcho, 6, 60 * time.Second, 5 * time.Second, 5 * time.Second},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(20 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.MaxInitRetransmits = tc.retx
			cfgA.MaxInitTimeout = tc.initTimo
			cfgA.RTO = congestion.RTOConfig{Initial: time.Second, Min: time.Second, Max: tc.rtoMax}
			p, c := newScenarioPair(t, seed, cfgA, cfgZ)
			p.Net.AddFilter(sim.DropFirstChunk(tc.lost, 0)) // every one
			require.NoError(t, p.Connect())
			var closedAt timer.Time
			require.True(t, p.RunUntil(10*time.Minute, func() bool {
				closedAt = p.Now
				return p.A.State() == association.StateClosed
			}), "seed %d", seed)
			retx := max(tc.retx, 0)
			ts := c.times(p.AddrA, tc.lost)
			require.Len(t, ts, 1+retx, "seed %d: 1 + Max.Init.Retransmits transmissions", seed)
			// Doubling from RTO.Initial, capped; the last expiry (no
			// retransmission) follows the same schedule.
			want := make([]time.Duration, 0, retx+1)
			d := cfgA.RTO.Initial
			for range retx + 1 {
				want = append(want, min(d, tc.wantCap))
				d *= 2
			}
			got := append(intervals(ts), closedAt.Sub(ts[len(ts)-1]))
			require.Equal(t, want, got, "seed %d", seed)
			ev := eventsOf[*association.AssocChange](p.DeliveredA)
			require.Len(t, ev, 1)
			require.Equal(t, association.CantAssoc, ev[0].State)
			require.ErrorIs(t, ev[0].Err, association.ErrNoAnswer, "the reason, for the user")
			require.Equal(t, tc.lost == chunk.TypeCookieEcho, errors.Is(ev[0].Err, association.ErrNoCookieAck),
				"whether the INIT was answered")
			require.Equal(t, association.StateClosed, p.A.State())
			require.Equal(t, timer.Never, p.A.NextDeadline(), "no timer left running")
			if tc.lost == chunk.TypeCookieEcho {
				require.Empty(t, p.DeliveredZ, "Z was never created")
			}
		})
	}
}

// RFC 9260 Section 5.1.5 step 4: "If the State Cookie is expired, the
// endpoint MUST send an ERROR chunk with a "Stale Cookie" error cause to
// the peer endpoint." Section 5.2.6: on receiving it the endpoint can
// "Send a new INIT chunk to the endpoint to generate a new State Cookie and
// reattempt the setup procedure" with "a Cookie Preservative parameter
// requesting an extension to the life time of the State Cookie".
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.6
func TestScenarioStaleCookie(t *testing.T) {
	const seed = 30
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.CookieLife = 100 * time.Millisecond
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	delayed := false
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(d.Data); ct == chunk.TypeCookieEcho && !delayed {
			delayed = true
			return sim.Delay(200 * time.Millisecond) // past the cookie's life
		}
		return sim.Pass
	})
	require.NoError(t, p.Handshake(), "seed %d", seed)

	// Z answered the late COOKIE ECHO with ERROR(Stale Cookie).
	errs := c.with(p.AddrZ, chunk.TypeError)
	require.Len(t, errs, 1)
	r, _ := errs[0].chunk(chunk.TypeError)
	var oe chunk.OperationError
	parseChunk(t, r, &oe)
	require.Len(t, oe.Causes, 1)
	sc, ok := oe.Causes[0].(*chunk.StaleCookieCause)
	require.True(t, ok, "cause %T", oe.Causes[0])
	require.Greater(t, sc.Duration(), time.Duration(0))

	// A retried with a second INIT carrying a Cookie Preservative of at
	// least the measure of staleness; the first INIT had none.
	inits := c.with(p.AddrA, chunk.TypeInit)
	require.Len(t, inits, 2)
	preservative := func(sp *sentPacket) *chunk.CookiePreservative {
		r, _ := sp.chunk(chunk.TypeInit)
		var in chunk.Init
		parseChunk(t, r, &in)
		for _, prm := range in.Params {
			if cp, ok := prm.(*chunk.CookiePreservative); ok {
				return cp
			}
		}
		return nil
	}
	require.Nil(t, preservative(inits[0]))
	cp := preservative(inits[1])
	require.NotNil(t, cp, "second INIT without Cookie Preservative")
	require.GreaterOrEqual(t, cp.Increment(), sc.Duration().Truncate(time.Millisecond))
	require.Less(t, cp.Increment(), sc.Duration()+time.Second+time.Millisecond,
		"Section 5.2.6: \"SHOULD add no more than 1 second beyond the measured RTT\"")

	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA))
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ))
	require.Empty(t, eventsOf[*association.RemoteError](p.DeliveredA),
		"the Stale Cookie error is handled, not reported")
	require.Equal(t, 2, c.count(p.AddrA, chunk.TypeCookieEcho))
}

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

// RFC 9260 Section 5.2.1: "Upon receipt of an INIT chunk in the
// COOKIE-WAIT state, an endpoint MUST respond with an INIT ACK chunk using
// the same parameters it sent in its original INIT chunk (including its
// Initiate Tag, unchanged)." and, in COOKIE-ECHOED, "it MUST populate its
// Tie-Tags within both the association TCB and inside the State Cookie".
// The COOKIE ECHO that follows is then handled by Section 5.2.4 action B
// ("update its peer's Verification Tag from the State Cookie, stop any
// T1-init or T1-cookie timers that might be running, and send a COOKIE ACK
// chunk") or action D (both tags match: "enter the ESTABLISHED state").
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.1
func TestScenarioInitCollision(t *testing.T) {
	const (
		cw = association.StateCookieWait
		ce = association.StateCookieEchoed
		es = association.StateEstablished
	)
	cases := []struct {
		name string
		// zAfter is when Z calls Connect; initDelay holds Z's first INIT
		// back on the link.
		zAfter, initDelay time.Duration
		// The states each end goes through: COOKIE-ECHOED then
		// ESTABLISHED is action D (or a normal COOKIE ACK), COOKIE-WAIT
		// straight to ESTABLISHED is action B.
		statesA, statesZ []association.State
	}{
		// Both INITs cross: each end is in COOKIE-ECHOED when the other's
		// COOKIE ECHO arrives (action D on both).
		{"simultaneous", 0, 0, []association.State{cw, ce, es}, []association.State{cw, ce, es}},
		{"z-5ms-later", 5 * time.Millisecond, 0, []association.State{cw, ce, es}, []association.State{cw, ce, es}},
		// Z's INIT reaches A in COOKIE-ECHOED (A answers with tie-tags);
		// A's COOKIE ECHO reaches Z still in COOKIE-WAIT (action B).
		{"z-init-late", 0, 15 * time.Millisecond, []association.State{cw, ce, es}, []association.State{cw, es}},
		// A's INIT reaches Z before Z connected (Z is closed: it is out of
		// the blue); A, in COOKIE-WAIT, then answers Z's INIT and takes
		// Z's COOKIE ECHO by action B.
		{"a-init-unanswered", 15 * time.Millisecond, 0, []association.State{cw, es}, []association.State{cw, ce, es}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(50 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.OutboundStreams, cfgA.MaxInboundStreams = 5, 7
			cfgZ.OutboundStreams, cfgZ.MaxInboundStreams = 3, 4
			logSeedOnFailure(t, seed)
			p, err := associationtest.NewSymmetricPair(seed, cfgA, cfgZ, scenarioLink)
			require.NoError(t, err)
			c := capturePackets(p)
			if tc.initDelay > 0 {
				held := false
				p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
					if ct, _ := sim.FirstChunkType(d.Data); ct == chunk.TypeInit && d.From == p.AddrZ && !held {
						held = true
						return sim.Delay(tc.initDelay)
					}
					return sim.Pass
				})
			}
			require.NoError(t, p.A.Connect(p.Now))
			if tc.zAfter > 0 {
				p.Run(tc.zAfter)
			}
			require.NoError(t, p.Z.Connect(p.Now))
			statesA := []association.State{p.A.State()}
			statesZ := []association.State{p.Z.State()}
			require.True(t, p.RunUntil(time.Minute, func() bool {
				if s := p.A.State(); s != statesA[len(statesA)-1] {
					statesA = append(statesA, s)
				}
				if s := p.Z.State(); s != statesZ[len(statesZ)-1] {
					statesZ = append(statesZ, s)
				}
				return p.Established()
			}), "seed %d: A %v Z %v", seed, p.A.State(), p.Z.State())
			require.Equal(t, tc.statesA, statesA, "seed %d", seed)
			require.Equal(t, tc.statesZ, statesZ, "seed %d", seed)
			p.Run(time.Second) // let stray chunks settle

			require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA), "seed %d", seed)
			require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ), "seed %d", seed)
			la, pa := p.A.Tags()
			lz, pz := p.Z.Tags()
			require.Equal(t, lz, pa, "A's peer tag is Z's local tag")
			require.Equal(t, la, pz, "Z's peer tag is A's local tag")
			oa, ia := p.A.Streams()
			oz, iz := p.Z.Streams()
			require.Equal(t, [4]uint16{4, 3, 3, 4}, [4]uint16{oa, ia, oz, iz})
			// Both INITs were answered with the original Initiate Tag.
			for _, sp := range c.with(p.AddrA, chunk.TypeInitAck) {
				r, _ := sp.chunk(chunk.TypeInitAck)
				var ack chunk.InitAck
				parseChunk(t, r, &ack)
				require.Equal(t, la, ack.InitiateTag)
			}
			if tc.name != "a-init-unanswered" {
				require.Equal(t, 1, c.count(p.AddrZ, chunk.TypeInitAck))
			}

			// Data flows both ways.
			m := sendAndDeliver(t, p, []byte("from A"))
			require.Equal(t, []byte("from A"), m.Data)
			require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 2}, []byte("from Z")))
			require.True(t, p.RunUntil(5*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }))
			require.Equal(t, []byte("from Z"), messagesOf(p.DeliveredA)[0].Data)
		})
	}
}

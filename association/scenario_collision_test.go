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
			p, c := newSymmetricScenarioPair(t, seed, cfgA, cfgZ)
			holdFirstInitOfZ(p, tc.initDelay)
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

// peerRestartInHandshake is an initialization collision in which A
// restarts while Z is in COOKIE-WAIT: Z's INIT is lost, A's reaches Z and
// A's COOKIE ECHO is held up; then a new A (another association from the
// same address and port, with other stream counts and another window)
// connects, Z, still in COOKIE-WAIT, answers its INIT with its unchanged
// tag and no Tie-Tags (RFC 9260 Section 5.2.1), and the new A's COOKIE
// ECHO is held up too. Both COOKIE ECHOs carry Z's tag: Table 12 of
// Section 5.2.4 gives action B for each of them.
type peerRestartInHandshake struct {
	p      *associationtest.Pair
	echoes [][]byte // the COOKIE ECHOs of the old A and the new A
	oldA   chunk.VerificationTag
	newA   *association.Association
	init   chunk.Init    // the new A's INIT
	ack    chunk.InitAck // Z's answer to it
	c      *capture
	zInits bool // Z's INITs pass (they are lost until it is set)
}

// newPeerRestartInHandshake runs peerRestartInHandshake up to the two
// COOKIE ECHOs held up, Z still in COOKIE-WAIT.
func newPeerRestartInHandshake(t *testing.T, seed uint64) *peerRestartInHandshake {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.OutboundStreams, cfgA.MaxInboundStreams = 6, 5
	cfgZ.OutboundStreams, cfgZ.MaxInboundStreams = 4, 8
	p, c := newSymmetricScenarioPair(t, seed, cfgA, cfgZ)
	r := &peerRestartInHandshake{p: p, c: c}
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		ct, _ := sim.FirstChunkType(d.Data)
		switch {
		case ct == chunk.TypeInit && d.From == p.AddrZ && !r.zInits:
			return sim.Drop
		case ct == chunk.TypeCookieEcho && d.From == p.AddrA && len(r.echoes) < 2:
			r.echoes = append(r.echoes, append([]byte(nil), d.Data...))
			return sim.Drop
		}
		return sim.Pass
	})
	require.NoError(t, p.Z.Connect(p.Now))
	require.NoError(t, p.A.Connect(p.Now))
	require.True(t, p.RunUntil(time.Second, func() bool { return len(r.echoes) == 1 }))
	r.oldA, _ = p.A.Tags()

	cfgNew, _ := scenarioConfigs(seed + 1000)
	cfgNew.OutboundStreams, cfgNew.MaxInboundStreams = 3, 2
	cfgNew.ReceiveBuffer = 48 << 10
	var err error
	r.newA, err = association.New(cfgNew, p.Now, p.AddrZ)
	require.NoError(t, err)
	p.A = r.newA
	require.NoError(t, r.newA.Connect(p.Now))
	require.True(t, p.RunUntil(time.Second, func() bool { return len(r.echoes) == 2 }))
	require.Equal(t, association.StateCookieWait, p.Z.State())
	acks := c.with(p.AddrZ, chunk.TypeInitAck)
	require.Len(t, acks, 2)
	raw, _ := acks[1].chunk(chunk.TypeInitAck)
	parseChunk(t, raw, &r.ack)
	tagZ, _ := p.Z.Tags()
	require.Equal(t, tagZ, r.ack.InitiateTag, "Z answered the new INIT with its unchanged tag")
	raw, _ = c.with(p.AddrA, chunk.TypeInit)[1].chunk(chunk.TypeInit)
	parseChunk(t, raw, &r.init)
	return r
}

// deliverEcho delivers the held COOKIE ECHO of the old A (i = 0) or the
// new A (i = 1) to Z, and runs until Z has processed it.
func (r *peerRestartInHandshake) deliverEcho(i int) {
	r.p.Net.Send(r.p.Now, r.p.AddrA, r.p.AddrZ, r.echoes[i])
	r.p.Run(100 * time.Millisecond)
}

// checkFlows checks that the new A and Z agree on the tags and that data
// flows both ways, with the TSNs of the handshake of the new A with Z and
// stream sequence numbers from 0.
func (r *peerRestartInHandshake) checkFlows(t *testing.T) {
	t.Helper()
	p := r.p
	require.True(t, p.RunUntil(time.Second, p.Established), "A %v Z %v", p.A.State(), p.Z.State())
	localA, peerA := r.newA.Tags()
	localZ, peerZ := p.Z.Tags()
	require.Equal(t, [2]chunk.VerificationTag{localZ, localA}, [2]chunk.VerificationTag{peerA, peerZ})
	// The new A's window and streams (Section 5.1.1: Z's outbound
	// streams at most the new A's MIS).
	require.Equal(t, int(r.init.ARwnd), p.Z.Status().Rwnd)
	oz, iz := p.Z.Streams()
	require.Equal(t, [2]uint16{2, 3}, [2]uint16{oz, iz})
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA))

	m := sendAndDeliver(t, p, []byte("from the new A"))
	require.Equal(t, []byte("from the new A"), m.Data)
	require.Equal(t, r.init.InitialTSN, m.TSN)
	require.Equal(t, chunk.SSN(0), m.SSN)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("to the new A")))
	require.True(t, p.RunUntil(5*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }),
		"discards %v", p.Discards)
	m = messagesOf(p.DeliveredA)[0]
	require.Equal(t, []byte("to the new A"), m.Data)
	require.Equal(t, r.ack.InitialTSN, m.TSN)
	require.Equal(t, chunk.SSN(0), m.SSN)
}

// RFC 9260 Section 5.2.4 action B: "both sides might be attempting to
// start an association at about the same time, but the peer endpoint sent
// its INIT chunk after responding to the local endpoint's INIT chunk.
// Thus, it might have picked a new Verification Tag, not being aware of
// the previous tag it had sent this endpoint. The endpoint SHOULD stay in
// or enter the ESTABLISHED state, but it MUST update its peer's
// Verification Tag from the State Cookie, stop any T1-init or T1-cookie
// timers that might be running, and send a COOKIE ACK chunk." The peer
// that echoes the cookie is the one whose INIT the cookie answers: its
// initial TSN, window and streams are the cookie's, and it expects our
// TSNs from the Initial TSN of our INIT ACK and stream sequence numbers
// from 0.
//
// In peerRestartInHandshake, the old A's COOKIE ECHO arrives first and
// brings Z up (action B in COOKIE-WAIT) with the old A's TSNs; Z sends a
// message the old A never gets; then the new A's COOKIE ECHO arrives:
// action B with Z ESTABLISHED. Z takes over the new A's TCB as in a
// restart (action A: "the existing session is treated the same as if it
// received an ABORT chunk followed by a new COOKIE ECHO chunk"; "A
// RESTART notification SHOULD be sent to the ULP"): it hands its
// unacknowledged message back and data flows both ways. Taking over the
// new A's tag alone wedged the association: the new A's DATA was beyond
// Z's window, Z's SACKs stale to the new A, and heartbeats kept it up.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.4
func TestScenarioInitCollisionActionBAfterPeerRestart(t *testing.T) {
	r := newPeerRestartInHandshake(t, 60)
	p := r.p
	r.deliverEcho(0)
	require.Equal(t, association.StateEstablished, p.Z.State())
	_, peer := p.Z.Tags()
	require.Equal(t, r.oldA, peer)
	lost := []byte("to the old A")
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, lost))
	p.Exchange()
	zBefore := len(p.DeliveredZ)

	r.deliverEcho(1)
	evZ := p.DeliveredZ[zBefore:]
	require.Equal(t, []association.AssocChangeState{association.Restart}, assocStates(evZ))
	failed := eventsOf[*association.SendFailed](evZ)
	require.Len(t, failed, 1, "Z's unacknowledged message is handed back")
	require.True(t, failed[0].Sent)
	require.Equal(t, lost, failed[0].Data)
	r.checkFlows(t)
}

// The other order of peerRestartInHandshake: the new A's COOKIE ECHO
// brings Z up (RFC 9260 Section 5.2.4 action B in COOKIE-WAIT), then the
// old A's arrives, late. It answers an INIT that Z received before the new
// A's: it comes from an older incarnation of A than the one Z talks to,
// and taking it over as in TestScenarioInitCollisionActionBAfterPeerRestart
// would move the association to a peer that is gone. It is discarded (a
// late cookie, like the one of action C: "The endpoint SHOULD NOT change
// states and SHOULD leave any timers running").
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.4
func TestScenarioInitCollisionActionBLateCookieOfOldPeer(t *testing.T) {
	r := newPeerRestartInHandshake(t, 61)
	p := r.p
	r.deliverEcho(1)
	require.Equal(t, association.StateEstablished, p.Z.State())
	deadline := p.Z.NextDeadline()
	r.deliverEcho(0)
	require.Equal(t, 1, p.Discards["late cookie (action B)"], "discards %v", p.Discards)
	require.Equal(t, deadline, p.Z.NextDeadline())
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ))
	r.checkFlows(t)
}

// The other way for Z to come up in peerRestartInHandshake: Z's INIT
// reaches the new A in COOKIE-ECHOED, which answers it (RFC 9260 Section
// 5.2.1); Z echoes that cookie and the new A, by action D of Section
// 5.2.4, acknowledges it: Z is up from the new A's INIT ACK and COOKIE
// ACK. Then the two held COOKIE ECHOs arrive. The old A's (action B)
// answers an INIT that Z received in COOKIE-WAIT, before it sent the
// COOKIE ECHO the new A acknowledged: it comes from an older incarnation
// of A, gone, and is discarded. The new A's matches both tags (action D):
// a COOKIE ACK, nothing else. Restarting with the old A's cookie, then
// with the new A's, reset Z's TSNs and stream sequence numbers to those
// of the new A's INIT under its unchanged tag: Z's Cumulative TSN Ack
// went back below what it had acknowledged, the new A (which never knew)
// ignored it, and its next messages were never delivered (found by
// FuzzStates).
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.4
func TestScenarioInitCollisionActionBLateCookieAfterInitAck(t *testing.T) {
	r := newPeerRestartInHandshake(t, 62)
	p := r.p
	var init chunk.Init
	raw, _ := r.c.with(p.AddrZ, chunk.TypeInit)[0].chunk(chunk.TypeInit)
	parseChunk(t, raw, &init)
	r.zInits = true
	forge(p, p.AddrZ, p.AddrA, headerZA(0), &init)
	require.True(t, p.RunUntil(time.Second, p.Established), "A %v Z %v", p.A.State(), p.Z.State())
	localA, _ := r.newA.Tags()
	first := sendAndDeliver(t, p, []byte("first"))

	r.deliverEcho(0)
	require.Equal(t, 1, p.Discards["late cookie (action B)"], "discards %v", p.Discards)
	r.deliverEcho(1)
	_, peer := p.Z.Tags()
	require.Equal(t, localA, peer)
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ))
	second := sendAndDeliver(t, p, []byte("second"))
	require.Equal(t, first.TSN+1, second.TSN)
	require.Equal(t, first.SSN+1, second.SSN)
}

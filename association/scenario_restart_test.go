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

// restartA simulates a crash of A: a brand-new association from A's
// address and port (configured from seed) replaces it and connects. A's
// old deliveries are dropped.
func restartA(t *testing.T, p *associationtest.Pair, seed uint64) {
	t.Helper()
	cfgA, _ := scenarioConfigs(seed)
	a, err := association.New(cfgA, p.Now, p.AddrZ)
	require.NoError(t, err)
	p.A = a
	p.DeliveredA = nil
	require.NoError(t, a.Connect(p.Now))
}

// RFC 9260 Section 5.2.4 action A: "In this case, the peer might have
// restarted. When the endpoint recognizes this potential 'restart', the
// existing session is treated the same as if it received an ABORT chunk
// followed by a new COOKIE ECHO chunk" ... "A RESTART notification SHOULD
// be sent to the ULP instead of a COMMUNICATION LOST notification."
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.4
func TestScenarioPeerRestart(t *testing.T) {
	const seed = 40
	p, c := establishedPair(t, seed)
	oldA, _ := p.A.Tags()
	oldZ, _ := p.Z.Tags()
	// Ordered traffic both ways, so that both ends have advanced their
	// stream sequence numbers on stream 0.
	for i := range 3 {
		sendAndDeliver(t, p, []byte{'a', byte(i)})
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte{'z', byte(i)}))
	}
	p.Run(time.Second)
	require.Len(t, messagesOf(p.DeliveredA), 3)
	// A message from Z that A never acknowledges: the link Z → A is cut.
	p.Net.SetDown(p.AddrZ, p.AddrA, true)
	lost := []byte("lost in the restart")
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, lost))
	p.Exchange()
	p.Net.SetDown(p.AddrZ, p.AddrA, false)

	start := p.Now
	zEvents := len(p.DeliveredZ)
	restartA(t, p, seed+1000)
	require.True(t, p.RunUntil(10*time.Second, p.Established), "seed %d", seed)

	// Z answered the new INIT with an INIT ACK (Section 5.2.2) and
	// accepted the COOKIE ECHO as a restart.
	require.Equal(t, 1, c.since(start).count(p.AddrZ, chunk.TypeInitAck))
	evZ := p.DeliveredZ[zEvents:]
	require.Equal(t, []association.AssocChangeState{association.Restart}, assocStates(evZ), "seed %d", seed)
	failed := eventsOf[*association.SendFailed](evZ)
	require.Len(t, failed, 1, "Z's unacknowledged message is handed back")
	require.Equal(t, lost, failed[0].Data)
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA))

	newA, peerOfA := p.A.Tags()
	newZ, peerOfZ := p.Z.Tags()
	require.NotEqual(t, oldA, newA)
	require.NotEqual(t, oldZ, newZ, "Z takes the new tag of the cookie")
	require.Equal(t, newZ, peerOfA)
	require.Equal(t, newA, peerOfZ)

	// Data flows both ways on the new association, stream sequence
	// numbers starting again from 0.
	m := sendAndDeliver(t, p, []byte("after restart"))
	require.Equal(t, []byte("after restart"), m.Data)
	require.Equal(t, chunk.SSN(0), m.SSN)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("z after restart")))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }),
		"seed %d: Z's message not delivered to the new A; discards %v", seed, p.Discards)
	require.Equal(t, []byte("z after restart"), messagesOf(p.DeliveredA)[0].Data)
	require.Equal(t, chunk.SSN(0), messagesOf(p.DeliveredA)[0].SSN)
}

// RFC 9260 Section 5.2.4 action D: "When both local and remote tags match,
// the endpoint SHOULD enter the ESTABLISHED state if it is in the
// COOKIE-ECHOED state. It SHOULD stop any cookie timer that is running and
// send a COOKIE ACK chunk." (Table 12, case E: a duplicate COOKIE ECHO
// after a lost COOKIE ACK.)
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.4
func TestScenarioDuplicateCookieEcho(t *testing.T) {
	const seed = 41
	cfgA, cfgZ := scenarioConfigs(seed)
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeCookieAck, 1))
	require.NoError(t, p.Handshake(), "seed %d", seed)
	echoes := c.times(p.AddrA, chunk.TypeCookieEcho)
	require.Len(t, echoes, 2, "T1-cookie retransmits the COOKIE ECHO")
	require.Equal(t, cfgA.RTO.Initial, echoes[1].Sub(echoes[0]))
	require.Equal(t, 2, c.count(p.AddrZ, chunk.TypeCookieAck), "Z acknowledges the duplicate")
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ),
		"one CommUp on Z")
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA))
	m := sendAndDeliver(t, p, []byte("hello"))
	require.Equal(t, []byte("hello"), m.Data)
}

// RFC 9260 Section 5.2.4 action A: "All the congestion control parameters
// ... MUST be reset to their initial values. After this, the endpoint
// shall enter the ESTABLISHED state. If the endpoint is in the
// SHUTDOWN-ACK-SENT state and recognizes that the peer has restarted
// (Action A), it MUST NOT set up a new association but instead resend the
// SHUTDOWN ACK chunk and send an ERROR chunk with a "Cookie Received While
// Shutting Down" error cause to its peer."
//
// The restart is constructed as follows: the old A sends SHUTDOWN and
// crashes; the new A's INIT reaches Z before that SHUTDOWN (so Z, still
// ESTABLISHED, answers with an INIT ACK carrying tie-tags), then the
// SHUTDOWN moves Z to SHUTDOWN-ACK-SENT before the COOKIE ECHO arrives.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.4
func TestScenarioCookieWhileShuttingDown(t *testing.T) {
	const seed = 42
	p, c := establishedPair(t, seed)
	oldA := p.A
	require.NoError(t, oldA.Shutdown(p.Now))
	out, ok := oldA.AppendPacket(p.Now, nil)
	require.True(t, ok)
	shutdown := append([]byte(nil), out.Data...)
	typ, _ := sim.FirstChunkType(shutdown)
	require.Equal(t, chunk.TypeShutdown, typ)

	start := p.Now
	restartA(t, p, seed+1000)
	p.Exchange()                                  // the new INIT goes out first
	p.Net.Send(p.Now, p.AddrA, p.AddrZ, shutdown) // then the old SHUTDOWN
	zBefore := len(p.DeliveredZ)
	firstZ := p.Z
	require.True(t, p.RunUntil(30*time.Second, func() bool {
		return p.A.State() == association.StateEstablished && p.Z != firstZ && p.Established()
	}), "seed %d: A %v Z %v", seed, p.A.State(), p.Z.State())

	// Z, in SHUTDOWN-ACK-SENT, answered the COOKIE ECHO with SHUTDOWN ACK
	// and ERROR(Cookie Received While Shutting Down).
	var found bool
	for _, sp := range c.since(start).with(p.AddrZ, chunk.TypeError) {
		if !sp.has(chunk.TypeShutdownAck) {
			continue
		}
		r, _ := sp.chunk(chunk.TypeError)
		var oe chunk.OperationError
		parseChunk(t, r, &oe)
		require.Len(t, oe.Causes, 1)
		require.Equal(t, chunk.CauseCookieWhileShuttingDown, oe.Causes[0].CauseCode())
		found = true
	}
	require.True(t, found, "no SHUTDOWN ACK + ERROR(cause 10) from Z")
	// The old association ended with its shutdown, never with a restart;
	// the new A's retransmitted COOKIE ECHO then set up a new one.
	require.Equal(t, []association.AssocChangeState{association.ShutdownComp, association.CommUp},
		assocStates(p.DeliveredZ[zBefore:]), "seed %d", seed)
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA))
	require.GreaterOrEqual(t, c.since(start).count(p.AddrA, chunk.TypeCookieEcho), 2)
	m := sendAndDeliver(t, p, []byte("new association"))
	require.Equal(t, []byte("new association"), m.Data)
}

// A restart (RFC 9260 Section 5.2.4 action A) of the peer of an end whose
// user asked for a graceful shutdown: "the existing session is treated
// the same as if it received an ABORT chunk followed by a new COOKIE ECHO
// chunk", and the shutdown the user asked for (Section 9.2: "Upon receipt
// of the SHUTDOWN primitive from its upper layer, the endpoint enters the
// SHUTDOWN-PENDING state") goes on with the new association instead of
// being forgotten in ESTABLISHED.
func TestScenarioPeerRestartDuringShutdown(t *testing.T) {
	const seed = 42
	p, _ := establishedPair(t, seed)
	// Z's message is never acknowledged (the link Z → A is cut), so Z's
	// shutdown waits in SHUTDOWN-PENDING.
	p.Net.SetDown(p.AddrZ, p.AddrA, true)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("unacknowledged")))
	p.Exchange()
	require.NoError(t, p.Z.Shutdown(p.Now))
	require.Equal(t, association.StateShutdownPending, p.Z.State())
	p.Net.SetDown(p.AddrZ, p.AddrA, false)

	zEvents := len(p.DeliveredZ)
	restartA(t, p, seed+1000)
	require.True(t, p.RunUntil(10*time.Second, func() bool {
		return p.Z.State() == association.StateClosed && p.A.State() == association.StateClosed
	}), "seed %d: A %v, Z %v", seed, p.A.State(), p.Z.State())
	require.Equal(t, []association.AssocChangeState{association.Restart, association.ShutdownComp},
		assocStates(p.DeliveredZ[zEvents:]), "seed %d", seed)
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.ShutdownComp},
		assocStates(p.DeliveredA), "seed %d", seed)
}

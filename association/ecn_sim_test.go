package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// ecnLink is a 10 Mbit/s bottleneck with a 20 ms round trip (a 25 KB
// bandwidth-delay product) and a 60 KB queue that marks ECN-capable
// packets CE from 15 KB of backlog on.
var ecnLink = sim.LinkConfig{Delay: 10 * time.Millisecond, Bandwidth: 10_000_000,
	QueueLimit: 60_000, CEThreshold: 15_000}

// ecnPair returns an established pair over ecnLink whose ends have ECN
// on or off.
func ecnPair(t *testing.T, seed uint64, ecnA, ecnZ bool) *associationtest.Pair {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.ECN, cfgZ.ECN = ecnA, ecnZ
	logSeedOnFailure(t, seed)
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, ecnLink)
	require.NoError(t, err)
	require.NoError(t, p.Handshake())
	return p
}

// ecnRun transfers 2 MB from A to Z over ecnLink and returns the largest
// cwnd of A's path.
func ecnRun(t *testing.T, p *associationtest.Pair) int {
	t.Helper()
	const size, n = 1000, 2000
	maxCWnd := 0
	got := transferUntil(t, p, size, n, 0, func(int) { maxCWnd = max(maxCWnd, onlyPath(p.A).CWnd) })
	require.Equal(t, n, got)
	return maxCWnd
}

// A CE-marking queue makes an ECN sender's cwnd react without a loss
// (RFC 3168 Section 6.1.2, RFC 4960 Appendix A): the receiver echoes the
// marks in ECNE chunks, the sender halves cwnd once per window and
// answers with CWR, and the queue never overflows; without ECN, the same
// queue drops packets and the sender retransmits them.
func TestECNSimCWndReactsWithoutLoss(t *testing.T) {
	p := ecnPair(t, 1701, true, true)
	require.True(t, p.A.ECN())
	require.True(t, p.Z.ECN())
	maxCWnd := ecnRun(t, p)
	st := p.Net.LinkStats(p.AddrA, p.AddrZ)
	a, z := p.A.Stats(), p.Z.Stats()
	t.Logf("ECN: %d packets marked CE, %d reductions, cwnd at most %d, %d dropped", st.CEMarked,
		a.ECNReductions, maxCWnd, st.Dropped())
	require.Positive(t, st.CEMarked)
	require.Zero(t, st.Dropped(), "no loss: the marks keep the queue short")
	require.Zero(t, a.Retransmissions)
	require.Positive(t, z.CEMarksReceived)
	require.Positive(t, a.ECNReductions)
	require.Less(t, a.ECNReductions, z.CEMarksReceived, "once per window, not per mark")
	require.Positive(t, z.ChunksSent.Of(chunk.TypeECNE))
	require.Positive(t, a.ChunksReceived.Of(chunk.TypeECNE))
	require.Positive(t, a.ChunksSent.Of(chunk.TypeCWR))
	require.Less(t, onlyPath(p.A).SSThresh, 60_000+25_000, "ssthresh came down from arbitrarily high")
	require.Less(t, maxCWnd, 60_000+25_000+2*1452, "cwnd never exceeded what the queue holds")

	// The same transfer without ECN overflows the queue.
	q := ecnPair(t, 1701, false, false)
	ecnRun(t, q)
	stOff := q.Net.LinkStats(q.AddrA, q.AddrZ)
	require.Zero(t, stOff.CEMarked, "Not-ECT packets are not marked")
	require.Positive(t, stOff.DroppedQueue)
	require.Positive(t, q.A.Stats().Retransmissions)
}

// ECN is used only when both ends announce it (RFC 4960 Appendix A: the
// ECN Capable parameter in INIT and INIT ACK): with one end off, no packet
// is ECN-capable, so the queue marks none and no ECNE or CWR is sent.
func TestECNNegotiation(t *testing.T) {
	for _, tc := range []struct {
		name       string
		ecnA, ecnZ bool
	}{{"client only", true, false}, {"server only", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			p := ecnPair(t, 1702, tc.ecnA, tc.ecnZ)
			require.False(t, p.A.ECN())
			require.False(t, p.Z.ECN())
			ecnRun(t, p)
			require.Zero(t, p.Net.LinkStats(p.AddrA, p.AddrZ).CEMarked)
			require.Zero(t, p.Z.Stats().ChunksSent.Of(chunk.TypeECNE))
			require.Zero(t, p.A.Stats().ChunksSent.Of(chunk.TypeCWR))
		})
	}
}

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

// runOutcome is everything observable about one impaired run.
type runOutcome struct {
	hash       [32]byte
	statsA     association.Stats
	statsZ     association.Stats
	net        sim.Stats
	end        timer.Time
	deliveredZ int
	deliveredA int
}

// impairedRun runs a handshake, traffic both ways and a shutdown over a
// lossy, duplicating, reordering, jittery link, every random choice (the
// network's and both associations') drawn from seed.
func impairedRun(t *testing.T, seed uint64) runOutcome {
	t.Helper()
	link := sim.LinkConfig{Delay: 15 * time.Millisecond, Jitter: 5 * time.Millisecond,
		Loss: 0.05, Duplicate: 0.02, Reorder: 0.05, ReorderDelay: 20 * time.Millisecond}
	cfgA, cfgZ := scenarioConfigs(seed)
	logSeedOnFailure(t, seed)
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, link)
	require.NoError(t, err)
	p.Net.EnableTraceHash()
	require.NoError(t, p.Handshake(), "seed %d", seed)
	const n = 40
	sent := 0
	require.True(t, p.RunUntil(10*time.Minute, func() bool {
		for sent < n && p.A.Buffered() < 32<<10 {
			size := 100 + (sent*7919)%5000
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(sent % 5)}, numbered(sent, size)))
			require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(sent % 3)}, numbered(sent, size/2+1)))
			sent++
		}
		return len(messagesOf(p.DeliveredZ)) == n && len(messagesOf(p.DeliveredA)) == n
	}), "seed %d", seed)
	require.NoError(t, p.A.Shutdown(p.Now))
	require.True(t, p.RunUntil(10*time.Minute, bothClosed(p)), "seed %d", seed)
	return runOutcome{hash: p.Net.TraceHash(), statsA: p.A.Stats(), statsZ: p.Z.Stats(), net: p.Net.Stats(),
		end: p.Now, deliveredZ: len(messagesOf(p.DeliveredZ)), deliveredA: len(messagesOf(p.DeliveredA))}
}

// The sans-IO core's promise: given the same seed and the same inputs, it
// produces byte-identical output. The
// simulated network's trace hash covers every datagram delivered, with
// its arrival time, so equal hashes mean identical runs.
func TestScenarioDeterminism(t *testing.T) {
	const seed = 150
	first := impairedRun(t, seed)
	second := impairedRun(t, seed)
	require.NotEqual(t, [32]byte{}, first.hash)
	require.Equal(t, first, second, "seed %d: two runs differ", seed)
	require.Positive(t, first.net.DroppedLoss, "the link was impaired")
	require.Positive(t, first.statsA.Retransmissions+first.statsZ.Retransmissions)

	other := impairedRun(t, seed+1)
	require.NotEqual(t, first.hash, other.hash, "seeds %d and %d give the same trace", seed, seed+1)
	require.Equal(t, first.deliveredZ, other.deliveredZ, "the outcome for the user is the same")
}

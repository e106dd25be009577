package association_test

import (
	"fmt"
	"testing"

	"github.com/gensctp/gensctp/association/associationtest"
)

// runScenario plays sc (associationtest.Scenario.Run) and fails t with the
// scenario and its seed if anything was lost, duplicated, corrupted or out
// of order, or if the transfer or the shutdown got stuck.
func runScenario(t *testing.T, sc associationtest.Scenario) {
	t.Helper()
	p, err := sc.Run(associationtest.ImpairedConfig(sc.Seed*2+1, 5000, 5001),
		associationtest.ImpairedConfig(sc.Seed*2+2, 5001, 5000))
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		t.Logf("A %+v", p.A.Stats())
		t.Logf("Z %+v", p.Z.Stats())
		t.Logf("net %+v now %v", p.Net.Stats(), p.Now)
	}
}

// TestPropertyDeliveredExactlyOnce: over 200 seeds, with loss up to 30 %,
// duplication, reordering and corruption, traffic in both directions on 1
// to 64 streams with messages from 1 byte to 256 KiB, every message is
// delivered exactly once, intact, in order on its stream when ordered, and
// the association then shuts down gracefully. A failure prints the
// scenario and its seed; run it alone with -run
// 'TestPropertyDeliveredExactlyOnce/seed=N'.
func TestPropertyDeliveredExactlyOnce(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 20
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		sc := associationtest.RandomScenario(seed)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			runScenario(t, sc)
		})
	}
}

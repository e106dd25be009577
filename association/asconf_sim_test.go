package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// TestASCONFMigrationLossy is TestASCONFMigration on a path that loses 3 %
// of the packets each way, ASCONFs, ASCONF-ACKs and HEARTBEATs among
// them: every message arrives once, in order, and Z ends with the new
// address alone, as its primary.
func TestASCONFMigrationLossy(t *testing.T) {
	for seed := uint64(31); seed < 36; seed++ {
		p, _ := asconfPair(t, seed, sim.LinkConfig{Delay: 10 * time.Millisecond, Loss: 0.03}, nil)
		gap := migrate(t, p)
		t.Logf("seed %d: longest gap between deliveries %v", seed, gap)
		require.ElementsMatch(t, []string{"addr_added 10.0.0.3", "addr_confirmed 10.0.0.3", "addr_made_prim 10.0.0.3",
			"addr_removed 10.0.0.1"}, paddrEvents(p.DeliveredZ), "seed %d", seed)
		paths := p.Z.Paths()
		require.Len(t, paths, 1)
		require.Equal(t, addrA2, paths[0].Addr)
		require.True(t, paths[0].Primary)
	}
}

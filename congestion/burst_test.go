package congestion

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBurstLimit pins RFC 9260 Section 6.1
// (https://www.rfc-editor.org/rfc/rfc9260#section-6.1) rule B ("the sender
// MUST NOT transmit new data to a given transport address if it has cwnd +
// (PMDCS - 1) or more bytes of data outstanding to that transport address.
// If data is available, the sender SHOULD exceed cwnd by up to (PMDCS - 1)
// bytes on a new data transmission if the flightsize does not currently
// reach cwnd.") and rule D ("if ((flightsize + Max.Burst * PMDCS) < cwnd)
// cwnd = flightsize + Max.Burst * PMDCS").
func TestBurstLimit(t *testing.T) {
	require.Equal(t, 4, DefaultMaxBurst, "RFC 9260 Section 16: Max.Burst: 4")
	for _, tc := range []struct {
		name                              string
		cwnd, flight, mtu, maxBurst, want int
	}{
		{"rule B: room below cwnd", 4000, 3000, 1000, 4, 1000},
		{"rule B: flight at cwnd", 4000, 4000, 1000, 4, 0},
		{"rule B: flight over cwnd", 4000, 4500, 1000, 4, 0},
		{"rule B: one byte of room starts a packet", 4000, 3999, 1000, 4, 1},
		{"rule D: Max.Burst caps a large window", 100000, 0, 1000, 4, 4000},
		{"rule D: cap counted from the flight", 100000, 50000, 1000, 4, 4000},
		{"rule D: no cap when cwnd is smaller", 4000, 1000, 1000, 4, 3000},
		{"rule D disabled", 100000, 0, 1000, 0, 100000},
		{"empty window", 0, 0, 1000, 4, 0},
		{"negative inputs", -1, -1, -1, -1, 0},
		{"saturates", math.MaxInt, 0, math.MaxInt, math.MaxInt, MaxWindow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, BurstLimit(tc.cwnd, tc.flight, tc.mtu, tc.maxBurst))
		})
	}
}

// TestBurstLimitOnePacketBreach pins "The breach of cwnd MUST constitute one
// packet only." (RFC 9260 Section 6.1 rule B) and rule D for a sender that
// starts packets while the room is positive.
func TestBurstLimitOnePacketBreach(t *testing.T) {
	for _, pkt := range []int{100, 300, 999, 1000} {
		for _, cwnd := range []int{1000, 4000, 4404, 30000} {
			for _, flight0 := range []int{0, 500, 3999} {
				flight, breaches := flight0, 0
				for room := BurstLimit(cwnd, flight0, mtu, DefaultMaxBurst); room > 0; room -= pkt {
					if flight+pkt > cwnd {
						breaches++
					}
					flight += pkt
				}
				effective := min(cwnd, flight0+DefaultMaxBurst*mtu)
				require.LessOrEqual(t, breaches, 1, "pkt %d cwnd %d", pkt, cwnd)
				require.Less(t, flight, max(effective, flight0)+mtu, "rule B: below cwnd + PMDCS - 1")
				require.LessOrEqual(t, flight-flight0, DefaultMaxBurst*mtu+mtu-1, "rule D")
			}
		}
	}
}

func TestBurstLimitAllocs(t *testing.T) {
	n := 0
	allocs := testing.AllocsPerRun(100, func() {
		n += BurstLimit(10000, 3000, 1200, DefaultMaxBurst)
	})
	require.Zero(t, allocs)
}

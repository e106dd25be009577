package udpencap

import (
	"net/netip"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// roundTrip returns a function that sends one batch of n 1200-byte
// datagrams from a to b and reads them all back, releasing the buffers.
func roundTrip(tb testing.TB, a, b *Conn, n int) func() {
	return roundTripFrom(tb, a, b, n, netip.Addr{})
}

// roundTripFrom is roundTrip with datagrams sent from the local address
// from (OutMessage.From).
func roundTripFrom(tb testing.TB, a, b *Conn, n int, from netip.Addr) func() {
	out := make([]OutMessage, n)
	data := make([]byte, 1200)
	for i := range out {
		out[i] = OutMessage{Data: data, To: b.LocalAddrs()[0], From: from}
	}
	in := make([]Message, n)
	return func() {
		if k, err := a.WriteBatch(out); err != nil || k != n {
			tb.Fatalf("WriteBatch: %d, %v", k, err)
		}
		for got := 0; got < n; {
			k, err := b.ReadBatch(in)
			if err != nil {
				tb.Fatalf("ReadBatch: %v", err)
			}
			b.ReleaseBatch(in[:k])
			got += k
		}
	}
}

// TestReceiveAllocs pins that the receive path allocates
// nothing per datagram in steady state, measured across every goroutine
// (the socket readers included) with messages and pooled buffers reused.
// On Linux both the batch path (recvmmsg, sendmmsg) and the portable one
// must be at zero; elsewhere the count is logged.
func TestReceiveAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	modes(t, func(t *testing.T, noBatch bool) {
		cfg := Config{LocalAddrs: []netip.Addr{lo4}, ReadBuffer: 1 << 20, DisableBatch: noBatch}
		a, b := listen(t, cfg), listen(t, cfg)
		const n = 32
		f := roundTrip(t, a, b, n)
		for range 20 {
			f() // warm up: fill the pool and the batches
		}
		allocs := testing.AllocsPerRun(200, f) / n
		t.Logf("%.3f allocations per datagram (send and receive)", allocs)
		if runtime.GOOS == "linux" {
			require.Zero(t, allocs)
		}
	})
}

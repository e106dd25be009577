package sim

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

var (
	addrA = netip.MustParseAddrPort("10.0.0.1:9899")
	addrB = netip.MustParseAddrPort("10.0.0.2:9899")
	addrC = netip.MustParseAddrPort("[2001:db8::3]:9899")
)

// payload returns a datagram of size bytes (at least 8) whose first 8
// bytes carry id.
func payload(id uint64, size int) []byte {
	b := make([]byte, max(size, 8))
	binary.BigEndian.PutUint64(b, id)
	for i := 8; i < len(b); i++ {
		b[i] = byte(i)
	}
	return b
}

// idOf reads the id written by payload.
func idOf(d Datagram) uint64 { return binary.BigEndian.Uint64(d.Data) }

// drainAll receives every datagram in flight, advancing virtual time to
// each arrival, and checks that arrivals never precede their sending nor
// the virtual time at which they come out.
func drainAll(t *testing.T, n *Network) []Datagram {
	t.Helper()
	var out []Datagram
	for {
		at := n.NextArrival()
		if at == timer.Never {
			return out
		}
		d, ok := n.Receive(at)
		require.True(t, ok)
		require.Equal(t, at, d.At)
		require.GreaterOrEqual(t, d.At, d.Sent)
		out = append(out, d)
	}
}

// requireBalanced checks the conservation law documented on Stats.
func requireBalanced(t *testing.T, s Stats) {
	t.Helper()
	require.Equal(t, s.Sent+s.Duplicated, s.Delivered+s.Dropped()+s.InFlight, "%+v", s)
}

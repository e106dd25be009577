package congestion

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOnECNEchoOncePerWindow: an ECN-Echo halves cwnd as a loss does
// (ssthresh = max(cwnd/2, 4*PMDCS), cwnd = ssthresh, partial_bytes_acked
// = 0); further echoes for serial numbers sent before the reduction change
// nothing; one for a serial number sent after it reduces again.
func TestOnECNEchoOncePerWindow(t *testing.T) {
	s := state(40*mtu, 100*mtu, 3*mtu)
	require.True(t, s.OnECNEcho(100, 140))
	require.Equal(t, 20*mtu, s.CWnd())
	require.Equal(t, 20*mtu, s.SSThresh())
	require.Zero(t, s.PartialBytesAcked())

	for _, tsn := range []uint32{100, 120, 140} {
		require.False(t, s.OnECNEcho(tsn, 150), "TSN %d was sent before the reduction", tsn)
	}
	require.Equal(t, 20*mtu, s.CWnd())

	require.True(t, s.OnECNEcho(141, 170))
	require.Equal(t, 10*mtu, s.CWnd())
	require.Equal(t, 10*mtu, s.SSThresh())

	// The floor of 4 PMDCS, as on a loss.
	require.True(t, s.OnECNEcho(171, 180))
	require.True(t, s.OnECNEcho(181, 190))
	require.Equal(t, 4*mtu, s.CWnd())
}

// TestOnECNEchoSerialWrap: the window compares serial numbers (RFC 1982)
// across the wrap of 32 bits.
func TestOnECNEchoSerialWrap(t *testing.T) {
	s := state(40*mtu, 100*mtu, 0)
	require.True(t, s.OnECNEcho(0xFFFFFFF0, 5))
	require.False(t, s.OnECNEcho(0xFFFFFFFF, 10))
	require.False(t, s.OnECNEcho(5, 10))
	require.True(t, s.OnECNEcho(6, 10))
}

// TestOnECNEchoReset: Reset forgets the window of the last reduction.
func TestOnECNEchoReset(t *testing.T) {
	s := state(40*mtu, 100*mtu, 0)
	require.True(t, s.OnECNEcho(10, 20))
	s.Reset(mtu, false)
	require.True(t, s.OnECNEcho(10, 20))
}

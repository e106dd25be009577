package api

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// The peer addresses a socket remembers per association give their
// storage back as the associations go: the map is made anew for what is
// left once that is a quarter of its peak (a Go map keeps its storage
// when entries are deleted), so that a server that held many
// associations does not keep their table (BenchmarkIdleAssociations,
// heapB-left/assoc).
func TestForgetPeerShrinks(t *testing.T) {
	s := &Socket{peers: make(map[AssocID]netip.AddrPort)}
	const n = 4 * minPeersShrink
	for i := range n {
		s.peers[AssocID(i+1)] = netip.AddrPortFrom(lo, uint16(i+1))
	}
	before := reflect.ValueOf(s.peers).UnsafePointer()
	for i := range n - n/4 - 1 {
		s.forgetPeerLocked(AssocID(i + 1))
	}
	require.Equal(t, before, reflect.ValueOf(s.peers).UnsafePointer(), "kept above a quarter of the peak")
	s.forgetPeerLocked(AssocID(n - n/4))
	require.NotEqual(t, before, reflect.ValueOf(s.peers).UnsafePointer(), "made anew at a quarter")
	require.Len(t, s.peers, n/4)
	for i := n - n/4 + 1; i <= n; i++ {
		require.Equal(t, netip.AddrPortFrom(lo, uint16(i)), s.peers[AssocID(i)])
	}
	require.Equal(t, n/4, s.peersPeak)
}

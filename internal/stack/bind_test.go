package stack

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// TestBind checks that Bind adds an address to the UDP sockets of a
// stack, on their port, and that a stack on another transport refuses.
func TestBind(t *testing.T) {
	s, err := New(Config{UDP: udpencap.Config{LocalAddrs: []netip.Addr{loopback}}, Shards: 1})
	require.NoError(t, err)
	defer s.Close()
	lo6 := netip.IPv6Loopback()
	if err := s.Bind([]netip.Addr{lo6}, false); err != nil {
		t.Skipf("cannot bind ::1: %v", err)
	}
	la := s.LocalAddrs()
	require.Len(t, la, 2)
	require.Equal(t, lo6, la[1].Addr())
	require.Equal(t, la[0].Port(), la[1].Port())

	ca, _ := packetiotest.Pipe()
	p, err := New(Config{Transport: packetio.NewConn(ca), Shards: 1})
	require.NoError(t, err)
	defer p.Close()
	require.ErrorIs(t, p.Bind(nil, false), ErrNotUDP)
}

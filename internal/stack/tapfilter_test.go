package stack

import (
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/packetio"
	"github.com/stretchr/testify/require"
)

// A TapFilter selects the packets of its port and, when it has addresses,
// of those addresses or of an address the transport does not tell.
func TestTapFilter(t *testing.T) {
	hdr := []byte{0x9c, 0x40, 0, 7} // SCTP ports 40000 → 7
	lo, lo2 := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	peer := netip.MustParseAddrPort("127.0.0.3:9899")
	at := func(a netip.Addr) netip.AddrPort { return netip.AddrPortFrom(a, 9899) }
	for _, c := range []struct {
		f          TapFilter
		local      netip.Addr
		recv, sent bool // received for port 7, sent from port 40000
	}{
		{TapFilter{}, lo2, true, true},
		{TapFilter{Port: 7}, lo2, true, false},
		{TapFilter{Port: 40000}, lo2, false, true},
		{TapFilter{Port: 7, Addrs: []netip.Addr{lo}}, lo, true, false},
		{TapFilter{Port: 7, Addrs: []netip.Addr{lo}}, lo2, false, false},
		{TapFilter{Port: 7, Addrs: []netip.Addr{lo}}, netip.Addr{}, true, false},
		{TapFilter{Port: 7, Addrs: []netip.Addr{lo}}, netip.IPv4Unspecified(), true, false},
		{TapFilter{Port: 40000, Addrs: []netip.Addr{lo2, lo}}, lo, false, true},
		{TapFilter{Port: 40000, Addrs: []netip.Addr{lo}}, lo2, false, false},
		{TapFilter{Port: 40000, Addrs: []netip.Addr{netip.AddrFrom16(lo.As16())}}, lo, false, true},
		// Wildcard endpoints of one family: an IPv4 one and a v6only IPv6
		// one share a port (the peer is IPv4, so is an unknown local).
		{TapFilter{Port: 7, NoIPv6: true}, lo2, true, false},
		{TapFilter{Port: 7, NoIPv4: true}, lo2, false, false},
		{TapFilter{Port: 7, NoIPv4: true}, netip.Addr{}, false, false},
		{TapFilter{Port: 40000, NoIPv4: true}, netip.IPv4Unspecified(), false, false},
		{TapFilter{Port: 40000, NoIPv6: true}, netip.IPv4Unspecified(), false, true},
		{TapFilter{Port: 7, NoIPv6: true}, netip.MustParseAddr("::ffff:127.0.0.2"), true, false},
	} {
		to := netip.AddrPort{}
		if c.local.IsValid() {
			to = at(c.local)
		}
		recv := c.f.Received(&packetio.Message{Data: hdr, From: peer, To: to})
		sent := c.f.Sent(&packetio.OutMessage{Data: hdr, To: peer, From: c.local})
		require.Equal(t, c.recv, recv, "%+v received on %v", c.f, c.local)
		require.Equal(t, c.sent, sent, "%+v sent from %v", c.f, c.local)
	}
	short := TapFilter{Port: 7}
	require.False(t, short.Received(&packetio.Message{Data: hdr[:3]}))
	require.False(t, short.Sent(&packetio.OutMessage{Data: hdr[:1]}))
}

package udpencap

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// extErr is a struct sock_extended_err with an offender address.
func extErr(origin, typ, code uint8, info uint32) []byte {
	b := binary.NativeEndian.AppendUint32(nil, uint32(unix.EMSGSIZE))
	b = append(b, origin, typ, code, 0)
	b = binary.NativeEndian.AppendUint32(b, info)
	b = binary.NativeEndian.AppendUint32(b, 0)
	return append(b, make([]byte, 16)...) // the offender (sockaddr_in)
}

// parsePTB takes the MTU of ICMP Fragmentation Needed and ICMPv6 Packet
// Too Big reports of the error queue, and nothing of other reports
// (port unreachable, local errors), other control messages, or short
// data.
func TestParsePTB(t *testing.T) {
	for _, tc := range []struct {
		name string
		oob  []byte
		want int
	}{
		{"ICMP fragmentation needed", cmsg(nil, unix.IPPROTO_IP, unix.IP_RECVERR, extErr(unix.SO_EE_ORIGIN_ICMP, 3, 4, 1280)), 1280},
		{"ICMPv6 packet too big", cmsg(nil, unix.IPPROTO_IPV6, unix.IPV6_RECVERR, extErr(unix.SO_EE_ORIGIN_ICMP6, 2, 0, 1400)), 1400},
		{"ICMP port unreachable", cmsg(nil, unix.IPPROTO_IP, unix.IP_RECVERR, extErr(unix.SO_EE_ORIGIN_ICMP, 3, 3, 0)), 0},
		{"local error", cmsg(nil, unix.IPPROTO_IP, unix.IP_RECVERR, extErr(unix.SO_EE_ORIGIN_LOCAL, 0, 0, 1500)), 0},
		{"ICMPv6 unreachable", cmsg(nil, unix.IPPROTO_IPV6, unix.IPV6_RECVERR, extErr(unix.SO_EE_ORIGIN_ICMP6, 1, 4, 0)), 0},
		{"short", cmsg(nil, unix.IPPROTO_IP, unix.IP_RECVERR, extErr(unix.SO_EE_ORIGIN_ICMP, 3, 4, 1280)[:12]), 0},
		{"other first", cmsg(cmsg(nil, unix.IPPROTO_IP, unix.IP_TOS, []byte{1}), unix.IPPROTO_IP, unix.IP_RECVERR,
			extErr(unix.SO_EE_ORIGIN_ICMP, 3, 4, 1280)), 1280},
		{"empty", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, parsePTB(tc.oob)) })
	}
	a, ok := sockaddrPort(&unix.SockaddrInet4{Addr: [4]byte{10, 2, 0, 2}, Port: 9899})
	require.True(t, ok)
	require.Equal(t, netip.MustParseAddrPort("10.2.0.2:9899"), a)
	_, ok = sockaddrPort(&unix.SockaddrUnix{Name: "x"})
	require.False(t, ok)
}

// EnablePTB sets IP_RECVERR or IPV6_RECVERR on the sockets, those bound
// later too.
func TestEnablePTBSockopts(t *testing.T) {
	need127x(t)
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	require.NoError(t, c.EnablePTB())
	require.NoError(t, c.Bind([]netip.Addr{lo4b}, false))
	require.Len(t, c.sockets(), 2)
	for _, s := range c.sockets() {
		rc, err := s.std.SyscallConn()
		require.NoError(t, err)
		var v int
		require.NoError(t, rc.Control(func(fd uintptr) { v, err = unix.GetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_RECVERR) }))
		require.NoError(t, err)
		require.Equal(t, 1, v, "socket %v", s.local)
	}
}

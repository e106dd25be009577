package udpencap

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// cint is a C int in native byte order: the data of IP_TTL, IPV6_TCLASS
// and IPV6_HOPLIMIT.
func cint(v int32) []byte { return binary.NativeEndian.AppendUint32(nil, uint32(v)) }

// parseIPInfo reads the four control messages the sockets ask for (IP_TOS
// is one byte, the others a C int; see ip(7) and ipv6(7)), skips others,
// and stops at malformed or truncated data without reading past it.
func TestParseIPInfo(t *testing.T) {
	v4 := cmsg(cmsg(nil, unix.IPPROTO_IP, unix.IP_TOS, []byte{0x28}), unix.IPPROTO_IP, unix.IP_TTL, cint(33))
	v6 := cmsg(cmsg(nil, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, cint(0xb8)), unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, cint(255))
	other := cmsg(nil, unix.SOL_SOCKET, unix.SO_TIMESTAMP, make([]byte, 16))
	// The kernel's put_cmsg cuts the message that does not fit down to
	// what is left of the buffer, cmsg_len included, and sets MSG_CTRUNC.
	truncTTL := cmsg(nil, unix.IPPROTO_IP, unix.IP_TTL, cint(33))[:unix.CmsgLen(2)]
	if cmsgLenSize == 8 {
		binary.NativeEndian.PutUint64(truncTTL, uint64(unix.CmsgLen(2)))
	} else {
		binary.NativeEndian.PutUint32(truncTTL, uint32(unix.CmsgLen(2)))
	}
	badLen := cmsg(nil, unix.IPPROTO_IP, unix.IP_TOS, []byte{0x28})
	binary.NativeEndian.PutUint32(badLen, 1) // shorter than the header (low bytes of cmsg_len)
	long := cmsg(nil, unix.IPPROTO_IP, unix.IP_TOS, []byte{0x28})
	binary.NativeEndian.PutUint32(long, 4096) // beyond the buffer

	for _, tc := range []struct {
		name string
		oob  []byte
		want IPInfo
	}{
		{"empty", nil, IPInfo{}},
		{"IPv4", v4, IPInfo{TOS: 0x28, TTL: 33, Has: RecvTOS | RecvTTL}},
		{"IPv6", v6, IPInfo{TClass: 0xb8, HopLimit: 255, Has: RecvTClass | RecvHopLimit}},
		{"other first", append(append([]byte(nil), other...), v4...), IPInfo{TOS: 0x28, TTL: 33, Has: RecvTOS | RecvTTL}},
		{"TOS of zero", cmsg(nil, unix.IPPROTO_IP, unix.IP_TOS, []byte{0}), IPInfo{Has: RecvTOS}},
		{"truncated last", append(cmsg(nil, unix.IPPROTO_IP, unix.IP_TOS, []byte{0x28}), truncTTL...),
			IPInfo{TOS: 0x28, Has: RecvTOS}},
		{"header cut", v4[:unix.CmsgLen(0)-1], IPInfo{}},
		{"cmsg_len too short", append(badLen, v6...), IPInfo{}},
		{"cmsg_len beyond the buffer", long, IPInfo{}},
		{"IPv6 level, IPv4 type", cmsg(nil, unix.IPPROTO_IPV6, unix.IP_TOS, []byte{1}), IPInfo{}},
		{"no padding after the last", v4[:len(v4)-(unix.CmsgSpace(4)-unix.CmsgLen(4))],
			IPInfo{TOS: 0x28, TTL: 33, Has: RecvTOS | RecvTTL}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := parseIPInfo(tc.oob)
			require.Equal(t, tc.want, got)
		})
	}
	require.Zero(t, testing.AllocsPerRun(100, func() { _, _ = parseIPInfo(v4) }))
}

// The options are set on the sockets of the family they belong to, and
// cleared with the last request.
func TestRecvIPSockopts(t *testing.T) {
	need6(t)
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4, lo6}})
	get := func(s *socket, level, opt int) int {
		rc, err := s.std.SyscallConn()
		require.NoError(t, err)
		var v int
		var gerr error
		require.NoError(t, rc.Control(func(fd uintptr) { v, gerr = unix.GetsockoptInt(int(fd), level, opt) }))
		require.NoError(t, gerr)
		return v
	}
	s4, s6 := c.sockets()[0], c.sockets()[1]
	require.NoError(t, c.AddRecvIP(RecvTOS|RecvHopLimit))
	require.Equal(t, 1, get(s4, unix.IPPROTO_IP, unix.IP_RECVTOS))
	require.Equal(t, 0, get(s4, unix.IPPROTO_IP, unix.IP_RECVTTL))
	require.Equal(t, 0, get(s6, unix.IPPROTO_IPV6, unix.IPV6_RECVTCLASS))
	require.Equal(t, 1, get(s6, unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT))
	require.NoError(t, c.RemoveRecvIP(RecvTOS|RecvHopLimit))
	require.Equal(t, 0, get(s4, unix.IPPROTO_IP, unix.IP_RECVTOS))
	require.Equal(t, 0, get(s6, unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT))
}

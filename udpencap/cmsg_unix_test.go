//go:build linux || darwin

package udpencap

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// cmsg appends one control message as the kernel lays it out: struct
// cmsghdr (cmsg_len counts the header and the data, not the padding),
// the data, and padding to the next aligned header.
func cmsg(b []byte, level, typ int, data []byte) []byte {
	hdr := make([]byte, unix.CmsgLen(0))
	if cmsgLenSize == 8 {
		binary.NativeEndian.PutUint64(hdr, uint64(unix.CmsgLen(len(data))))
	} else {
		binary.NativeEndian.PutUint32(hdr, uint32(unix.CmsgLen(len(data))))
	}
	binary.NativeEndian.PutUint32(hdr[cmsgLenSize:], uint32(int32(level)))
	binary.NativeEndian.PutUint32(hdr[cmsgLenSize+4:], uint32(int32(typ)))
	b = append(b, hdr...)
	b = append(b, data...)
	return append(b, make([]byte, unix.CmsgSpace(len(data))-unix.CmsgLen(len(data)))...)
}

// TestParseDestination checks that parseIPInfo finds the destination
// address of a datagram in IP_PKTINFO (its ipi_addr, not ipi_spec_dst)
// and IPV6_PKTINFO, after other messages, without allocating, and that
// a message cut short yields none.
func TestParseDestination(t *testing.T) {
	v4 := make([]byte, unix.SizeofInet4Pktinfo)
	copy(v4[4:8], []byte{127, 0, 0, 9}) // ipi_spec_dst: the route's source
	copy(v4[8:12], []byte{127, 0, 0, 2})
	v6 := make([]byte, unix.SizeofInet6Pktinfo)
	a6 := lo6.As16()
	copy(v6, a6[:])
	other := cmsg(nil, unix.SOL_SOCKET, unix.SCM_RIGHTS, []byte{1, 2, 3, 4})
	for _, tc := range []struct {
		oob  []byte
		want netip.Addr
	}{
		{cmsg(other, unix.IPPROTO_IP, unix.IP_PKTINFO, v4), lo4b},
		{cmsg(other, unix.IPPROTO_IPV6, unix.IPV6_PKTINFO, v6), lo6},
		{cmsg(nil, unix.IPPROTO_IP, unix.IP_PKTINFO, v4[:8]), netip.Addr{}},
		{cmsg(nil, unix.IPPROTO_IPV6, unix.IPV6_PKTINFO, v6)[:unix.CmsgLen(8)], netip.Addr{}},
	} {
		_, dst := parseIPInfo(tc.oob)
		require.Equal(t, tc.want, dst)
	}
	oob := cmsg(other, unix.IPPROTO_IP, unix.IP_PKTINFO, v4)
	require.Zero(t, testing.AllocsPerRun(100, func() { _, _ = parseIPInfo(oob) }))
}

//go:build linux || darwin

package udpencap

import (
	"encoding/binary"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// cmsgLenSize is the size of cmsg_len (size_t on Linux, socklen_t on
// macOS).
const cmsgLenSize = int(unsafe.Sizeof(unix.Cmsghdr{}.Len))

// cmsgs walks the control messages of the control data recvmsg(2)
// returned, without allocating. A message cut short (the kernel
// truncates the last one that does not fit and sets MSG_CTRUNC) ends
// the walk, and so does a malformed header.
type cmsgs struct{ b []byte }

// next returns the level, type and data of the next control message.
func (c *cmsgs) next() (level, typ int, data []byte, ok bool) {
	hdr := unix.CmsgLen(0) // the aligned header size
	oob := c.b
	if len(oob) < hdr {
		return 0, 0, nil, false
	}
	// struct cmsghdr {len; int level; int type}, read field by field: the
	// buffer need not be aligned for a pointer conversion.
	var l int
	if cmsgLenSize == 8 {
		l = int(min(binary.NativeEndian.Uint64(oob), uint64(len(oob)+1)))
	} else {
		l = int(binary.NativeEndian.Uint32(oob))
	}
	if l < hdr || l > len(oob) {
		c.b = nil
		return 0, 0, nil, false
	}
	level = int(int32(binary.NativeEndian.Uint32(oob[cmsgLenSize:])))
	typ = int(int32(binary.NativeEndian.Uint32(oob[cmsgLenSize+4:])))
	data = oob[hdr:l]
	if next := unix.CmsgSpace(l - hdr); next < len(oob) {
		c.b = oob[next:]
	} else {
		c.b = nil
	}
	return level, typ, data, true
}

// parseDst returns the destination address of a datagram that an
// IP_PKTINFO or IPV6_PKTINFO control message carries, if it is one.
func parseDst(level, typ int, data []byte) (netip.Addr, bool) {
	switch {
	case level == unix.IPPROTO_IP && typ == unix.IP_PKTINFO && len(data) >= unix.SizeofInet4Pktinfo:
		// struct in_pktinfo {ifindex; in_addr spec_dst; in_addr addr}:
		// addr is the header's destination address.
		return netip.AddrFrom4([4]byte(data[8:12])), true
	case level == unix.IPPROTO_IPV6 && typ == unix.IPV6_PKTINFO && len(data) >= unix.SizeofInet6Pktinfo:
		// struct in6_pktinfo {in6_addr addr; ifindex} (RFC 3542
		// Section 6.1).
		return netip.AddrFrom16([16]byte(data[:16])).Unmap(), true
	}
	return netip.Addr{}, false
}

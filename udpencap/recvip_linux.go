package udpencap

import (
	"encoding/binary"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// recvIPSupported: the sockets can report IP header fields.
const recvIPSupported = true

// ctrlSpace is the control buffer of one received datagram: room for the
// two control messages of its family (IP_TOS and IP_TTL, or IPV6_TCLASS
// and IPV6_HOPLIMIT) and its PKTINFO, with as much again to spare.
var ctrlSpace = 2 * (2*unix.CmsgSpace(4) + pktinfoSpace)

// setRecvIP turns IP_RECVTOS and IP_RECVTTL (IPv4 socket), or
// IPV6_RECVTCLASS and IPV6_RECVHOPLIMIT (IPv6 socket), on or off where
// want differs from old. The IPv6 sockets of a Conn are IPv6-only (the
// standard library sets IPV6_V6ONLY for "udp6"), so they need none of the
// IPv4 options. It returns the first refusal and tries every option.
func setRecvIP(c *net.UDPConn, is4 bool, old, want RecvIP) error {
	type opt struct {
		bit        RecvIP
		level, opt int
	}
	opts := [2]opt{{RecvTOS, unix.IPPROTO_IP, unix.IP_RECVTOS}, {RecvTTL, unix.IPPROTO_IP, unix.IP_RECVTTL}}
	if !is4 {
		opts = [2]opt{{RecvTClass, unix.IPPROTO_IPV6, unix.IPV6_RECVTCLASS},
			{RecvHopLimit, unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT}}
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var first error
	cerr := rc.Control(func(fd uintptr) {
		for _, o := range opts {
			if (old^want)&o.bit == 0 {
				continue
			}
			v := 0
			if want&o.bit != 0 {
				v = 1
			}
			if err := unix.SetsockoptInt(int(fd), o.level, o.opt, v); err != nil && first == nil {
				first = err
			}
		}
	})
	if cerr != nil {
		return cerr
	}
	return first
}

// parseIPInfo reads the IP_TOS, IP_TTL, IPV6_TCLASS and IPV6_HOPLIMIT
// control messages of oob, the control data recvmsg(2) returned, and the
// destination address of the datagram from IP_PKTINFO or IPV6_PKTINFO
// (the zero Addr without), without allocating. Other control messages
// are skipped, and so are a message cut short and what follows a
// malformed header (see cmsgs).
func parseIPInfo(oob []byte) (IPInfo, netip.Addr) {
	var info IPInfo
	var dst netip.Addr
	it := cmsgs{b: oob}
	for {
		level, typ, data, ok := it.next()
		if !ok {
			return info, dst
		}
		switch {
		case level == unix.IPPROTO_IP && typ == unix.IP_TOS && len(data) >= 1:
			info.TOS = data[0] // a single byte (ip_cmsg_recv_tos)
			info.Has |= RecvTOS
		case level == unix.IPPROTO_IP && typ == unix.IP_TTL && len(data) >= 4:
			info.TTL = uint8(binary.NativeEndian.Uint32(data))
			info.Has |= RecvTTL
		case level == unix.IPPROTO_IPV6 && typ == unix.IPV6_TCLASS && len(data) >= 4:
			info.TClass = uint8(binary.NativeEndian.Uint32(data))
			info.Has |= RecvTClass
		case level == unix.IPPROTO_IPV6 && typ == unix.IPV6_HOPLIMIT && len(data) >= 4:
			info.HopLimit = uint8(binary.NativeEndian.Uint32(data))
			info.Has |= RecvHopLimit
		default:
			if a, ok := parseDst(level, typ, data); ok {
				dst = a
			}
		}
	}
}

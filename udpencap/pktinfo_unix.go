//go:build linux || darwin

package udpencap

import (
	"net"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pktinfoSupported: wildcard sockets learn the destination address of
// each datagram and set the source address of each one they send.
const pktinfoSupported = true

// pktinfoSpace is room for one IP_PKTINFO or IPV6_PKTINFO control
// message: unix.CmsgSpace(unix.SizeofInet6Pktinfo), the larger, is 40 on
// 64-bit platforms and 32 on 32-bit ones.
const pktinfoSpace = 40

// setPktinfo asks the kernel for the destination address of each
// datagram c receives: IP_PKTINFO on Linux or IP_RECVPKTINFO on macOS
// (IPv4 socket, recvPktinfo4), or IPV6_RECVPKTINFO (IPv6 socket, RFC 3542
// Section 6.1).
func setPktinfo(c *net.UDPConn, is4 bool) error {
	level, opt := unix.IPPROTO_IP, recvPktinfo4
	if !is4 {
		level, opt = unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO
	}
	return setOptOn(c, level, opt)
}

// setOptOn sets the integer socket option level, opt of c to 1.
func setOptOn(c *net.UDPConn, level, opt int) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), level, opt, 1) }); err != nil {
		return err
	}
	return serr
}

// putPktinfo writes into c the control message that makes src the source
// address of a datagram sent with sendmsg(2) (IP_PKTINFO with
// ipi_spec_dst, or IPV6_PKTINFO, RFC 3542 Section 6.3) and returns its
// space. c must hold pktinfoSpace bytes.
func putPktinfo(c []byte, src netip.Addr) int {
	clear(c[:pktinfoSpace])
	h := (*unix.Cmsghdr)(unsafe.Pointer(&c[0]))
	data := c[unix.CmsgLen(0):]
	if src.Is4() {
		h.Level, h.Type = unix.IPPROTO_IP, unix.IP_PKTINFO
		h.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
		a := src.As4()
		copy(data[4:8], a[:]) // ipi_spec_dst
		return unix.CmsgSpace(unix.SizeofInet4Pktinfo)
	}
	h.Level, h.Type = unix.IPPROTO_IPV6, unix.IPV6_PKTINFO
	h.SetLen(unix.CmsgLen(unix.SizeofInet6Pktinfo))
	a := src.As16()
	copy(data[:16], a[:]) // ipi6_addr
	return unix.CmsgSpace(unix.SizeofInet6Pktinfo)
}

package udpencap

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// ecnSupported: the sockets set the ECN field per datagram.
const ecnSupported = true

// ecnSpace is room for one IP_TOS or IPV6_TCLASS control message.
var ecnSpace = unix.CmsgSpace(4)

// putTOS writes into c the control message that makes tos the TOS byte
// (IPv4, IP_TOS) or traffic class (IPv6, IPV6_TCLASS, RFC 3542 Section
// 6.5) of a datagram sent with sendmsg(2), and returns its space. c must
// hold ecnSpace bytes.
func putTOS(c []byte, is4 bool, tos int) int {
	clear(c[:ecnSpace])
	h := (*unix.Cmsghdr)(unsafe.Pointer(&c[0]))
	h.Level, h.Type = unix.IPPROTO_IPV6, unix.IPV6_TCLASS
	if is4 {
		h.Level, h.Type = unix.IPPROTO_IP, unix.IP_TOS
	}
	h.SetLen(unix.CmsgLen(4))
	*(*int32)(unsafe.Pointer(&c[unix.CmsgLen(0)])) = int32(tos)
	return ecnSpace
}

package udpencap

import (
	"encoding/binary"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// ptbSupported: the sockets read their error queue.
const ptbSupported = true

// sizeofSockExtendedErr is the size of struct sock_extended_err.
const sizeofSockExtendedErr = 16

// maxErrDrain bounds the reports one drain reads: the error queue is
// bounded by the socket's receive buffer, and what is left waits for the
// next drain.
const maxErrDrain = 64

// setRecvErr turns IP_RECVERR (IPv4 socket) or IPV6_RECVERR on.
func setRecvErr(c *net.UDPConn, is4 bool) error {
	level, opt := unix.IPPROTO_IPV6, unix.IPV6_RECVERR
	if is4 {
		level, opt = unix.IPPROTO_IP, unix.IP_RECVERR
	}
	return setOptOn(c, level, opt)
}

// readPTB drains the error queue of s (recvmsg with MSG_ERRQUEUE, without
// blocking) into ms: one message per Packet Too Big report, with the
// quoted datagram in Data, the destination of the datagram in From and
// the MTU in PTB. It returns how many it filled; other reports are
// dropped.
func (s *socket) readPTB(ms []Message) int {
	if s.std == nil || len(ms) == 0 {
		return 0
	}
	rc, err := s.std.SyscallConn()
	if err != nil {
		return 0
	}
	var oob [128]byte
	k := 0
	_ = rc.Control(func(fd uintptr) {
		for range maxErrDrain {
			m := &ms[k]
			n, oobn, _, from, err := unix.Recvmsg(int(fd), m.Buf, oob[:], unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
			if err != nil {
				return // EAGAIN: drained
			}
			mtu := parsePTB(oob[:oobn])
			to, ok := sockaddrPort(from)
			if mtu == 0 || !ok {
				continue
			}
			m.Data, m.From, m.To, m.IP, m.PTB = m.Buf[:n], to, s.local, IPInfo{}, mtu
			if k++; k == len(ms) {
				return
			}
		}
	})
	return k
}

// parsePTB returns the MTU of the ICMP Fragmentation Needed (type 3 code
// 4) or ICMPv6 Packet Too Big (type 2) report in the control data of an
// error queue message (a sock_extended_err in an IP_RECVERR or
// IPV6_RECVERR control message), 0 for any other report.
func parsePTB(oob []byte) int {
	it := cmsgs{b: oob}
	for {
		level, typ, data, ok := it.next()
		if !ok {
			return 0
		}
		if !(level == unix.IPPROTO_IP && typ == unix.IP_RECVERR ||
			level == unix.IPPROTO_IPV6 && typ == unix.IPV6_RECVERR) || len(data) < sizeofSockExtendedErr {
			continue
		}
		// struct sock_extended_err {u32 ee_errno; u8 ee_origin, ee_type,
		// ee_code, ee_pad; u32 ee_info; u32 ee_data}.
		origin, icmpType, code := data[4], data[5], data[6]
		info := int(binary.NativeEndian.Uint32(data[8:]))
		switch {
		case origin == unix.SO_EE_ORIGIN_ICMP && icmpType == 3 && code == 4,
			origin == unix.SO_EE_ORIGIN_ICMP6 && icmpType == 2:
			return info
		}
	}
}

// sockaddrPort converts the address recvmsg reported.
func sockaddrPort(sa unix.Sockaddr) (netip.AddrPort, bool) {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)), true
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), uint16(sa.Port)), true
	}
	return netip.AddrPort{}, false
}

package udpencap

import (
	"net"

	"golang.org/x/sys/unix"
)

// DontFragmentSupported reports whether SetDontFragment reaches the
// packets here.
const DontFragmentSupported = true

// setDontFragment sets IP_MTU_DISCOVER (IPv4) or IPV6_MTU_DISCOVER (IPv6,
// and IP_MTU_DISCOVER too for the IPv4-mapped peers of a dual-stack
// socket) to PROBE, or back to WANT.
func setDontFragment(c *net.UDPConn, is4, on bool) error {
	v4, v6 := unix.IP_PMTUDISC_WANT, unix.IPV6_PMTUDISC_WANT
	if on {
		v4, v6 = unix.IP_PMTUDISC_PROBE, unix.IPV6_PMTUDISC_PROBE
	}
	return controlFD(c, func(fd int) error {
		if is4 {
			return unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, v4)
		}
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, v4) // mapped: best effort
		return unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, v6)
	})
}

package udpencap

import (
	"net"

	"golang.org/x/sys/unix"
)

// DontFragmentSupported reports whether SetDontFragment reaches the
// packets here.
const DontFragmentSupported = true

// setDontFragment sets IP_DONTFRAG (IPv4) or IPV6_DONTFRAG (IPv6).
func setDontFragment(c *net.UDPConn, is4, on bool) error {
	v := 0
	if on {
		v = 1
	}
	return controlFD(c, func(fd int) error {
		if is4 {
			return unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_DONTFRAG, v)
		}
		return unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_DONTFRAG, v)
	})
}

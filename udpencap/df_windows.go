package udpencap

import (
	"net"

	"golang.org/x/sys/windows"
)

// DontFragmentSupported reports whether SetDontFragment reaches the
// packets here.
const DontFragmentSupported = true

// Windows' older options, not in x/sys/windows: IP_DONTFRAGMENT (ws2ipdef.h)
// and IPV6_DONTFRAG.
const (
	ipDontFragment = 14
	ipv6DontFrag   = 14
)

// setDontFragment sets IP_MTU_DISCOVER or IPV6_MTU_DISCOVER to PROBE (or
// NOT_SET), falling back to IP_DONTFRAGMENT or IPV6_DONTFRAG where the
// former are missing (before Windows 10 1703).
func setDontFragment(c *net.UDPConn, is4, on bool) error {
	mode, v := windows.IP_PMTUDISC_NOT_SET, 0
	if on {
		mode, v = windows.IP_PMTUDISC_PROBE, 1
	}
	level, opt, old := windows.IPPROTO_IP, windows.IP_MTU_DISCOVER, ipDontFragment
	if !is4 {
		level, opt, old = windows.IPPROTO_IPV6, windows.IPV6_MTU_DISCOVER, ipv6DontFrag
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		h := windows.Handle(fd)
		if serr = windows.SetsockoptInt(h, level, opt, mode); serr != nil {
			serr = windows.SetsockoptInt(h, level, old, v)
		}
	}); err != nil {
		return err
	}
	return serr
}

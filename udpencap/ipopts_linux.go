package udpencap

import (
	"net"

	"golang.org/x/sys/unix"
)

// sysSockOpts reads SO_DONTROUTE and SO_PRIORITY of c, keeping dr and prio
// when it cannot.
func sysSockOpts(c *net.UDPConn, dr bool, prio int) (bool, int) {
	rc, err := c.SyscallConn()
	if err != nil {
		return dr, prio
	}
	_ = rc.Control(func(fd uintptr) {
		if v, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DONTROUTE); err == nil {
			dr = v != 0
		}
		if v, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PRIORITY); err == nil {
			prio = v
		}
	})
	return dr, prio
}

// setSockOpt sets an integer SOL_SOCKET option of c.
func setSockOpt(c *net.UDPConn, opt, v int) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, opt, v)
	}); err != nil {
		return err
	}
	return serr
}

func setDontRoute(c *net.UDPConn, on bool) error {
	v := 0
	if on {
		v = 1
	}
	return setSockOpt(c, unix.SO_DONTROUTE, v)
}

func setPriority(c *net.UDPConn, prio int) error { return setSockOpt(c, unix.SO_PRIORITY, prio) }

// BindToDeviceSupported reports whether SetBindToDevice can work here:
// SO_BINDTODEVICE exists (Linux).
const BindToDeviceSupported = true

// boundDevice reads SO_BINDTODEVICE of c, keeping dev when it cannot.
func boundDevice(c *net.UDPConn, dev string) string {
	rc, err := c.SyscallConn()
	if err != nil {
		return dev
	}
	_ = rc.Control(func(fd uintptr) {
		if v, err := unix.GetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE); err == nil {
			dev = v
		}
	})
	return dev
}

// setBindToDevice sets SO_BINDTODEVICE on c ("" unbinds).
func setBindToDevice(c *net.UDPConn, ifname string) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, ifname)
	}); err != nil {
		return err
	}
	return serr
}

//go:build linux || darwin

package udpencap

import "net"

// controlFD runs f on the descriptor of c and returns its error.
func controlFD(c *net.UDPConn, f func(fd int) error) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = f(int(fd)) }); err != nil {
		return err
	}
	return serr
}

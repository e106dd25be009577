//go:build unix

package udpencap

import (
	"context"
	"net"
	"syscall"

	"github.com/pion/transport/v3"
	"golang.org/x/sys/unix"
)

// reuseSupported: a wildcard socket can be bound beside specific ones of
// the Conn on the same port (see Conn.Bind).
const reuseSupported = true

// listenReuse binds a standard-library UDP socket with SO_REUSEADDR set
// while it binds, then cleared: Linux lets a wildcard and a specific
// address share a UDP port only when every socket involved has it (the
// caller sets it on its own sockets around the call, setReuse), BSD
// when the new one has it.
func listenReuse(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	uc, err := listenWith(network, laddr, unix.SO_REUSEADDR)
	if err != nil {
		return nil, err
	}
	if err := setReuse(uc, false); err != nil {
		_ = uc.Close()
		return nil, err
	}
	return uc, nil
}

// listenWith binds a standard-library UDP socket with the socket option
// opt (level SOL_SOCKET) set to 1 before it binds.
func listenWith(network string, laddr *net.UDPAddr, opt int) (*net.UDPConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, opt, 1)
		}); err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(context.Background(), network, laddr.String())
	if err != nil {
		return nil, err
	}
	return pc.(*net.UDPConn), nil
}

// setReuse sets or clears SO_REUSEADDR on c.
func setReuse(c *net.UDPConn, on bool) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	v := 0
	if on {
		v = 1
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, v)
	}); err != nil {
		return err
	}
	return serr
}

package udpencap

import (
	"fmt"
	"net"

	"github.com/pion/transport/v3"
	"golang.org/x/sys/unix"
)

// groupSupported: the kernel steers the datagrams of a socket group
// (see queues.go).
const groupSupported = true

// openGroup makes s the first member of a group of n sockets (see
// queues.go): it allows SO_REUSEPORT on s, binds the n-1 others to its
// address and attaches the steering program; it returns the others, or
// an error after closing what it opened.
func (c *Conn) openGroup(s *socket, n int) ([]*socket, error) {
	if s.std == nil {
		return nil, errQueue
	}
	if err := setReusePort(s.std, true); err != nil {
		return nil, err
	}
	var g []*socket
	fail := func(err error) ([]*socket, error) {
		for _, x := range g {
			_ = x.uc.Close()
		}
		closePort(s)
		return nil, err
	}
	for k := 1; k < n; k++ {
		x, err := c.open(c.cfg, s.local.Addr(), int(s.local.Port()), c.paths, listenMember)
		if err != nil {
			return fail(err)
		}
		x.q = k
		g = append(g, x)
	}
	if err := attachSteering(s.std, n); err != nil {
		return fail(err)
	}
	return g, nil
}

// closePort clears SO_REUSEPORT on s, the first member of a group whose
// other members are closed: the port is its own again, as without a
// group, and no other socket can join it.
func closePort(s *socket) { _ = setReusePort(s.std, false) }

// listenMember binds the members of a group beyond the first
// (listenReusePort; tests make it fail).
var listenMember listenFunc = listenReusePort

// listenReusePort binds a standard-library UDP socket with SO_REUSEPORT
// set, to join the group of the socket bound to laddr.
func listenReusePort(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	return listenWith(network, laddr, unix.SO_REUSEPORT)
}

// setReusePort sets or clears SO_REUSEPORT on c.
func setReusePort(c *net.UDPConn, on bool) error {
	v := 0
	if on {
		v = 1
	}
	return control(c, func(fd int) error { return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, v) })
}

// attachSteering attaches to the group of c the classic BPF program that
// returns the member of a datagram: its SCTP verification tag, the 32-bit
// big-endian word at offset 4 of the UDP payload (which is where the
// program's packet starts), mod n. A datagram too short for it ends the
// program with 0: the first member.
func attachSteering(c *net.UDPConn, n int) error {
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 4},
		{Code: unix.BPF_ALU | unix.BPF_MOD | unix.BPF_K, K: uint32(n)},
		{Code: unix.BPF_RET | unix.BPF_A},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	return control(c, func(fd int) error {
		return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_REUSEPORT_CBPF, &fprog)
	})
}

// control runs fn on the descriptor of c.
func control(c *net.UDPConn, fn func(fd int) error) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = fn(int(fd)) }); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("udpencap: socket group: %w", serr)
	}
	return nil
}

package udpencap

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"

	"github.com/pion/transport/v3"
	"github.com/stretchr/testify/require"
)

// A Conn whose socket group cannot be made for one of its addresses keeps
// one queue, and the ports of its other addresses, whose groups it closes,
// are its own again: a socket of another process of the same user with
// SO_REUSEPORT could join the first address's port, which kept
// SO_REUSEPORT and the steering program, and take the datagrams steered
// to its place in the group.
func TestQueuesGroupFailureClosesThePorts(t *testing.T) {
	need127x(t)
	listenMember = func(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
		if laddr.IP.Equal(lo4b.AsSlice()) {
			return nil, errors.New("no more sockets")
		}
		return listenReusePort(network, laddr)
	}
	defer func() { listenMember = listenReusePort }()
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4, lo4b}, Queues: 2})
	require.Equal(t, 1, c.SetQueues(2), "no groups")
	for _, a := range c.LocalAddrs() {
		x, err := listenReusePort("udp4", net.UDPAddrFromAddrPort(a))
		if err == nil {
			_ = x.Close()
		}
		require.ErrorIs(t, err, syscall.EADDRINUSE, "%v open to SO_REUSEPORT sockets", a)
	}
}

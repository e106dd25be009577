package udpencap

import (
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestUnbind closes the socket(s) of 127.0.0.2 on a Conn bound to
// 127.0.0.1 and 127.0.0.2, with a group of sockets per address (Queues)
// and without: the port on 127.0.0.2 is free (another socket binds it),
// the reader of the closed socket ends without ReadBatch reporting an
// error, 127.0.0.1 still receives, and Bind opens 127.0.0.2 again.
func TestUnbind(t *testing.T) {
	need127x(t)
	for _, queues := range []int{0, 2} {
		c := listen(t, Config{LocalAddrs: []netip.Addr{lo4, lo4b}, Queues: queues})
		if queues > 1 {
			require.Equal(t, queues, c.SetQueues(queues))
		}
		port := uint16(c.Port())
		lo2 := net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo4b, port))
		_, err := net.ListenUDP("udp4", lo2)
		require.Error(t, err, "bound by the Conn")
		sock := c.sockFor(lo4b, lo4) // as a write racing Unbind chose it
		require.Equal(t, lo4b, sock.local.Addr())
		require.NoError(t, c.Unbind([]netip.Addr{lo4b, netip.IPv4Unspecified(), lo6}))
		// Its write fails, but not as a closed Conn (which would end the
		// writes of its user).
		_, err = sock.write([]OutMessage{{Data: []byte("z"), To: netip.AddrPortFrom(lo4, port), From: lo4b}})
		require.Error(t, err)
		require.NotErrorIs(t, sock.unboundErr(err), net.ErrClosed)
		require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(lo4, port)}, c.LocalAddrs())
		u, err := net.ListenUDP("udp4", lo2)
		require.NoError(t, err, "queues %d: the port on 127.0.0.2 is free", queues)
		require.NoError(t, u.Close())
		// Nothing reported for the closed socket, and 127.0.0.1 works.
		out, err := tryReadN(c, 1, 200*time.Millisecond)
		require.Empty(t, out)
		require.ErrorIs(t, err, os.ErrDeadlineExceeded, "queues %d", queues)
		p := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
		require.NoError(t, p.WriteTo([]byte("x"), netip.AddrPortFrom(lo4, port), netip.Addr{}))
		require.Equal(t, "x", string(readN(t, c, 1, 5*time.Second)[0].data))
		// Bound again, it receives.
		require.NoError(t, c.Bind([]netip.Addr{lo4b}, false))
		require.NoError(t, p.WriteTo([]byte("y"), netip.AddrPortFrom(lo4b, port), netip.Addr{}))
		m := readN(t, c, 1, 5*time.Second)[0]
		require.Equal(t, "y", string(m.data))
		require.Equal(t, netip.AddrPortFrom(lo4b, port), m.to)
		require.NoError(t, c.Close())
		require.ErrorIs(t, c.Unbind([]netip.Addr{lo4b}), net.ErrClosed)
	}
}

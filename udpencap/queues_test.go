package udpencap

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/gensctp/gensctp/packetio"
	"github.com/stretchr/testify/require"
)

// sctpLike returns a datagram that looks like an SCTP packet with
// verification tag tag and the sequence number i in its first chunk.
func sctpLike(tag uint32, i int) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint32(b[4:8], tag)
	binary.BigEndian.PutUint32(b[12:16], uint32(i))
	return b
}

// readQueue reads from queue q of c until timeout and returns copies of
// the datagrams.
func readQueue(c *Conn, q int, timeout time.Duration) ([][]byte, error) {
	_ = c.SetReadDeadline(time.Now().Add(timeout))
	defer func() { _ = c.SetReadDeadline(time.Time{}) }()
	msgs := make([]Message, 16)
	var out [][]byte
	for {
		k, err := c.ReadQueue(q, msgs)
		for i := range k {
			out = append(out, append([]byte(nil), msgs[i].Data...))
		}
		c.ReleaseBatch(msgs[:k])
		if err != nil {
			return out, err
		}
	}
}

// With Queues set, a Conn on Linux gives each address a group of sockets
// that the kernel steers by SCTP verification tag: after SetQueues, the
// datagram with tag t arrives on queue t mod n (packetio.QueueOf), in the
// order sent, and a datagram too short to have a tag on queue 0; a
// socket without SO_REUSEPORT still cannot bind the port. Where
// there are no such groups, SetQueues refuses (1) and ReadBatch reads
// everything. A queue the Conn does not have is an error.
func TestQueuesSteerByTag(t *testing.T) {
	const n = 3
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, Queues: n})
	if !groupSupported {
		require.Equal(t, 1, c.SetQueues(n))
		return
	}
	require.Equal(t, 1, c.SetQueues(2), "only the queues it has")
	require.Equal(t, n, c.SetQueues(n))
	_, err := c.ReadQueue(n, make([]Message, 1))
	require.ErrorIs(t, err, errQueue)
	_, err = Listen(Config{LocalAddrs: []netip.Addr{lo4}, Port: c.Port()})
	require.ErrorIs(t, err, syscall.EADDRINUSE, "the port stays closed to sockets without SO_REUSEPORT")

	cl, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(c.LocalAddrs()[0]))
	require.NoError(t, err)
	defer cl.Close()
	want := make([][][]byte, n)
	for i := range 30 {
		tag := uint32(1000 + 7*i)
		p := sctpLike(tag, i)
		_, err := cl.Write(p)
		require.NoError(t, err)
		q := int(tag % n)
		require.Equal(t, q, packetio.QueueOf(p, n))
		want[q] = append(want[q], p)
	}
	_, err = cl.Write([]byte{1, 2, 3})
	require.NoError(t, err)
	want[0] = append(want[0], []byte{1, 2, 3})
	for q := range n {
		got, err := readQueue(c, q, 200*time.Millisecond)
		require.ErrorIs(t, err, os.ErrDeadlineExceeded)
		require.Equal(t, want[q], got, "queue %d", q)
	}
}

// Until SetQueues takes them, the datagrams of every member of a group
// go to ReadBatch: a Conn asked for queues by its Config works for a
// user who never reads them.
func TestQueuesUnusedReadBatch(t *testing.T) {
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, Queues: 4})
	cl, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(c.LocalAddrs()[0]))
	require.NoError(t, err)
	defer cl.Close()
	for i := range 16 {
		_, err := cl.Write(sctpLike(uint32(i), i))
		require.NoError(t, err)
	}
	require.Len(t, readN(t, c, 16, 5*time.Second), 16)
}

// SetQueues refused after it took the queues gives every datagram back to
// ReadBatch, as packetio.Queued says of a refusal: the members of the
// groups went on filling queues nobody was to read.
func TestQueuesRefusedAfterTakenReadBatch(t *testing.T) {
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, Queues: 4})
	if groupSupported {
		require.Equal(t, 4, c.SetQueues(4))
	}
	require.Equal(t, 1, c.SetQueues(1))
	cl, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(c.LocalAddrs()[0]))
	require.NoError(t, err)
	defer cl.Close()
	for i := range 16 {
		_, err := cl.Write(sctpLike(uint32(i), i))
		require.NoError(t, err)
	}
	require.Len(t, readN(t, c, 16, 5*time.Second), 16)
}

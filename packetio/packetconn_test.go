package packetio_test

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/packetio"
	"github.com/stretchr/testify/require"
)

var lo = netip.MustParseAddr("127.0.0.1")

// listenUDP opens a UDP socket on loopback, closed at the end of the
// test.
func listenUDP(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, 0)))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// readOne reads one message from tr within the test's bounds.
func readOne(t *testing.T, tr packetio.Transport) packetio.Message {
	t.Helper()
	msgs := make([]packetio.Message, 1)
	done := make(chan error, 1)
	var n int
	go func() {
		var err error
		n, err = tr.ReadBatch(msgs)
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("no packet")
	}
	require.Equal(t, 1, n)
	return msgs[0]
}

// A PacketConn over two UDP sockets of the caller's: each message is one
// datagram, whose source port is the peer's encapsulation port; the
// local address and UDP port are the socket's.
func TestPacketConnUDP(t *testing.T) {
	a, b := packetio.NewPacketConn(listenUDP(t)), packetio.NewPacketConn(listenUDP(t))
	la, lb := a.LocalAddrs()[0], b.LocalAddrs()[0]
	require.Equal(t, lo, la.Addr())
	require.Equal(t, int(la.Port()), a.Port())

	n, err := a.WriteBatch([]packetio.OutMessage{{Data: []byte("one"), To: lb}, {Data: []byte("two"), To: lb}})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	for _, want := range []string{"one", "two"} {
		m := readOne(t, b)
		require.Equal(t, want, string(m.Data))
		require.Equal(t, la, m.From)
		require.Equal(t, lb, m.To)
		b.ReleaseBatch([]packetio.Message{m})
	}
}

// A net.PacketConn without the netip methods of *net.UDPConn is read and
// written through ReadFrom and WriteTo; a peer is written to with the
// net.Addr its packets came from.
func TestPacketConnGeneric(t *testing.T) {
	rec := &recordingPC{PacketConn: listenUDP(t)}
	a, b := packetio.NewPacketConn(rec), packetio.NewPacketConn(listenUDP(t))
	_, err := b.WriteBatch([]packetio.OutMessage{{Data: []byte("ping"), To: a.LocalAddrs()[0]}})
	require.NoError(t, err)
	m := readOne(t, a)
	require.Equal(t, "ping", string(m.Data))
	require.Equal(t, b.LocalAddrs()[0], m.From)
	_, err = a.WriteBatch([]packetio.OutMessage{{Data: []byte("pong"), To: m.From}})
	require.NoError(t, err)
	require.Same(t, rec.from, rec.to, "the peer's own net.Addr")
	require.Equal(t, "pong", string(readOne(t, b).Data))
	require.Equal(t, 0, a.Port(), "the netip methods are hidden, not the UDP address")
}

// recordingPC hides the netip methods of a *net.UDPConn and records the
// addresses it reads from and writes to.
type recordingPC struct {
	net.PacketConn
	from, to net.Addr
}

func (r *recordingPC) ReadFrom(b []byte) (int, net.Addr, error) {
	n, a, err := r.PacketConn.ReadFrom(b)
	r.from = a
	return n, a, err
}

func (r *recordingPC) WriteTo(b []byte, a net.Addr) (int, error) {
	r.to = a
	return r.PacketConn.WriteTo(b, a)
}

func (r *recordingPC) LocalAddr() net.Addr { return fakeAddr{r.PacketConn.LocalAddr()} }

// fakeAddr is an address type of another package, known by its String.
type fakeAddr struct{ net.Addr }

// Close unblocks a ReadBatch, which fails with net.ErrClosed, as later
// reads and writes do; a second Close returns nil.
func TestPacketConnClose(t *testing.T) {
	a := packetio.NewPacketConn(listenUDP(t))
	requireCloseUnblocks(t, a)
	_, err := a.WriteBatch([]packetio.OutMessage{{Data: []byte("x"), To: netip.AddrPortFrom(lo, 9)}})
	require.ErrorIs(t, err, net.ErrClosed)
	n, err := a.ReadBatch(nil)
	require.Zero(t, n)
	require.NoError(t, err)
}

// requireCloseUnblocks checks that Close unblocks a ReadBatch of tr,
// which fails with net.ErrClosed, and that a second Close returns nil.
func requireCloseUnblocks(t *testing.T, tr packetio.Transport) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := tr.ReadBatch(make([]packetio.Message, 1))
		done <- err
	}()
	require.NoError(t, tr.Close())
	select {
	case err := <-done:
		require.ErrorIs(t, err, net.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("ReadBatch not unblocked")
	}
	require.NoError(t, tr.Close())
}

// Sending and receiving a packet over a *net.UDPConn allocates nothing:
// the buffers are pooled and the addresses are netip values.
func TestPacketConnAllocs(t *testing.T) {
	a, b := packetio.NewPacketConn(listenUDP(t)), packetio.NewPacketConn(listenUDP(t))
	require.Zero(t, roundTripAllocs(t, a, b, b.LocalAddrs()[0]))
}

// roundTripAllocs returns the allocations of writing a 1200-byte packet
// to to on a, reading it on b and releasing it, in steady state.
func roundTripAllocs(t *testing.T, a, b packetio.Transport, to netip.AddrPort) float64 {
	t.Helper()
	out := []packetio.OutMessage{{Data: make([]byte, 1200), To: to}}
	msgs := make([]packetio.Message, 1)
	roundTrip := func() {
		if _, err := a.WriteBatch(out); err != nil {
			t.Fatal(err)
		}
		if _, err := b.ReadBatch(msgs); err != nil {
			t.Fatal(err)
		}
		b.ReleaseBatch(msgs)
	}
	roundTrip()
	return testing.AllocsPerRun(100, roundTrip)
}

// A net.PacketConn whose reads fail, once it is closed, with an error of
// its own that has only net.ErrClosed's text (pion's vnet UDPConn does)
// is closed: ReadBatch fails with net.ErrClosed rather than reporting a
// transient error for ever.
func TestPacketConnClosedByText(t *testing.T) {
	a := packetio.NewPacketConn(closedTextPC{listenUDP(t)})
	defer a.Close()
	_, err := a.ReadBatch(make([]packetio.Message, 1))
	require.ErrorIs(t, err, net.ErrClosed)
}

// closedTextPC is a net.PacketConn whose reads fail as pion's vnet
// UDPConn's do once it is closed.
type closedTextPC struct{ net.PacketConn }

func (closedTextPC) ReadFrom([]byte) (int, net.Addr, error) {
	return 0, nil, &net.OpError{Op: "read", Net: "udp", Err: errors.New("use of closed network connection")}
}

package packetio_test

import (
	"io"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/stretchr/testify/require"
)

// A Conn over a pipe without IP addresses: packets come from the stand-in
// peer 192.0.0.8 port 0, the local address is 0.0.0.0 port 0, and every
// packet goes to the other end whatever its destination.
func TestConnPipe(t *testing.T) {
	ca, cb := packetiotest.Pipe()
	a, b := packetio.NewConn(ca), packetio.NewConn(cb)
	defer a.Close()
	defer b.Close()
	standIn := netip.MustParseAddrPort("192.0.0.8:0")
	require.Equal(t, standIn, a.Peer())
	require.Equal(t, []netip.AddrPort{netip.MustParseAddrPort("0.0.0.0:0")}, a.LocalAddrs())
	require.Same(t, ca, a.NetConn())

	n, err := a.WriteBatch([]packetio.OutMessage{
		{Data: []byte("one"), To: netip.MustParseAddrPort("10.1.2.3:9899")},
		{Data: []byte("two")},
	})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	for _, want := range []string{"one", "two"} {
		m := readOne(t, b)
		require.Equal(t, want, string(m.Data))
		require.Equal(t, standIn, m.From)
		require.False(t, m.To.IsValid())
		b.ReleaseBatch([]packetio.Message{m})
	}
}

// Over a connected UDP socket the peer is the socket's remote address.
func TestConnUDP(t *testing.T) {
	srv := listenUDP(t)
	c, err := net.DialUDP("udp4", nil, srv.LocalAddr().(*net.UDPAddr))
	require.NoError(t, err)
	a := packetio.NewConn(c)
	defer a.Close()
	require.Equal(t, srv.LocalAddr().(*net.UDPAddr).AddrPort(), a.Peer())
	require.Equal(t, c.LocalAddr().(*net.UDPAddr).AddrPort(), a.LocalAddrs()[0])
}

// When the peer closes the net.Conn, ReadBatch fails with an error that
// is both net.ErrClosed (the transport is done) and the cause, io.EOF;
// a local Close unblocks a reader, and writes fail with net.ErrClosed.
func TestConnClosed(t *testing.T) {
	ca, cb := packetiotest.Pipe()
	a, b := packetio.NewConn(ca), packetio.NewConn(cb)
	require.NoError(t, cb.Close())
	_, err := a.ReadBatch(make([]packetio.Message, 1))
	require.ErrorIs(t, err, net.ErrClosed)
	require.ErrorIs(t, err, io.EOF)
	_, err = a.WriteBatch([]packetio.OutMessage{{Data: []byte("x")}})
	require.ErrorIs(t, err, net.ErrClosed)

	c1, c2 := packetiotest.Pipe()
	defer c2.Close()
	requireCloseUnblocks(t, packetio.NewConn(c1))
	require.NoError(t, b.Close())
}

// A timeout of the net.Conn is transient: ReadBatch reports it, and the
// Conn stays open.
func TestConnTimeoutTransient(t *testing.T) {
	ca, cb := packetiotest.Pipe()
	a := packetio.NewConn(ca)
	defer a.Close()
	defer cb.Close()
	require.NoError(t, ca.SetReadDeadline(time.Unix(1, 0)))
	msgs := make([]packetio.Message, 1)
	_, err := a.ReadBatch(msgs)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.NotErrorIs(t, err, net.ErrClosed)
	require.NoError(t, ca.SetReadDeadline(time.Time{}))
	_, err = cb.Write([]byte("still open"))
	require.NoError(t, err)
	for range 1000 { // the timeouts read meanwhile come first
		n, err := a.ReadBatch(msgs)
		if err == nil {
			require.Equal(t, 1, n)
			require.Equal(t, "still open", string(msgs[0].Data))
			return
		}
		require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	}
	t.Fatal("no packet after the timeouts")
}

// A packet through a Conn over the pipe allocates nothing in steady
// state.
func TestConnAllocs(t *testing.T) {
	ca, cb := packetiotest.Pipe()
	a, b := packetio.NewConn(ca), packetio.NewConn(cb)
	defer a.Close()
	defer b.Close()
	require.Zero(t, roundTripAllocs(t, a, b, netip.AddrPort{}))
}

// A packet that the net.Conn returns together with an error (io.EOF from
// a connection whose peer closed it after its last packet, as io.Reader
// allows) is delivered before the Conn reports that it is closed.
func TestConnPacketWithError(t *testing.T) {
	a := packetio.NewConn(&lastPacketConn{data: []byte("last")})
	defer a.Close()
	msgs := make([]packetio.Message, 2)
	var got []string
	var err error
	for i := 0; i < 2 && err == nil; i++ { // the packet, then the error (maybe in one batch)
		var n int
		n, err = a.ReadBatch(msgs)
		for _, m := range msgs[:n] {
			got = append(got, string(m.Data))
		}
	}
	require.Equal(t, []string{"last"}, got)
	require.ErrorIs(t, err, io.EOF)
}

// lastPacketConn is a net.Conn whose first Read returns data and io.EOF
// together, and every later Read io.EOF.
type lastPacketConn struct {
	net.Conn
	data []byte
}

func (c *lastPacketConn) Read(b []byte) (int, error) {
	n := copy(b, c.data)
	c.data = nil
	return n, io.EOF
}
func (c *lastPacketConn) Close() error         { return nil }
func (c *lastPacketConn) LocalAddr() net.Addr  { return nil }
func (c *lastPacketConn) RemoteAddr() net.Addr { return nil }

// A Conn says it is DTLS (packetio.DTLS) only when NewDTLSConn made it;
// both are connected transports.
func TestConnDTLS(t *testing.T) {
	ca, cb := packetiotest.Pipe()
	a, b := packetio.NewConn(ca), packetio.NewDTLSConn(cb)
	defer a.Close()
	defer b.Close()
	for _, tc := range []struct {
		t    packetio.Transport
		dtls bool
	}{{a, false}, {b, true}} {
		d, ok := tc.t.(packetio.DTLS)
		require.True(t, ok)
		require.Equal(t, tc.dtls, d.DTLS())
		require.Equal(t, netip.AddrPortFrom(netip.MustParseAddr("192.0.0.8"), 0), d.Peer())
	}
}

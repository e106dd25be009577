package udpencap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestEcho sends a batch of 64 datagrams of random sizes from one Conn to
// another on loopback and back, and checks that they arrive intact with
// the sender's address and port in From (RFC 6951 Section 5.4: "the UDP
// source port MUST be stored as the encapsulation port") and the local
// address in To.
func TestEcho(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr netip.Addr
	}{{"IPv4", lo4}, {"IPv6", lo6}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.addr.Is6() {
				need6(t)
			}
			modes(t, func(t *testing.T, noBatch bool) { testEcho(t, tc.addr, noBatch) })
		})
	}
}

func testEcho(t *testing.T, addr netip.Addr, noBatch bool) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	cfg := Config{LocalAddrs: []netip.Addr{addr}, ReadBuffer: 1 << 20, DisableBatch: noBatch}
	a, b := listen(t, cfg), listen(t, cfg)
	aAddr, bAddr := a.LocalAddrs()[0], b.LocalAddrs()[0]
	require.Equal(t, addr, aAddr.Addr())
	require.NotZero(t, aAddr.Port())
	require.NotEqual(t, aAddr.Port(), bAddr.Port())

	const n = 64
	out := make([]OutMessage, n)
	for i := range out {
		out[i] = OutMessage{Data: payload(seed, i, 4+rng.IntN(1400)), To: bAddr}
	}
	sent, err := a.WriteBatch(out)
	require.NoError(t, err)
	require.Equal(t, n, sent)

	in := readN(t, b, n, 5*time.Second)
	seen := map[uint32]bool{}
	echo := make([]OutMessage, 0, n)
	for _, m := range in {
		i := binary.BigEndian.Uint32(m.data)
		require.Less(t, int(i), n)
		require.False(t, seen[i], "datagram %d twice", i)
		seen[i] = true
		require.Equal(t, out[i].Data, m.data, "datagram %d", i)
		require.Equal(t, aAddr, m.from)
		require.Equal(t, bAddr, m.to)
		echo = append(echo, OutMessage{Data: m.data, To: m.from})
	}
	sent, err = b.WriteBatch(echo)
	require.NoError(t, err)
	require.Equal(t, n, sent)
	back := readN(t, a, n, 5*time.Second)
	for _, m := range back {
		i := binary.BigEndian.Uint32(m.data)
		require.Equal(t, out[i].Data, m.data)
		require.Equal(t, bAddr, m.from)
		require.Equal(t, aAddr, m.to)
	}

	sa, sb := a.Stats(), b.Stats()
	require.EqualValues(t, n, sa.DatagramsOut)
	require.EqualValues(t, n, sa.DatagramsIn)
	require.EqualValues(t, n, sb.DatagramsIn)
	require.Equal(t, sa.BytesOut, sb.BytesIn)
	require.NotZero(t, sb.ReadCalls)
	var calls uint64
	for _, k := range sb.ReadBatches {
		calls += k
	}
	require.Equal(t, sb.ReadCalls, calls)
	if !noBatch && batchAvailable() {
		require.Less(t, sa.WriteCalls, uint64(n), "sendmmsg should batch")
	}
}

// TestMultihomedSource binds 127.0.0.1 and 127.0.0.2 on one port and
// checks that a datagram written with From=127.0.0.2 leaves from
// 127.0.0.2 (what SCTP multihoming needs), and that datagrams sent to
// either address arrive with that address in To.
func TestMultihomedSource(t *testing.T) {
	need127x(t)
	modes(t, func(t *testing.T, noBatch bool) {
		a := listen(t, Config{LocalAddrs: []netip.Addr{lo4, lo4b}, DisableBatch: noBatch})
		b := listen(t, Config{LocalAddrs: []netip.Addr{lo4, lo4b}, DisableBatch: noBatch})
		la := a.LocalAddrs()
		require.Len(t, la, 2)
		require.Equal(t, la[0].Port(), la[1].Port())
		require.Equal(t, int(la[0].Port()), a.Port())
		lb := b.LocalAddrs()

		out := []OutMessage{
			{Data: []byte("via .2"), To: lb[0], From: lo4b},
			{Data: []byte("via .1"), To: lb[1], From: lo4},
			{Data: []byte("default"), To: lb[0]},
			{Data: []byte("unknown from"), To: lb[0], From: netip.MustParseAddr("127.0.0.9")},
		}
		_, err := a.WriteBatch(out)
		require.NoError(t, err)
		require.NoError(t, a.WriteTo([]byte("single via .2"), lb[1], lo4b))
		byData := map[string]got{}
		for _, m := range readN(t, b, len(out)+1, 5*time.Second) {
			byData[string(m.data)] = m
		}
		require.Equal(t, la[1], byData["via .2"].from)
		require.Equal(t, lb[0], byData["via .2"].to)
		require.Equal(t, la[0], byData["via .1"].from)
		require.Equal(t, lb[1], byData["via .1"].to)
		require.Equal(t, la[0], byData["default"].from)
		require.Equal(t, la[0], byData["unknown from"].from)
		require.Equal(t, la[1], byData["single via .2"].from)
		require.Equal(t, lb[1], byData["single via .2"].to)
	})
}

// TestPorts checks that port 0 gives one ephemeral port shared by every
// socket and that DefaultPort binds 9899 (RFC 6951 Section 5.1).
func TestPorts(t *testing.T) {
	t.Run("ephemeral shared", func(t *testing.T) {
		addrs := []netip.Addr{lo4}
		if c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: lo4b.AsSlice()}); err == nil {
			_ = c.Close()
			addrs = append(addrs, lo4b)
		}
		if c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback}); err == nil {
			_ = c.Close()
			addrs = append(addrs, lo6)
		}
		c := listen(t, Config{LocalAddrs: addrs})
		require.NotZero(t, c.Port())
		for i, la := range c.LocalAddrs() {
			require.Equal(t, addrs[i], la.Addr())
			require.Equal(t, c.Port(), int(la.Port()))
		}
	})
	t.Run("default port", func(t *testing.T) {
		require.Equal(t, 9899, DefaultPort)
		c, err := Listen(Config{LocalAddrs: []netip.Addr{lo4}, Port: DefaultPort})
		if errors.Is(err, syscall.EADDRINUSE) {
			t.Skipf("port %d busy: %v", DefaultPort, err)
		}
		require.NoError(t, err)
		defer c.Close()
		require.Equal(t, DefaultPort, c.Port())
		require.Equal(t, netip.AddrPortFrom(lo4, DefaultPort), c.LocalAddrs()[0])
	})
	t.Run("busy port", func(t *testing.T) {
		a := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
		_, err := Listen(Config{LocalAddrs: []netip.Addr{lo4}, Port: a.Port()})
		require.ErrorIs(t, err, syscall.EADDRINUSE)
	})
}

// TestListenErrors checks that bad configurations fail cleanly.
func TestListenErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Port: -1},
		{Port: 65536},
		{LocalAddrs: []netip.Addr{{}}},
		{LocalAddrs: []netip.Addr{lo4, lo4}},
		{LocalAddrs: []netip.Addr{lo4, netip.MustParseAddr("192.0.2.1")}}, // not local: the bind fails (nothing is sent); the first socket is closed
	} {
		t.Run(fmt.Sprint(cfg.Port, cfg.LocalAddrs), func(t *testing.T) {
			c, err := Listen(cfg)
			require.Error(t, err)
			require.Nil(t, c)
		})
	}
}

// TestWildcard binds the wildcard addresses and exchanges a datagram with
// a loopback peer.
func TestWildcard(t *testing.T) {
	need6(t)
	w := listen(t, Config{IPv6: true})
	la := w.LocalAddrs()
	require.Len(t, la, 2)
	require.Equal(t, netip.IPv4Unspecified(), la[0].Addr())
	require.Equal(t, netip.IPv6Unspecified(), la[1].Addr())
	require.Equal(t, la[0].Port(), la[1].Port())
	for _, peerAddr := range []netip.Addr{lo4, lo6} {
		p := listen(t, Config{LocalAddrs: []netip.Addr{peerAddr}})
		require.NoError(t, p.WriteTo([]byte("hi"), netip.AddrPortFrom(peerAddr, uint16(w.Port())), netip.Addr{}))
		m := readN(t, w, 1, 5*time.Second)[0]
		require.Equal(t, p.LocalAddrs()[0], m.from)
		// The reply goes out through the socket of the peer's family.
		require.NoError(t, w.WriteTo([]byte("ho"), m.from, netip.Addr{}))
		r := readN(t, p, 1, 5*time.Second)[0]
		require.Equal(t, "ho", string(r.data))
		require.Equal(t, uint16(w.Port()), r.from.Port())
	}
}

// TestNoSocketForFamily checks ErrNoSocket for an IPv6 destination on an
// IPv4-only Conn with two sockets.
func TestNoSocketForFamily(t *testing.T) {
	need127x(t)
	c := listen(t, Config{LocalAddrs: []netip.Addr{lo4, lo4b}})
	_, err := c.WriteBatch([]OutMessage{{Data: []byte("x"), To: netip.AddrPortFrom(lo6, 9)}})
	require.ErrorIs(t, err, ErrNoSocket)
	require.ErrorIs(t, c.WriteTo([]byte("x"), netip.AddrPortFrom(lo6, 9), netip.Addr{}), ErrNoSocket)
}

// TestCloseUnblocksRead checks that Close unblocks a blocked ReadBatch
// with net.ErrClosed, that later calls fail the same way, and that no
// goroutine is left behind.
func TestCloseUnblocksRead(t *testing.T) {
	modes(t, func(t *testing.T, noBatch bool) {
		before := runtime.NumGoroutine()
		c, err := Listen(Config{LocalAddrs: []netip.Addr{lo4}, DisableBatch: noBatch})
		require.NoError(t, err)
		errc := make(chan error, 1)
		go func() {
			_, err := c.ReadBatch(make([]Message, 4))
			errc <- err
		}()
		time.Sleep(20 * time.Millisecond) // let ReadBatch block
		require.NoError(t, c.Close())
		select {
		case err := <-errc:
			require.ErrorIs(t, err, net.ErrClosed)
		case <-time.After(5 * time.Second):
			t.Fatal("ReadBatch still blocked after Close")
		}
		require.NoError(t, c.Close(), "Close is idempotent")
		_, err = c.ReadBatch(make([]Message, 1))
		require.True(t, isClosed(err), "%v", err)
		_, err = c.WriteBatch([]OutMessage{{Data: []byte("x"), To: netip.AddrPortFrom(lo4, 9)}})
		require.True(t, isClosed(err), "%v", err)
		require.True(t, isClosed(c.WriteTo([]byte("x"), netip.AddrPortFrom(lo4, 9), netip.Addr{})))
		settle(t, before)
	})
}

// TestReadDeadline checks the user-space read deadline: past, future,
// cleared.
func TestReadDeadline(t *testing.T) {
	a := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	b := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	msgs := make([]Message, 4)

	require.NoError(t, b.SetReadDeadline(time.Now().Add(-time.Second)))
	_, err := b.ReadBatch(msgs)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout())

	start := time.Now()
	require.NoError(t, b.SetReadDeadline(start.Add(50*time.Millisecond)))
	_, err = b.ReadBatch(msgs)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)

	// A deadline set while ReadBatch blocks wakes it.
	require.NoError(t, b.SetReadDeadline(time.Time{}))
	go func() {
		time.Sleep(20 * time.Millisecond)
		_ = b.SetReadDeadline(time.Now())
	}()
	_, err = b.ReadBatch(msgs)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)

	// Cleared: data flows again.
	require.NoError(t, b.SetReadDeadline(time.Time{}))
	require.NoError(t, a.WriteTo([]byte("after"), b.LocalAddrs()[0], netip.Addr{}))
	require.Equal(t, "after", string(readN(t, b, 1, 5*time.Second)[0].data))
	require.Zero(t, func() int { n, _ := b.ReadBatch(nil); return n }())
}

// TestBufferSize checks that a datagram longer than BufferSize is not
// delivered intact: dropped and counted on the batch path (Linux).
func TestBufferSize(t *testing.T) {
	if !batchAvailable() {
		t.Skip("truncation is only detected on the Linux batch path")
	}
	a := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	b := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, BufferSize: 1500})
	to := b.LocalAddrs()[0]
	require.NoError(t, a.WriteTo(make([]byte, 2000), to, netip.Addr{}))
	require.NoError(t, a.WriteTo([]byte("small"), to, netip.Addr{}))
	m := readN(t, b, 1, 5*time.Second)[0]
	require.Equal(t, "small", string(m.data))
	require.EqualValues(t, 1, b.Stats().Truncated)
}

// TestMaxSCTPPacket pins RFC 6951 Section 5.6: "If an SCTP endpoint starts
// to encapsulate the packets of a path, it MUST decrease the Path MTU of
// that path by the size of the UDP header."
// https://www.rfc-editor.org/rfc/rfc6951#section-5.6
func TestMaxSCTPPacket(t *testing.T) {
	for _, tc := range []struct {
		mtu  int
		ipv6 bool
		want int
	}{
		{1500, false, 1472},
		{1500, true, 1452},
		{1280, true, 1232},
		{576, false, 548},
		{65535, false, 65507},
		{20, false, 0},
		{0, true, 0},
	} {
		require.Equal(t, tc.want, MaxSCTPPacket(tc.mtu, tc.ipv6), "%+v", tc)
	}
}

//go:build linux

package udpencap

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// gsoRun sends count datagrams of size bytes (the last of last bytes)
// from a to dst in one WriteBatch: one GSO super-datagram on loopback.
func gsoRun(t *testing.T, a *Conn, dst netip.AddrPort, count, size, last int) []OutMessage {
	t.Helper()
	var out []OutMessage
	for i := range count {
		sz := size
		if i == count-1 {
			sz = last
		}
		out = append(out, OutMessage{Data: payload(9, i, sz), To: dst})
	}
	n, err := a.WriteBatch(out)
	require.NoError(t, err)
	require.Equal(t, count, n)
	return out
}

// TestGROSplitWildcard: the segments of a super-datagram come out in
// order, the shorter last one too, over reads smaller than the run, with
// From, and To on a wildcard socket with IP_PKTINFO.
func TestGROSplitWildcard(t *testing.T) {
	a := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	b := listen(t, Config{LocalAddrs: []netip.Addr{netip.IPv4Unspecified()}, BatchSize: 4})
	if !groEnabled(b) || !gsoEnabled(a) {
		t.Skip("no GSO/GRO")
	}
	dst := netip.AddrPortFrom(lo4, b.LocalAddrs()[0].Port())
	out := gsoRun(t, a, dst, 40, 1000, 333)
	in := readN(t, b, len(out), 5*time.Second)
	for i := range in {
		require.Equal(t, out[i].Data, in[i].data, "segment %d", i)
		require.Equal(t, a.LocalAddrs()[0], in[i].from)
		require.Equal(t, dst, in[i].to)
	}
	t.Logf("sender %+v\nreceiver %+v", a.Stats(), b.Stats())
}

// TestGROReadCallsAreSyscalls: Stats.ReadCalls counts system calls,
// not the reads that hand out the rest of a super-datagram.
func TestGROReadCallsAreSyscalls(t *testing.T) {
	a := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	b := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, BatchSize: 4})
	if !groEnabled(b) || !gsoEnabled(a) {
		t.Skip("no GSO/GRO")
	}
	out := gsoRun(t, a, b.LocalAddrs()[0], 40, 1000, 1000)
	readN(t, b, len(out), 5*time.Second)
	st := b.Stats()
	t.Logf("receiver %+v", st)
	require.LessOrEqual(t, st.ReadCalls, st.GROReceives, "ReadCalls=%d for %d recvmmsg calls at most", st.ReadCalls, st.GROReceives)
}

// TestGROBatchCap: with GRO on (the default) a recvmmsg still reads up to
// BatchSize datagrams that are not coalesced (a peer without GSO).
func TestGROBatchCap(t *testing.T) {
	for _, groOff := range []bool{true, false} {
		a := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, DisableGSO: true, BatchSize: 256})
		b := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, BatchSize: 256, ReadBuffer: 8 << 20, DisableGRO: groOff})
		var out []OutMessage
		for i := range 600 {
			out = append(out, OutMessage{Data: payload(3, i, 200), To: b.LocalAddrs()[0]})
		}
		_, err := a.WriteBatch(out[:256]) // fills the reader's two batches
		require.NoError(t, err)
		time.Sleep(50 * time.Millisecond)
		_, err = a.WriteBatch(out[256:]) // queued in the kernel meanwhile
		require.NoError(t, err)
		time.Sleep(50 * time.Millisecond)
		readN(t, b, len(out), 5*time.Second)
		st := b.Stats()
		big := st.ReadBatches[5] + st.ReadBatches[6] + st.ReadBatches[7] // 32 or more per call
		t.Logf("groOff=%v ReadBatches=%v", groOff, st.ReadBatches)
		require.NotZero(t, big, "groOff=%v: no read of 32+ datagrams", groOff)
	}
}

// TestGROOffForPortableFallback: a socket that falls back to the
// portable reader (errNoBatch) has UDP_GRO turned off, which would hand
// it super-datagrams it does not split.
func TestGROOffForPortableFallback(t *testing.T) {
	b := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	if !groEnabled(b) {
		t.Skip("kernel without UDP_GRO")
	}
	s := b.sockets()[0]
	rc, err := s.std.SyscallConn()
	require.NoError(t, err)
	get := func() int {
		var v int
		var gerr error
		require.NoError(t, rc.Control(func(fd uintptr) { v, gerr = unix.GetsockoptInt(int(fd), unix.SOL_UDP, unix.UDP_GRO) }))
		require.NoError(t, gerr)
		return v
	}
	require.Equal(t, 1, get())
	s.noGRO()
	require.Equal(t, 0, get())
}

// TestGROReaderClearsPTB: a message slot that carried a Packet Too Big
// report has no PTB mark once a datagram is read into it.
func TestGROReaderClearsPTB(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: lo4.AsSlice()})
	require.NoError(t, err)
	defer conn.Close()
	var st counters
	r, _, err := newBatchIO(conn, &socket{is4: true}, true, true, 4, &st)
	require.NoError(t, err)
	_, err = conn.WriteToUDPAddrPort([]byte("hello, SCTP"), conn.LocalAddr().(*net.UDPAddr).AddrPort())
	require.NoError(t, err)
	ms := make([]Message, 4)
	for i := range ms {
		ms[i].Buf = make([]byte, 2048)
		ms[i].PTB = 1400 // left by readPTB in an earlier round
	}
	n, err := r.read(ms)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, "hello, SCTP", string(ms[0].Data))
	require.Zero(t, ms[0].PTB, "an ordinary datagram handed out as a PTB report")
}

// TestGROSmallBuffer6: over IPv6 with a BufferSize below a super-datagram
// (GRO is then not asked for), datagrams longer than BufferSize are
// dropped and counted one by one, and the next run arrives intact.
func TestGROSmallBuffer6(t *testing.T) {
	need6(t)
	a := listen(t, Config{LocalAddrs: []netip.Addr{lo6}})
	b := listen(t, Config{LocalAddrs: []netip.Addr{lo6}, BufferSize: 1280})
	if !groEnabled(b) || !gsoEnabled(a) {
		t.Skip("no GSO/GRO")
	}
	gsoRun(t, a, b.LocalAddrs()[0], 10, 1300, 1300)
	out := gsoRun(t, a, b.LocalAddrs()[0], 5, 1000, 900)
	in := readN(t, b, 5, 5*time.Second)
	for i := range in {
		require.Equal(t, out[i].Data, in[i].data)
	}
	st := b.Stats()
	require.EqualValues(t, 10, st.Truncated)
	require.EqualValues(t, 2, st.GROReceives)
}

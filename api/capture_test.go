package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/pcap"
	"github.com/stretchr/testify/require"
)

// captureSession runs, over loopback, an association from a client
// opened with opts (Capture among them) to a server: the handshake, a
// message each way, and a graceful shutdown; meanwhile another socket on
// the client's UDP port (its stack) talks to the server too. It closes
// the client and returns it, the server and the other socket.
func captureSession(t *testing.T, opts ...Option) (c, srv, other *Socket) {
	t.Helper()
	srv = server(t)
	c = clientOf(t, srv, opts...)
	other = clientOf(t, srv, LocalUDPPort(c.UDPPort()))
	require.Same(t, c.stk, other.stk)

	ac := connect(t, c, srv)
	up := recvEvent[*AssocChange](t, srv)
	require.NoError(t, c.Send(ac.AssocID, 0, []byte("ping")))
	require.Equal(t, "ping", string(recvData(t, srv).Data))
	require.NoError(t, srv.Send(up.AssocID, 0, []byte("pong")))
	require.Equal(t, "pong", string(recvData(t, c).Data))
	oac := connect(t, other, srv)
	require.NoError(t, other.Send(oac.AssocID, 0, []byte("not captured")))
	require.Equal(t, "not captured", string(recvData(t, srv).Data))
	require.NoError(t, c.Eof(ac.AssocID))
	recvState(t, c, ShutdownComp)
	require.NoError(t, c.Close())
	return c, srv, other
}

// sharedSCTPPort opens a, bound to lo with opts, and b, bound to lo2 on
// a's UDP port and SCTP port (disjoint addresses may share an SCTP port),
// both listening, and a client that makes an association with each and
// sends a message on each. It returns a and b.
func sharedSCTPPort(t *testing.T, opts ...Option) (a, b *Socket) {
	t.Helper()
	needLoopbacks(t)
	a, err := Open(append([]Option{IP(lo), LocalUDPPort(0)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	b, err = Open(IP(lo2), LocalUDPPort(a.UDPPort()), Port(a.Port()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	cli, err := Open(LocalUDPPort(0), RemoteUDPPort(a.UDPPort()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	for _, s := range []*Socket{a, b} {
		require.NoError(t, s.Listen(true))
		addr := lo
		if s == b {
			addr = lo2
		}
		ac, err := cli.Connect(testCtx(t), addr, s.Port())
		require.NoError(t, err)
		require.NoError(t, cli.Send(ac.AssocID, 0, []byte("hello")))
		require.Equal(t, "hello", string(recvData(t, s).Data))
	}
	return a, b
}

// Two sockets share an SCTP port and a UDP port on disjoint addresses:
// the capture of the one bound to lo records its own packets and none of
// the other's (bound to lo2).
func TestCaptureSharedSCTPPort(t *testing.T) {
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf)
	require.NoError(t, err)
	a, _ := sharedSCTPPort(t, Capture(w))
	require.NoError(t, a.Close())
	require.NoError(t, w.Close())
	pkts, err := pcap.Parse(buf.Bytes())
	require.NoError(t, err)
	require.NotEmpty(t, pkts)
	for i, p := range pkts {
		require.False(t, p.Src == lo2 || p.Dst == lo2, "packet %d of a's capture is b's: %v → %v", i+1, p.Src, p.Dst)
		require.True(t, p.Src == lo || p.Dst == lo, "packet %d: %v → %v", i+1, p.Src, p.Dst)
	}
}

// A socket opened with Capture records its packets, both ways, as on the
// wire: a capture read back holds the handshake, the messages, their
// SACKs and the shutdown, each packet with a valid CRC32c between the
// client's and the server's real addresses and UDP ports, stamped within
// the session; none of another socket on the same UDP port.
func TestCaptureRecordsTheSocketsPackets(t *testing.T) {
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf)
	require.NoError(t, err)
	start := time.Now()
	c, srv, other := captureSession(t, Capture(w))
	end := time.Now()
	require.NoError(t, w.Err())

	pkts, err := pcap.Parse(buf.Bytes())
	require.NoError(t, err)
	cli := netip.AddrPortFrom(lo, uint16(c.UDPPort()))
	ser := netip.AddrPortFrom(lo, uint16(srv.UDPPort()))
	types := map[chunk.Type]int{}
	var last time.Time
	for i, p := range pkts {
		src, dst := netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)
		require.True(t, src == cli && dst == ser || src == ser && dst == cli, "packet %d: %v -> %v", i+1, src, dst)
		sp, err := packet.Parse(p.Payload, packet.Options{})
		require.NoError(t, err, "packet %d", i+1)
		require.NotEqual(t, other.Port(), sp.SrcPort, "packet %d is the other socket's", i+1)
		require.NotEqual(t, other.Port(), sp.DstPort, "packet %d is the other socket's", i+1)
		if src == cli {
			require.Equal(t, c.Port(), sp.SrcPort, "packet %d", i+1)
		} else {
			require.Equal(t, c.Port(), sp.DstPort, "packet %d", i+1)
		}
		require.False(t, p.Timestamp.Before(start.Add(-time.Millisecond)) || p.Timestamp.After(end),
			"packet %d at %v, not within %v..%v", i+1, p.Timestamp, start, end)
		require.False(t, p.Timestamp.Before(last.Add(-50*time.Millisecond)), "packet %d goes back in time", i+1)
		last = p.Timestamp
		for it := sp.Chunks(); ; {
			r, ok := it.Next()
			if !ok {
				break
			}
			types[r.Type]++
		}
	}
	t.Logf("%d packets, chunks by type: %v", len(pkts), types)
	for _, typ := range []chunk.Type{chunk.TypeInit, chunk.TypeInitAck, chunk.TypeCookieEcho, chunk.TypeCookieAck,
		chunk.TypeData, chunk.TypeSACK, chunk.TypeShutdown, chunk.TypeShutdownAck, chunk.TypeShutdownComplete} {
		require.NotZero(t, types[typ], "no %v chunk captured", typ)
	}
	require.Equal(t, 2, types[chunk.TypeData], "DATA chunks: ping and pong")
}

// failAfter is an io.Writer that fails once it took n bytes.
type failAfter struct{ n int }

var errDiskFull = errors.New("disk full")

func (f *failAfter) Write(b []byte) (int, error) {
	if len(b) > f.n {
		k := f.n
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(b)
	return len(b), nil
}

// When writing the capture fails, the capture stops and the Writer
// reports why; the socket goes on working and closes without error.
func TestCaptureWriterFails(t *testing.T) {
	f := &failAfter{n: 100} // the file header, then a little
	w, err := pcap.NewWriter(f)
	require.NoError(t, err)
	captureSession(t, Capture(w)) // the session succeeds (and closes the client)
	require.ErrorIs(t, w.Err(), pcap.ErrWriterFailed)
	require.ErrorIs(t, w.Err(), errDiskFull)
	require.ErrorIs(t, w.Flush(), errDiskFull)
}

func TestCaptureNil(t *testing.T) {
	_, err := Open(Capture(nil))
	require.ErrorIs(t, err, ErrInvalidOption)
}

// needTshark returns the path of tshark, skipping the test (locally) or
// failing it (in CI) when it is not installed, as the interop tests do
// with their peers.
func needTshark(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("tshark")
	if err != nil {
		msg := "tshark is not installed (Debian package tshark)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// tshark runs tshark on file, decoding the UDP ports as SCTP, with extra
// arguments, and returns its output.
func tshark(t *testing.T, file string, ports []int, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := []string{"-r", file}
	for _, p := range ports {
		args = append(args, "-d", "udp.port=="+strconv.Itoa(p)+",sctp")
	}
	cmd := exec.CommandContext(ctx, needTshark(t), append(args, extra...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "tshark %v: %s", cmd.Args[1:], stderr.String())
	return string(out)
}

// tshark, Wireshark's command-line reader, opens a capture file written
// by Capture as SCTP over UDP (decoding the UDP ports as SCTP, as the
// documentation of Capture says): every packet is SCTP with a correct
// CRC32c, none is malformed, and the chunks of the session are there.
func TestCaptureTshark(t *testing.T) {
	needTshark(t)
	file := filepath.Join(t.TempDir(), "session.pcap")
	f, err := os.Create(file)
	require.NoError(t, err)
	w, err := pcap.NewWriter(f)
	require.NoError(t, err)
	c, srv, _ := captureSession(t, Capture(w))
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())
	ports := []int{c.UDPPort(), srv.UDPPort()}

	types := map[string]int{}
	out := tshark(t, file, ports, "-T", "fields", "-e", "frame.number", "-e", "sctp.chunk_type")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, line := range lines {
		num, chunks, _ := strings.Cut(line, "\t")
		require.NotEmpty(t, chunks, "frame %s is not decoded as SCTP", num)
		for _, typ := range strings.Split(chunks, ",") {
			types[typ]++
		}
	}
	t.Logf("tshark: %d packets, chunks by type: %v", len(lines), types)
	for _, typ := range []chunk.Type{chunk.TypeInit, chunk.TypeInitAck, chunk.TypeCookieEcho, chunk.TypeCookieAck,
		chunk.TypeData, chunk.TypeSACK, chunk.TypeShutdown, chunk.TypeShutdownAck, chunk.TypeShutdownComplete} {
		require.NotZero(t, types[fmt.Sprint(uint8(typ))], "tshark finds no %v chunk", typ)
	}
	// Checksums are verified (tshark does not by default): the IPv4
	// header's, the UDP one's and the SCTP CRC32c.
	out = tshark(t, file, ports, "-o", "sctp.checksum:CRC 32c", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
		"-Y", "_ws.malformed || _ws.expert.severity >= warning || !sctp || sctp.checksum.status != 1 || udp.checksum.status != 1 || ip.checksum.status != 1")
	require.Empty(t, out, "tshark finds malformed packets or bad checksums")
}

// The local address of a captured packet: the one the transport told,
// else the stack's of the peer's family.
func TestCaptureLocalFor(t *testing.T) {
	a4, a6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	l4, l6 := netip.MustParseAddr("192.0.2.9"), netip.MustParseAddr("2001:db8::9")
	any4 := netip.AddrPortFrom(netip.IPv4Unspecified(), 9899)
	any6 := netip.AddrPortFrom(netip.IPv6Unspecified(), 9899)
	mapped := netip.AddrFrom16(l4.As16())
	for _, c := range []struct {
		name   string
		locals []netip.AddrPort
		remote netip.Addr
		addr   netip.Addr
		port   uint16
		want   netip.AddrPort
	}{
		{"known address and port", []netip.AddrPort{any4}, a4, l4, 5000, netip.AddrPortFrom(l4, 5000)},
		{"known address, the stack's port", []netip.AddrPort{any4}, a4, l4, 0, netip.AddrPortFrom(l4, 9899)},
		{"mapped address", []netip.AddrPort{any4}, a4, mapped, 0, netip.AddrPortFrom(l4, 9899)},
		{"unknown: the wildcard", []netip.AddrPort{any4, any6}, a6, netip.Addr{}, 0, any6},
		{"unspecified: the bound address", []netip.AddrPort{netip.AddrPortFrom(l6, 1)}, a6, netip.IPv6Unspecified(), 0, netip.AddrPortFrom(l6, 1)},
		{"address of the other family", []netip.AddrPort{any4, any6}, a4, l6, 0, any4},
		{"no local of the family", []netip.AddrPort{any4}, a6, netip.Addr{}, 0, any6},
		{"no local at all", nil, a4, netip.Addr{}, 0, netip.AddrPortFrom(netip.IPv4Unspecified(), 0)},
	} {
		require.Equal(t, c.want, localFor(c.locals, c.remote, c.addr, c.port), c.name)
	}
}

// On wildcard-bound sockets, the capture shows the real local addresses
// (the ones packets arrived on and left from), for IPv4 and IPv6; only
// the first INIT, sent before the stack knew its source (the operating
// system chose it), shows the unspecified address.
func TestCaptureWildcardShowsRealAddresses(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("UDP sockets report the addresses of packets on Linux and macOS only (udpencap)")
	}
	for _, peer := range []netip.Addr{lo, netip.IPv6Loopback()} {
		t.Run(peer.String(), func(t *testing.T) {
			opts := []Option{LocalUDPPort(0)}
			if peer.Is6() {
				opts = append(opts, Inet6())
			}
			srv, err := Open(opts...)
			if err != nil && peer.Is6() {
				t.Skipf("no IPv6: %v", err)
			}
			require.NoError(t, err)
			defer srv.Close()
			require.NoError(t, srv.Listen(true))
			var buf bytes.Buffer
			w, err := pcap.NewWriter(&buf)
			require.NoError(t, err)
			c, err := Open(append(opts, RemoteUDPPort(srv.UDPPort()), Capture(w))...)
			require.NoError(t, err)
			ac, err := c.Connect(testCtx(t), peer, srv.Port())
			if err != nil && peer.Is6() {
				t.Skipf("no IPv6 loopback: %v", err)
			}
			require.NoError(t, err)
			require.NoError(t, c.Send(ac.AssocID, 0, []byte("x")))
			require.Equal(t, "x", string(recvData(t, srv).Data))
			require.NoError(t, c.Close())
			require.NoError(t, w.Close())

			pkts, err := pcap.Parse(buf.Bytes())
			require.NoError(t, err)
			require.Greater(t, len(pkts), 4)
			unspecified := netip.IPv4Unspecified()
			if peer.Is6() {
				unspecified = netip.IPv6Unspecified()
			}
			for i, p := range pkts {
				src := peer
				if i == 0 {
					require.Equal(t, chunk.TypeInit, chunk.Type(p.Payload[12]))
					src = unspecified
				}
				require.Equal(t, src, p.Src, "packet %d", i+1)
				require.Equal(t, peer, p.Dst, "packet %d", i+1)
				ports := []uint16{p.SrcPort, p.DstPort}
				require.ElementsMatch(t, []uint16{uint16(c.UDPPort()), uint16(srv.UDPPort())}, ports, "packet %d", i+1)
			}
		})
	}
}

// The capture of a socket covers the sockets peeled off it, and goes on
// after the socket closed until they are closed too.
func TestCapturePeeledOff(t *testing.T) {
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf)
	require.NoError(t, err)
	srv := server(t, Capture(w))
	c := clientOf(t, srv)
	ac := connect(t, c, srv)
	up := recvEvent[*AssocChange](t, srv)
	p, err := srv.Peeloff(up.AssocID)
	require.NoError(t, err)
	require.NoError(t, srv.Close())
	require.NoError(t, p.Send(0, 0, []byte("from the peeled socket")))
	require.Equal(t, "from the peeled socket", string(recvData(t, c).Data))
	require.NoError(t, c.Eof(ac.AssocID))
	recvState(t, c, ShutdownComp)
	require.NoError(t, p.Close())
	require.NoError(t, w.Close())

	pkts, err := pcap.Parse(buf.Bytes())
	require.NoError(t, err)
	var data, shutdownComplete int
	for _, pk := range pkts {
		sp, err := packet.Parse(pk.Payload, packet.Options{})
		require.NoError(t, err)
		for it := sp.Chunks(); ; {
			r, ok := it.Next()
			if !ok {
				break
			}
			switch {
			case r.Type == chunk.TypeData && bytes.Contains(r.Bytes, []byte("from the peeled socket")):
				data++
			case r.Type == chunk.TypeShutdownComplete:
				shutdownComplete++
			}
		}
	}
	require.Equal(t, 1, data, "the peeled socket's DATA")
	require.Equal(t, 1, shutdownComplete, "its shutdown")
}

// BenchmarkSendRecvCapture is BenchmarkSendRecv without a capture, and
// with both sockets recording their packets (to io.Discard): the cost of
// a capture per message, and that it allocates nothing per packet.
func BenchmarkSendRecvCapture(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "none"
		var opts []Option
		if on {
			name = "capture"
			w, err := pcap.NewWriter(io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			opts = []Option{Capture(w)}
		}
		b.Run(name, func(b *testing.B) {
			benchSendRecv(b, append([]Option{IP(lo), LocalUDPPort(0)}, opts...), func(srv *Socket) []Option {
				return append([]Option{IP(lo), LocalUDPPort(0), RemoteUDPPort(srv.UDPPort())}, opts...)
			}, lo)
		})
	}
}

// stuckWriter is an io.Writer that blocks every Write once stuck is set,
// until release is closed: a full disk, a pipe nobody reads.
type stuckWriter struct {
	stuck   atomic.Bool
	release chan struct{}
}

func (w *stuckWriter) Write(b []byte) (int, error) {
	if w.stuck.Load() {
		<-w.release
	}
	return len(b), nil
}

// recvDataWithin receives until a message arrives, within d.
func recvDataWithin(t *testing.T, s *Socket, d time.Duration) (Delivery, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		m, err := s.Recv(ctx)
		if err != nil || m.Kind == KindData {
			return m, err
		}
	}
}

// closeWithin closes s and reports whether Close returned within d.
func closeWithin(s *Socket, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		_ = s.Close()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// checkNotHeldUp opens a client with opts (a capture or a trace writing
// to g) and another socket on its UDP port, makes an association from
// each to a server, then blocks g; the client sends n messages of size
// bytes, which the server receives; so does a message of the other
// socket; the other socket then closes, and the client within 3 s.
func checkNotHeldUp(t *testing.T, g *stuckWriter, n, size int, opts ...Option) {
	t.Helper()
	srv := server(t)
	c := clientOf(t, srv, opts...)
	other := clientOf(t, srv, LocalUDPPort(c.UDPPort()))
	require.Same(t, c.stk, other.stk)
	ac := connect(t, c, srv)
	oac := connect(t, other, srv)
	g.stuck.Store(true)

	go func() {
		for range n {
			if c.Send(ac.AssocID, 0, make([]byte, size)) != nil {
				return
			}
		}
	}()
	for i := range n {
		d, err := recvDataWithin(t, srv, 5*time.Second)
		require.NoError(t, err, "message %d of the client", i)
		require.Len(t, d.Data, size)
	}
	go func() { _ = other.Send(oac.AssocID, 0, []byte("after")) }()
	d, err := recvDataWithin(t, srv, 5*time.Second)
	require.NoError(t, err, "the other socket's message")
	require.Equal(t, "after", string(d.Data))

	require.True(t, closeWithin(other, 5*time.Second), "Close of the other socket")
	start := time.Now()
	require.True(t, closeWithin(c, 5*time.Second), "Close of the client")
	require.Less(t, time.Since(start), 3*time.Second)
}

// A capture whose io.Writer blocks holds up no packet: neither the
// socket's own (more than the Writer buffers: the rest is dropped and
// counted) nor those of another socket on the same UDP port; and closing
// either socket does not wait for the io.Writer for more than a second.
func TestCaptureBlockedWriter(t *testing.T) {
	g := &stuckWriter{release: make(chan struct{})}
	defer close(g.release)
	w, err := pcap.NewWriter(g)
	require.NoError(t, err)
	checkNotHeldUp(t, g, 60, 4000, Capture(w)) // more than the Writer's 2 × 64 KiB
	require.Positive(t, w.Dropped(), "packets beyond the Writer's buffers")
}

// Recording a packet allocates nothing once the Writer's buffers are
// there (a capture runs on the packet path), also when the io.Writer is
// slow and the packet is dropped.
func TestCaptureAllocs(t *testing.T) {
	st := open(t).stk
	for _, stuck := range []bool{false, true} {
		g := &stuckWriter{release: make(chan struct{})}
		w, err := pcap.NewWriter(g)
		require.NoError(t, err)
		g.stuck.Store(stuck)
		c := &capture{w: w, st: st, of: stack.TapFilter{Port: 7}, locals: st.LocalAddrs()}
		at := netip.AddrPortFrom(lo, 9899)
		m := &packetio.Message{Data: make([]byte, 1200), From: at, To: at}
		m.Data[3] = 7 // destination port 7
		out := &packetio.OutMessage{Data: make([]byte, 1200), To: at, From: lo}
		out.Data[1] = 7 // source port 7
		n := testing.AllocsPerRun(200, func() {
			c.Received(m)
			c.Sent(out)
		})
		require.Zero(t, n, "allocations per packet, io.Writer stuck %v", stuck)
		if stuck {
			require.Positive(t, w.Dropped())
		}
		close(g.release)
		require.NoError(t, w.Close())
	}
}

// An IPv4 wildcard socket and a v6only IPv6 wildcard socket share an SCTP
// port and a UDP port: the capture of the IPv4 one records its IPv4
// association and none of the other's IPv6 packets.
func TestCaptureWildcardFamiliesShareSCTPPort(t *testing.T) {
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf)
	require.NoError(t, err)
	s4, err := Open(LocalUDPPort(0), Capture(w))
	require.NoError(t, err)
	defer s4.Close()
	s6, err := Open(LocalUDPPort(s4.UDPPort()), Port(s4.Port()), Inet6(), IPv6V6Only(true))
	require.NoError(t, err)
	defer s6.Close()
	for _, c := range []struct {
		s    *Socket
		addr netip.Addr
		opts []Option
	}{{s4, lo, nil}, {s6, lo6, []Option{Inet6()}}} {
		require.NoError(t, c.s.Listen(true))
		cli, err := Open(append([]Option{LocalUDPPort(0), RemoteUDPPort(s4.UDPPort())}, c.opts...)...)
		require.NoError(t, err)
		defer cli.Close()
		ac, err := cli.Connect(testCtx(t), c.addr, c.s.Port())
		require.NoError(t, err)
		require.NoError(t, cli.Send(ac.AssocID, 0, []byte("hello")))
		require.Equal(t, "hello", string(recvData(t, c.s).Data))
	}
	require.NoError(t, s4.Close())
	require.NoError(t, w.Close())
	pkts, err := pcap.Parse(buf.Bytes())
	require.NoError(t, err)
	require.NotEmpty(t, pkts)
	for i, p := range pkts {
		require.True(t, p.Src.Is4() && p.Dst.Is4(), "packet %d of the IPv4 socket's capture: %v → %v", i+1, p.Src, p.Dst)
	}
}

package api

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v3"
	"github.com/pion/transport/v3/vnet"
	"github.com/stretchr/testify/require"
)

// testNet is a network for the tests of the semantics of the gen_sctp documentation:
// real UDP sockets on loopback, or two hosts of a pion vnet virtual
// network (in-process: nothing reaches a real interface; the addresses
// are RFC 5737 documentation addresses). Servers open on host B, clients
// on host A (on loopback both are 127.0.0.1).
type testNet struct {
	name         string
	hostA, hostB netip.Addr
	netA, netB   transport.Net // nil on loopback
	router       *vnet.Router  // nil on loopback
}

// forEachNet runs fn as a subtest on loopback and on a vnet router with
// two hosts.
func forEachNet(t *testing.T, fn func(t *testing.T, n *testNet)) {
	t.Helper()
	t.Run("loopback", func(t *testing.T) {
		fn(t, &testNet{name: "loopback", hostA: lo, hostB: lo})
	})
	t.Run("vnet", func(t *testing.T) {
		fn(t, newVNet(t))
	})
}

// newVNet returns a started vnet router 192.0.2.0/24 with host A
// 192.0.2.1 and host B 192.0.2.2, stopped at the end of the test (after
// the sockets opened later are closed).
func newVNet(t *testing.T) *testNet {
	t.Helper()
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelDisabled
	router, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "192.0.2.0/24", LoggerFactory: lf})
	require.NoError(t, err)
	n := &testNet{name: "vnet", hostA: netip.MustParseAddr("192.0.2.1"), hostB: netip.MustParseAddr("192.0.2.2"), router: router}
	for _, h := range []struct {
		ip  netip.Addr
		dst *transport.Net
	}{{n.hostA, &n.netA}, {n.hostB, &n.netB}} {
		vn, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{h.ip.String()}})
		require.NoError(t, err)
		require.NoError(t, router.AddNet(vn))
		*h.dst = vn
	}
	require.NoError(t, router.Start())
	t.Cleanup(func() { _ = router.Stop() })
	return n
}

// open opens a socket on host A (b false) or B, on an ephemeral UDP
// port, closed at the end of the test.
func (n *testNet) open(t *testing.T, b bool, opts ...Option) *Socket {
	t.Helper()
	ip, nt := n.hostA, n.netA
	if b {
		ip, nt = n.hostB, n.netB
	}
	base := []Option{IP(ip), LocalUDPPort(0)}
	if nt != nil {
		base = append(base, Network(nt))
	}
	s, err := Open(append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// server opens a listening socket on host B.
func (n *testNet) server(t *testing.T, opts ...Option) *Socket {
	t.Helper()
	s := n.open(t, true, opts...)
	require.NoError(t, s.Listen(true))
	return s
}

// client opens a socket on host A that reaches srv's UDP port.
func (n *testNet) client(t *testing.T, srv *Socket, opts ...Option) *Socket {
	t.Helper()
	return n.open(t, false, append([]Option{RemoteUDPPort(srv.UDPPort())}, opts...)...)
}

// connect connects c to srv and returns the comm_up event.
func (n *testNet) connect(t *testing.T, c, srv *Socket, opts ...Option) *AssocChange {
	t.Helper()
	ac, err := c.Connect(testCtx(t), n.hostB, srv.Port(), opts...)
	require.NoError(t, err)
	require.Equal(t, CommUp, ac.State)
	return ac
}

// The sockets of a Network live on it: their addresses are the vnet
// host's, and two sockets with the same UDP port and address share a
// stack only on the same network.
func TestVNetNetworkOption(t *testing.T) {
	noLeak(t)
	n := newVNet(t)
	a := n.open(t, false)
	names, err := a.SockNames(0)
	require.NoError(t, err)
	require.Equal(t, []netip.AddrPort{netip.AddrPortFrom(n.hostA, a.Port())}, names)
	// Same UDP port on the same network: one stack; on the OS's network
	// the vnet address does not exist.
	b := n.open(t, false, LocalUDPPort(a.UDPPort()))
	require.Same(t, a.stk, b.stk)
	_, err = Open(IP(n.hostA), LocalUDPPort(a.UDPPort()))
	require.Error(t, err, "192.0.2.1 is no address of this machine")
	// A Network is open-only, and its type must be comparable.
	require.ErrorIs(t, a.SetOpts(Network(n.netA)), ErrInvalidOption)
	_, err = Open(Network(uncomparableNet{}))
	require.ErrorIs(t, err, ErrInvalidOption)
}

// uncomparableNet is a transport.Net whose dynamic type cannot be a map
// key.
type uncomparableNet struct {
	transport.Net
	_ []int
}

// connect, then messages both ways with their sndrcvinfo and sender
// (the gen_sctp documentation).
func TestNetsConnectSendRecv(t *testing.T) {
	noLeak(t)
	forEachNet(t, func(t *testing.T, n *testNet) {
		srv := n.server(t)
		cli := n.client(t, srv)
		ac := n.connect(t, cli, srv)
		require.Equal(t, uint16(10), ac.OutboundStreams)
		up := recvEvent[*AssocChange](t, srv)
		require.Equal(t, CommUp, up.State)
		for i := range 5 {
			require.NoError(t, cli.SendInfo(SndRcvInfo{AssocID: ac.AssocID, Stream: uint16(i), PPID: uint32(100 + i)},
				[]byte(fmt.Sprintf("m%d", i))))
		}
		for i := range 5 {
			d := recvData(t, srv)
			require.Equal(t, fmt.Sprintf("m%d", i), string(d.Data))
			require.Equal(t, uint16(i), d.Info.Stream)
			require.Equal(t, uint32(100+i), d.Info.PPID)
			require.Equal(t, up.AssocID, d.Info.AssocID)
			require.Equal(t, netip.AddrPortFrom(n.hostA, cli.Port()), d.From)
		}
		require.NoError(t, srv.Send(up.AssocID, 2, []byte("back")))
		r := recvData(t, cli)
		require.Equal(t, "back", string(r.Data))
		require.Equal(t, netip.AddrPortFrom(n.hostB, srv.Port()), r.From)
	})
}

// {active, N}: every delivery counts, events included; at 0 the socket
// turns passive with a notice and the rest is read with Recv (the
// gen_sctp documentation of {active, N}).
func TestNetsActiveCount(t *testing.T) {
	noLeak(t)
	forEachNet(t, func(t *testing.T, n *testNet) {
		srv := n.server(t, Active(ActiveCount(3)))
		cli := n.client(t, srv)
		ac := n.connect(t, cli, srv)
		up := next(t, srv.Deliveries())
		require.Equal(t, CommUp, up.Event.(*AssocChange).State, "comm_up counts")
		for _, m := range []string{"one", "two", "three"} {
			require.NoError(t, cli.Send(ac.AssocID, 0, []byte(m)))
		}
		require.Equal(t, "one", string(next(t, srv.Deliveries()).Data))
		require.Equal(t, "two", string(next(t, srv.Deliveries()).Data))
		require.Equal(t, KindPassive, next(t, srv.Deliveries()).Kind)
		require.Equal(t, "three", string(recvData(t, srv).Data))
		require.Empty(t, srv.Deliveries())
	})
}

// eof/2 and abort/2: the events on both sides (the gen_sctp documentation).
func TestNetsEofAbort(t *testing.T) {
	noLeak(t)
	forEachNet(t, func(t *testing.T, n *testNet) {
		srv := n.server(t)
		cli := n.client(t, srv)
		ac := n.connect(t, cli, srv)
		up := recvEvent[*AssocChange](t, srv)
		require.NoError(t, cli.Send(ac.AssocID, 0, []byte("flushed first")))
		require.NoError(t, cli.Eof(ac.AssocID))
		require.Equal(t, "flushed first", string(recvData(t, srv).Data))
		require.Equal(t, up.AssocID, recvEvent[*ShutdownEvent](t, srv).AssocID)
		require.Equal(t, ShutdownComp, recvEvent[*AssocChange](t, srv).State)
		mine := recvEvent[*AssocChange](t, cli)
		require.Equal(t, ShutdownComp, mine.State)
		require.Equal(t, ac.AssocID, mine.AssocID)

		ac = n.connect(t, cli, srv)
		recvEvent[*AssocChange](t, srv)
		require.NoError(t, cli.Abort(ac.AssocID))
		lost := recvEvent[*AssocChange](t, srv)
		require.Equal(t, CommLost, lost.State)
		require.Equal(t, CauseCode(12), lost.Error, "User Initiated Abort")
		require.Equal(t, CommLost, recvEvent[*AssocChange](t, cli).State)
	})
}

// A message far larger than the PMTU and the receive buffer is
// delivered whole (the gen_sctp documentation buffer).
func TestNetsLargeMessage(t *testing.T) {
	noLeak(t)
	forEachNet(t, func(t *testing.T, n *testNet) {
		srv := n.server(t, Recbuf(16384))
		cli := n.client(t, srv, SCTPNodelay(true))
		ac := n.connect(t, cli, srv)
		r := rand.New(rand.NewPCG(3, 4))
		m := make([]byte, 300000)
		for i := range m {
			m[i] = byte(r.Uint32())
		}
		require.NoError(t, cli.Send(ac.AssocID, 1, m))
		require.NoError(t, cli.Send(ac.AssocID, 1, []byte("after")))
		d := recvData(t, srv)
		require.True(t, bytes.Equal(m, d.Data), "%d bytes of %d, whole", len(d.Data), len(m))
		require.Equal(t, uint16(1), d.Info.Stream)
		require.Equal(t, "after", string(recvData(t, srv).Data))
	})
}

// send/3 blocks while the send buffer is full and completes when the
// peer reads; with non_block_send it is eagain (the gen_sctp documentation).
func TestNetsSendBackPressure(t *testing.T) {
	noLeak(t)
	forEachNet(t, func(t *testing.T, n *testNet) {
		srv := n.server(t, Recbuf(1500))
		cli := n.client(t, srv, Sndbuf(4000), SCTPNodelay(true), NonBlockSend(true))
		ac := n.connect(t, cli, srv)
		recvEvent[*AssocChange](t, srv)
		msg := make([]byte, 1000)
		sent := 0
		for ; sent < 100; sent++ {
			if err := cli.Send(ac.AssocID, 0, msg); err != nil {
				require.ErrorIs(t, err, ErrWouldBlock)
				break
			}
		}
		require.Less(t, sent, 100, "the buffers filled up")

		require.NoError(t, cli.SetOpts(NonBlockSend(false)))
		done := make(chan error, 1)
		go func() { done <- cli.Send(ac.AssocID, 0, []byte("last")) }()
		// The server reads: the blocked Send gets room and completes;
		// every message arrives, the last one last.
		got := 0
		for {
			d := recvData(t, srv)
			if string(d.Data) == "last" {
				break
			}
			require.Len(t, d.Data, len(msg))
			got++
		}
		require.NoError(t, <-done)
		require.Equal(t, sent, got)
	})
}

// peeloff/2: the association's messages arrive on the new socket and
// its sends go through it (the gen_sctp documentation).
func TestNetsPeeloff(t *testing.T) {
	noLeak(t)
	forEachNet(t, func(t *testing.T, n *testNet) {
		srv := n.server(t)
		cli := n.client(t, srv)
		ac := n.connect(t, cli, srv)
		up := recvEvent[*AssocChange](t, srv)
		p, err := srv.Peeloff(up.AssocID)
		require.NoError(t, err)
		t.Cleanup(func() { p.Close() })
		require.Equal(t, Stream, p.Type())
		require.NoError(t, cli.Send(ac.AssocID, 0, []byte("to peeled")))
		d := recvData(t, p)
		require.Equal(t, "to peeled", string(d.Data))
		require.Equal(t, up.AssocID, d.Info.AssocID)
		require.NoError(t, p.Send(0, 0, []byte("from peeled")))
		require.Equal(t, "from peeled", string(recvData(t, cli).Data))
		require.ErrorIs(t, srv.Send(up.AssocID, 0, []byte("x")), ErrNoAssociation)
		require.NoError(t, p.Close())
		recvEvent[*ShutdownEvent](t, cli)
	})
}

// dataTSNs returns the TSNs of the DATA chunks of an SCTP packet (RFC
// 9260 Section 3: a 12-byte common header, then chunks of type, flags and
// length, padded to 4 bytes; Section 3.3.1: a DATA chunk is type 0 with
// the TSN after its 4-byte header).
func dataTSNs(pkt []byte) []uint32 {
	var out []uint32
	for off := 12; off+4 <= len(pkt); {
		n := int(binary.BigEndian.Uint16(pkt[off+2:]))
		if n < 4 || off+n > len(pkt) {
			break
		}
		if pkt[off] == 0 && n >= 16 {
			out = append(out, binary.BigEndian.Uint32(pkt[off+4:]))
		}
		off += (n + 3) &^ 3
	}
	return out
}

// On a lossy virtual link (a vnet chunk filter drops every fifth packet
// from A to B that starts with a DATA chunk not seen before, and lets
// every retransmission through) nothing is lost: RFC 9260 Section 6.3.3 "the sender ...
// MUST retransmit" on T3-rtx expiry, and Section 7.2.4 fast retransmit
// on the gap reports; every message arrives once, in order per stream.
func TestVNetLossRetransmits(t *testing.T) {
	noLeak(t)
	n := newVNet(t)
	var mu sync.Mutex
	seen := make(map[uint32]int) // DATA chunks sent, by TSN
	var lost []uint32            // the TSNs of the dropped packets
	fresh := 0
	n.router.AddChunkFilter(func(c vnet.Chunk) bool {
		src, err := netip.ParseAddrPort(c.SourceAddr().String())
		if err != nil || src.Addr() != n.hostA {
			return true
		}
		tsns := dataTSNs(c.UserData())
		if len(tsns) == 0 {
			return true
		}
		mu.Lock()
		defer mu.Unlock()
		again := false
		for _, tsn := range tsns {
			seen[tsn]++
			again = again || seen[tsn] > 1
		}
		if again {
			return true // a retransmission gets through
		}
		if fresh++; fresh%5 == 0 {
			lost = append(lost, tsns...)
			return false
		}
		return true
	})
	srv := n.server(t)
	cli := n.client(t, srv, SCTPNodelay(true))
	ac := n.connect(t, cli, srv)
	recvEvent[*AssocChange](t, srv)
	const msgs = 200
	go func() {
		for i := range msgs {
			if cli.Send(ac.AssocID, uint16(i%3), []byte(fmt.Sprintf("message %d", i))) != nil {
				return // the test failed or ended
			}
		}
	}()
	next := [3]int{0, 1, 2}
	for range msgs {
		d := recvData(t, srv)
		s := d.Info.Stream
		require.Equal(t, fmt.Sprintf("message %d", next[s]), string(d.Data), "stream %d in order", s)
		next[s] += 3
	}
	mu.Lock()
	sentAgain := make(map[uint32]bool, len(lost))
	for _, tsn := range lost {
		sentAgain[tsn] = seen[tsn] > 1
	}
	chunks := len(seen)
	mu.Unlock()
	t.Logf("%d DATA chunks, %d dropped", chunks, len(sentAgain))
	require.NotEmpty(t, sentAgain)
	for tsn, again := range sentAgain {
		require.True(t, again, "TSN %d dropped and sent again", tsn)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := srv.Recv(ctx)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "no duplicate delivered: %v", err)
}

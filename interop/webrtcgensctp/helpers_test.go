package webrtcgensctp

import (
	"context"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

// testTimeout bounds every wait of a test.
const testTimeout = 30 * time.Second

// lossyConn is a UDP socket on loopback that drops a seeded share of the
// datagrams it sends while percent is set, and those of blackoutSize
// bytes or more (DATA of 1000-byte messages) while blackout is.
type lossyConn struct {
	net.PacketConn
	mu       sync.Mutex
	rng      *rand.Rand
	percent  atomic.Int32
	blackout atomic.Bool
	dropped  atomic.Int64
	blacked  atomic.Int64
	sent     atomic.Int64
}

// blackoutSize is the size of the datagrams a blackout drops.
const blackoutSize = 1000

// WriteTo drops the datagram with the configured probability, or when it
// is large during a blackout.
func (c *lossyConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if len(p) >= blackoutSize && c.blackout.Load() {
		c.blacked.Add(1)
		return len(p), nil
	}
	if pc := c.percent.Load(); pc > 0 {
		c.mu.Lock()
		drop := c.rng.IntN(100) < int(pc)
		c.mu.Unlock()
		if drop {
			c.dropped.Add(1)
			return len(p), nil
		}
	}
	c.sent.Add(1)
	return c.PacketConn.WriteTo(p, addr)
}

// peer is one PeerConnection and, when lossy, the socket under its ICE.
type peer struct {
	pc   *webrtc.PeerConnection
	conn *lossyConn
}

// newAPI is a pion/webrtc API whose ICE uses UDP over IPv4 loopback only,
// through conn when it is not nil.
func newAPI(t testing.TB, conn *lossyConn) *webrtc.API {
	var se webrtc.SettingEngine
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if conn != nil {
		mux := ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: conn})
		t.Cleanup(func() { _ = mux.Close() })
		se.SetICEUDPMux(mux)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// newLossyConn is a loopback UDP socket whose drops are seeded by seed.
func newLossyConn(t testing.TB, seed uint64) *lossyConn {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	return &lossyConn{PacketConn: pc, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// newPair makes two PeerConnections, a offering and b answering, each on
// a lossy socket when lossy, and connects them once a has created its
// first data channel (setup, which runs before the offer so that the
// offer has an SCTP section). The descriptions exchanged carry all the
// candidates (no trickle ICE).
func newPair(t testing.TB, lossy bool, setup func(a, b *webrtc.PeerConnection)) (a, b *peer) {
	a, b = &peer{}, &peer{}
	if lossy {
		a.conn, b.conn = newLossyConn(t, 1), newLossyConn(t, 2)
	}
	var err error
	a.pc, err = newAPI(t, a.conn).NewPeerConnection(webrtc.Configuration{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.pc.Close() })
	b.pc, err = newAPI(t, b.conn).NewPeerConnection(webrtc.Configuration{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.pc.Close() })
	setup(a.pc, b.pc)
	offer, err := a.pc.CreateOffer(nil)
	require.NoError(t, err)
	gatheredA := webrtc.GatheringCompletePromise(a.pc)
	require.NoError(t, a.pc.SetLocalDescription(offer))
	wait(context.Background(), t, gatheredA, "ICE gathering")
	require.NoError(t, b.pc.SetRemoteDescription(*a.pc.LocalDescription()))
	answer, err := b.pc.CreateAnswer(nil)
	require.NoError(t, err)
	gatheredB := webrtc.GatheringCompletePromise(b.pc)
	require.NoError(t, b.pc.SetLocalDescription(answer))
	wait(context.Background(), t, gatheredB, "ICE gathering")
	require.NoError(t, a.pc.SetRemoteDescription(*b.pc.LocalDescription()))
	return a, b
}

// setLoss makes both peers drop percent of the datagrams they send.
func setLoss(a, b *peer, percent int32) {
	a.conn.percent.Store(percent)
	b.conn.percent.Store(percent)
}

// opened is closed when dc opens.
func opened(dc *webrtc.DataChannel) <-chan struct{} {
	ch := make(chan struct{})
	dc.OnOpen(func() { close(ch) })
	return ch
}

// wait fails the test when ch is not ready within testTimeout or ctx.
func wait[T any](ctx context.Context, t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("%s: %v", what, ctx.Err())
		var zero T
		return zero
	}
}

// accepted delivers the first n data channels the peer opens to b.
func accepted(b *webrtc.PeerConnection, n int) <-chan *webrtc.DataChannel {
	ch := make(chan *webrtc.DataChannel, n)
	b.OnDataChannel(func(dc *webrtc.DataChannel) {
		select {
		case ch <- dc:
		default:
		}
	})
	return ch
}

// sendPaced sends msg on dc, first waiting while more than limit bytes
// are buffered until OnBufferedAmountLow (threshold limit/2) fires.
type pacer struct {
	dc    *webrtc.DataChannel
	limit uint64
	low   chan struct{}
	lows  atomic.Int64
	peak  uint64
}

// newPacer sets dc's low threshold to limit/2.
func newPacer(dc *webrtc.DataChannel, limit uint64) *pacer {
	p := &pacer{dc: dc, limit: limit, low: make(chan struct{}, 1)}
	dc.SetBufferedAmountLowThreshold(limit / 2)
	dc.OnBufferedAmountLow(func() {
		p.lows.Add(1)
		select {
		case p.low <- struct{}{}:
		default:
		}
	})
	return p
}

// send sends msg once no more than limit bytes are buffered.
func (p *pacer) send(ctx context.Context, t testing.TB, msg []byte) {
	t.Helper()
	for p.dc.BufferedAmount() > p.limit {
		wait(ctx, t, p.low, "buffered amount low")
	}
	require.NoError(t, p.dc.Send(msg))
	p.peak = max(p.peak, p.dc.BufferedAmount())
}

//go:build linux

package interop

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lossyProxy relays UDP datagrams between our node and a peer, both on
// 127.0.0.1: our node sends to near, the peer to far. Once on, it drops,
// duplicates and delays (reorders) a few percent of the datagrams in each
// direction, as a lossy path would. The verdicts follow a seed, but which
// datagram gets which depends on timing: a replay is close, not exact.
type lossyProxy struct {
	near, far *net.UDPConn
	peer      netip.AddrPort // the peer's UDP address
	on        atomic.Bool
	wg        sync.WaitGroup // the relays and the delayed datagrams

	mu  sync.Mutex // guards what follows
	us  netip.AddrPort
	rnd *rand.Rand
}

// startLossyProxy relays between ports near and far of 127.0.0.1 and the
// peer's UDP port peer, passing everything until on is set; it stops
// when the test ends.
func startLossyProxy(t *testing.T, near, far, peer int, seed uint64) *lossyProxy {
	t.Helper()
	p := &lossyProxy{peer: netip.AddrPortFrom(loopback, uint16(peer)), rnd: rand.New(rand.NewPCG(seed, 2))}
	var err error
	if p.near, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(near)))); err != nil {
		t.Fatalf("proxy: %v", err)
	}
	if p.far, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(far)))); err != nil {
		p.near.Close()
		t.Fatalf("proxy: %v", err)
	}
	p.wg.Add(2)
	go p.relay(p.near, p.far, true)
	go p.relay(p.far, p.near, false)
	t.Cleanup(func() {
		p.near.Close()
		p.far.Close()
		p.wg.Wait()
	})
	return p
}

// relay forwards what arrives on from out of to: to the peer when
// outbound (from our node), else to our node, until from closes.
func (p *lossyProxy) relay(from, to *net.UDPConn, outbound bool) {
	defer p.wg.Done()
	buf := make([]byte, 1<<16)
	for {
		k, src, err := from.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		dst := p.peer
		if outbound {
			p.us = src
		} else {
			dst = p.us
		}
		x, delay := p.rnd.IntN(1000), time.Duration(1+p.rnd.IntN(5))*time.Millisecond
		p.mu.Unlock()
		b := buf[:k]
		switch {
		case !p.on.Load() || x >= 25:
			_, _ = to.WriteToUDPAddrPort(b, dst)
		case x < 10: // dropped
		case x < 15:
			_, _ = to.WriteToUDPAddrPort(b, dst)
			_, _ = to.WriteToUDPAddrPort(b, dst)
		default:
			b = append([]byte(nil), b...)
			p.wg.Add(1)
			time.AfterFunc(delay, func() {
				defer p.wg.Done()
				_, _ = to.WriteToUDPAddrPort(b, dst)
			})
		}
	}
}

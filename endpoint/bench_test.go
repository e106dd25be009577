package endpoint_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// direct is a lockstep connection of nodes without a network: every
// packet is delivered at once, to the node at its destination.
type direct struct {
	now   timer.Time
	nodes map[netip.AddrPort]directNode
	buf   []byte
}

type directNode interface {
	AppendPacket(now timer.Time, buf []byte) (association.Outgoing, bool)
}

func (d *direct) deliver(from netip.AddrPort, out association.Outgoing) {
	switch n := d.nodes[out.To].(type) {
	case *endpoint.Endpoint:
		_ = n.HandleDatagram(&association.Datagram{Now: d.now, From: from, To: out.To.Addr(), Data: out.Data})
	case *association.Association:
		_ = n.HandleDatagram(&association.Datagram{Now: d.now, From: from, Data: out.Data})
	}
}

// pump moves packets from the nodes at the addresses given until all are
// quiet.
func (d *direct) pump(addrs ...netip.AddrPort) {
	for moved := true; moved; {
		moved = false
		for _, a := range addrs {
			for {
				out, ok := d.nodes[a].AppendPacket(d.now, d.buf[:0])
				if !ok {
					break
				}
				d.deliver(a, out)
				moved = true
			}
		}
	}
}

// bigServer returns a listening server endpoint with n established
// associations, one with each of n client associations (not endpoints: they
// are only there to complete the handshakes).
func bigServer(tb testing.TB, n int, mod func(*endpoint.Config)) (*direct, *endpoint.Endpoint) {
	tb.Helper()
	cfg := endpointtest.Config(1, 7)
	if mod != nil {
		mod(&cfg)
	}
	s, err := endpoint.New(cfg, 0)
	require.NoError(tb, err)
	s.Listen(true)
	d := &direct{nodes: map[netip.AddrPort]directNode{addrS: s}, buf: make([]byte, 0, 1<<16)}
	rnd := rand.NewPCG(2, 3)
	var clients []netip.AddrPort
	for i := range n {
		addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), 9899)
		a, err := association.New(association.Config{LocalPort: 5000, PeerPort: 7, Rand: rnd}, 0, addrS)
		require.NoError(tb, err)
		require.NoError(tb, a.Connect(0))
		d.nodes[addr] = a
		clients = append(clients, addr)
	}
	// In batches: the server queues at most MaxPendingReplies INIT ACKs.
	for k := 0; k < n; k += 256 {
		batch := clients[k:min(k+256, n)]
		for range 3 { // INIT, INIT ACK, COOKIE ECHO, COOKIE ACK
			d.pump(batch...)
			d.pump(addrS)
		}
	}
	require.Equal(tb, n, s.Len())
	for _, c := range clients {
		require.Equal(tb, association.StateEstablished, d.nodes[c].(*association.Association).State())
	}
	endpointtest.Drain(s)
	return d, s
}

// NextDeadline with 10 000 idle associations: O(1), the top of the heap.
func BenchmarkNextDeadline10k(b *testing.B) {
	_, s := bigServer(b, 10000, nil)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.NextDeadline()
	}
}

// HandleTimeout with 10 000 idle associations and nothing due.
func BenchmarkHandleTimeoutIdle10k(b *testing.B) {
	d, s := bigServer(b, 10000, nil)
	now := d.now
	b.ReportAllocs()
	for b.Loop() {
		s.HandleTimeout(now)
	}
}

// One timer firing among 10 000 associations (their heartbeats, not
// answered; the retransmission limits are raised so that none fails):
// HandleTimeout at the next deadline and the packets it produces.
func BenchmarkHandleTimeoutDue10k(b *testing.B) {
	_, s := bigServer(b, 10000, func(c *endpoint.Config) {
		c.Assoc.MaxRetrans, c.Assoc.PathMaxRetrans = 1<<30, 1<<30
	})
	buf := make([]byte, 0, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		now := s.NextDeadline()
		s.HandleTimeout(now)
		for {
			if _, ok := s.AppendPacket(now, buf); !ok {
				break
			}
		}
		for {
			if _, _, ok := s.Poll(); !ok {
				break
			}
		}
	}
}

// For comparison: the earliest deadline by a linear scan over 10 000
// associations, what the heap avoids.
func BenchmarkLinearScan10k(b *testing.B) {
	_, s := bigServer(b, 10000, nil)
	var as []*association.Association
	for _, id := range s.Associations() {
		a, _ := s.Assoc(id)
		as = append(as, a)
	}
	b.ReportAllocs()
	for b.Loop() {
		next := timer.Never
		for _, a := range as {
			next = timer.Min(next, a.NextDeadline())
		}
	}
}

// endpointPair is a client and a server endpoint with one established
// association, driven directly. The server holds extra idle associations.
type endpointPair struct {
	d        *direct
	c, s     *endpoint.Endpoint
	cid, sid endpoint.AssocID
	ca       *association.Association
	msg      []byte
	got      int // messages delivered
}

func newEndpointPair(tb testing.TB, extra int) *endpointPair {
	tb.Helper()
	d, s := bigServer(tb, extra, func(c *endpoint.Config) { c.Assoc.SACKDelayDisabled = true })
	c, err := endpoint.New(endpointtest.Config(9, 5000), 0)
	require.NoError(tb, err)
	d.nodes[addrC] = c
	cid, err := c.Connect(0, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(tb, err)
	for range 3 {
		d.pump(addrC, addrS)
	}
	var sid endpoint.AssocID
	for _, dl := range endpointtest.Drain(s) {
		sid = dl.ID
	}
	endpointtest.Drain(c)
	ca, _ := c.Assoc(cid)
	require.Equal(tb, association.StateEstablished, ca.State())
	p := &endpointPair{d: d, c: c, s: s, cid: cid, sid: sid, ca: ca, msg: make([]byte, 1000)}
	for range 100 { // warm up: buffers, rings and maps at their size
		p.message()
	}
	return p
}

// message sends one message from the client to the server: DATA, SACK,
// and the server's Poll.
func (p *endpointPair) message() {
	if ca, ok := p.c.Assoc(p.cid); ok { // looked up for the change: see Assoc
		_ = ca.Send(p.d.now, association.SendInfo{}, p.msg)
	}
	p.d.pump(addrC, addrS)
	for {
		_, dl, ok := p.s.Poll()
		if !ok {
			break
		}
		if dl.Event == nil {
			p.got++
			if a, ok := p.s.Assoc(p.sid); ok {
				a.Release(dl.Message.Data)
			}
		}
	}
}

// Demultiplexing a DATA packet to an established association, its SACK
// back, and the delivery allocate nothing, with 1000 other associations on
// the server.
func TestDemuxDataAllocs(t *testing.T) {
	p := newEndpointPair(t, 1000)
	before := p.got
	allocs := testing.AllocsPerRun(200, p.message)
	require.Zero(t, allocs)
	require.Equal(t, before+201, p.got, "every message arrived")
	require.Zero(t, p.ca.Outstanding(), "and was acknowledged")
}

// One 1000-byte message through a pair of endpoints (DATA demultiplexed
// to its association among 10 000, SACK back, delivery): compare with
// BenchmarkAssociationMessage for the cost of the endpoint layer.
func BenchmarkEndpointMessage(b *testing.B) {
	p := newEndpointPair(b, 10000)
	b.ReportAllocs()
	for b.Loop() {
		p.message()
	}
}

// The same message between two bare associations (no endpoint).
func BenchmarkAssociationMessage(b *testing.B) {
	rnd := rand.NewPCG(4, 5)
	acc, err := association.NewAcceptor(association.Config{LocalPort: 7, PeerPort: 5000, Rand: rnd, SACKDelayDisabled: true})
	require.NoError(b, err)
	ca, err := association.New(association.Config{LocalPort: 5000, PeerPort: 7, Rand: rnd}, 0, addrS)
	require.NoError(b, err)
	require.NoError(b, ca.Connect(0))
	// Handshake through an endpoint-less server: let a server endpoint
	// accept, then take its association out and drive it bare.
	s, err := endpoint.New(endpoint.Config{Port: 7, Assoc: acc.Config()}, 0)
	require.NoError(b, err)
	s.Listen(true)
	d := &direct{nodes: map[netip.AddrPort]directNode{addrS: s, addrC: ca}, buf: make([]byte, 0, 1<<16)}
	for range 3 {
		d.pump(addrC, addrS)
	}
	sa, _ := s.Assoc(s.Associations()[0])
	d.nodes[addrS] = sa
	endpointtest.Drain(s)
	msg := make([]byte, 1000)
	message := func() {
		_ = ca.Send(d.now, association.SendInfo{}, msg)
		d.pump(addrC, addrS)
		for {
			dl, ok := sa.Poll()
			if !ok {
				break
			}
			if dl.Event == nil {
				sa.Release(dl.Message.Data)
			}
		}
	}
	for range 100 {
		message()
	}
	b.ReportAllocs()
	for b.Loop() {
		message()
	}
}

// idle is what idleAssociations measures.
type idle struct {
	heap   float64 // the server's live heap per association
	rate   float64 // handshakes per second
	allocs float64 // allocations per handshake
	bytes  float64 // bytes allocated per handshake
	left   float64 // live heap after all closed, less before
}

// idleAssociations sets up n associations on one listening one-to-many
// endpoint from minimal peers, then closes them all, polls them away and
// lets their reserved tags expire.
func idleAssociations(tb testing.TB, n int) idle {
	c := newCrowd(tb, n, nil)
	base := heapInUse()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	for k := 0; k < n; k += endpoint.MaxPendingReplies / 2 {
		c.connect(tb, k, min(k+endpoint.MaxPendingReplies/2, n))
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&m1)
	require.Len(tb, c.ids, n)
	up := heapInUse()
	c.closeAll(tb)
	require.Empty(tb, c.ids)
	c.now = c.now.Add(endpoint.DefaultTagReuseDelay)
	c.s.HandleTimeout(c.now)
	left := float64(heapInUse()) - float64(base)
	require.Zero(tb, c.s.Len())
	f := float64(n)
	return idle{heap: float64(up-base) / f, rate: f / elapsed.Seconds(), allocs: float64(m1.Mallocs-m0.Mallocs) / f,
		bytes: float64(m1.TotalAlloc-m0.TotalAlloc) / f, left: left}
}

// BenchmarkIdleAssociations: n idle associations on one listening
// one-to-many endpoint (the targets: at most 4 KiB of heap each at the
// server, handshakes flat from 1,000 to 100,000, the heap back to its
// starting level after they close). Metrics: B/assoc (the server's live
// heap per association), assoc/s (handshakes per second: INIT, INIT ACK,
// COOKIE ECHO, COOKIE ACK and the CommUp event, the peers' packets built
// by hand), allocs/assoc and B-alloc/assoc (allocated per handshake, the
// peers' few included), B-left (live heap after all closed, less before).
// An idle association keeps one entry in the deadline heap, for its
// heartbeat (TestIdleAssociationTimers), and nothing of the runtime: no
// goroutine, no timer.
func BenchmarkIdleAssociations(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var sum idle
			runs := 0.0
			for b.Loop() {
				r := idleAssociations(b, n)
				sum.heap, sum.rate, sum.left = sum.heap+r.heap, sum.rate+r.rate, sum.left+r.left
				sum.allocs, sum.bytes = sum.allocs+r.allocs, sum.bytes+r.bytes
				runs++
			}
			b.ReportMetric(sum.heap/runs, "B/assoc")
			b.ReportMetric(sum.rate/runs, "assoc/s")
			b.ReportMetric(sum.allocs/runs, "allocs/assoc")
			b.ReportMetric(sum.bytes/runs, "B-alloc/assoc")
			b.ReportMetric(sum.left/runs, "B-left")
		})
	}
}

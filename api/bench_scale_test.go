package api

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
)

// The I/O edge as users run it, on loopback in one process: the echo round
// trip of one connection while others sit idle with a goroutine blocked in
// Read (the goroutine-per-connection idiom), and handshakes of many
// associations at once with the heap each keeps.

// BenchmarkConnEchoIdle measures the 64-byte echo round trip of one Conn
// while idle Conns, each with a server goroutine blocked in Read, are open,
// and reports the wake-ups of the server per round trip (wakeups/op: wait
// conditions evaluated and tasks run; it does not grow with the idle
// Conns).
func BenchmarkConnEchoIdle(b *testing.B) {
	for _, idle := range []int{0, 1000} {
		b.Run(fmt.Sprintf("idle=%d", idle), func(b *testing.B) {
			e := newIdleEcho(b, idle)
			c := e.active()
			msg, buf := make([]byte, 64), make([]byte, 64)
			wakeups := e.wakeups()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := c.Write(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(e.wakeups()-wakeups)/float64(b.N), "wakeups/op")
		})
	}
}

// idleEcho is a listener whose accepted Conns echo what they read, each
// on a goroutine of its own (the goroutine-per-connection idiom), with
// idle Conns dialed to it, each leaving its server goroutine blocked in
// Read, and one more Conn to measure with (active). Everything is closed
// at the end of the test.
type idleEcho struct {
	l     *Listener
	conns []*Conn // dialed; the last one is the active one
	mu    sync.Mutex
	srv   []*Conn // accepted
}

// newIdleEcho dials idle+1 Conns to a new echo listener and returns once
// every server goroutine but the active one's waits in Read.
func newIdleEcho(tb testing.TB, idle int) *idleEcho {
	tb.Helper()
	l, err := Listen("sctp", "127.0.0.1:0", append(scaleServerOpts(), LocalUDPPort(0))...)
	if err != nil {
		tb.Fatal(err)
	}
	e := &idleEcho{l: l}
	var wg sync.WaitGroup
	tb.Cleanup(func() {
		for _, c := range e.conns {
			c.Close()
		}
		l.Close()
		wg.Wait()
	})
	addr := l.Addr().String()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.AcceptSCTP(context.Background())
			if err != nil {
				return
			}
			e.mu.Lock()
			e.srv = append(e.srv, c)
			e.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i := range idle + 1 {
		// Distinct SCTP ports: two client sockets on different UDP ports
		// with the same SCTP port are one peer to the server (RFC 6951
		// Section 5.4).
		c, err := Dial(ctx, "sctp", addr, append(scaleClientOpts(l), SCTPNodelay(true), Port(uint16(40000+i)))...)
		if err != nil {
			tb.Fatalf("dial %d: %v", len(e.conns), err)
		}
		e.conns = append(e.conns, c)
	}
	for !e.blocked(idle + 1) {
		if ctx.Err() != nil {
			tb.Fatal("the server goroutines do not all wait in Read")
		}
		time.Sleep(time.Millisecond)
	}
	return e
}

// active returns the Conn to measure with.
func (e *idleEcho) active() *Conn { return e.conns[len(e.conns)-1] }

// blocked reports whether n Conns were accepted and each has a caller
// waiting to read.
func (e *idleEcho) blocked(n int) bool {
	e.mu.Lock()
	srv := e.srv
	e.mu.Unlock()
	if len(srv) < n {
		return false
	}
	waiting := 0
	_ = e.l.s.stk.Do(func(timer.Time) error {
		for _, c := range srv {
			if c.s.rq.Len() > 0 {
				waiting++
			}
		}
		return nil
	})
	return waiting == n
}

// wakeups returns the wake-ups of the server's stack so far.
func (e *idleEcho) wakeups() uint64 { return e.l.s.stk.Wakeups() }

// BenchmarkHandshakes sets up assocs associations from client sockets to
// one listening socket with 64 Connects at a time, and reports the
// associations per second (assocs/s), the heap each pair of ends keeps
// and the CPU time the process spent per association (both ends; on a
// busy machine the steadier figure). Only the handshakes are timed: the
// client sockets are opened before, and closed after. Before the timed
// handshakes, warmUpHandshakes other client sockets of the same client
// stack set up associations with the server (left open until the end):
// the packet buffers of both stacks, new in each run, are then at their
// steady level, which the first few hundred handshakes of a new stack
// otherwise pay for (about 22 MB of 64 KiB buffers, most of what the
// handshakes at 1,000 allocated). The largest size is skipped with
// -test.short (opening its client sockets takes a while and a few GB).
func BenchmarkHandshakes(b *testing.B) {
	for _, n := range scaleHandshakes {
		b.Run(fmt.Sprintf("assocs=%d", n), func(b *testing.B) {
			if n > 10000 && testing.Short() {
				b.Skip("skipped with -test.short")
			}
			for range b.N {
				handshakes(b, n)
			}
		})
	}
}

// envBenchLarge, set, runs the largest sizes of BenchmarkIdleAssociations.
const envBenchLarge = "GENSCTP_BENCH_LARGE"

// scaleHandshakes are the association counts BenchmarkHandshakes sets up.
var scaleHandshakes = []int{1000, 2000, 10000, 100000}

// warmUpHandshakes is the number of associations BenchmarkHandshakes sets
// up before it starts the clock.
const warmUpHandshakes = 1000

// clientsPerIP is the number of client sockets (SCTP ports) the scale
// benchmarks open on one client address: a socket has one association
// per peer, and the server tells peers apart by address and SCTP port.
const clientsPerIP = 50000

// scaleClients opens n client sockets of the server srv, each with an
// SCTP port of its own: the first clientsPerIP on 127.0.0.1 sharing one
// UDP port, the next ones on 127.0.0.2 sharing another, and so on. They
// abort their associations when they close (Linger(true, 0)), so that
// closing them all takes no round trips; close them before srv.
func scaleClients(tb testing.TB, srv *Socket, n int) []*Socket {
	tb.Helper()
	var clis []*Socket
	udp := 0
	for i := range n {
		k := i % clientsPerIP
		ip := netip.AddrFrom4([4]byte{127, 0, 0, byte(1 + i/clientsPerIP)})
		if k == 0 {
			udp = 0
		}
		c, err := openClient(ip, udp, srv, uint16(10000+k))
		if err != nil {
			closeAll(clis)
			tb.Fatal(err)
		}
		udp = c.UDPPort()
		clis = append(clis, c)
	}
	return clis
}

// openClient opens a client socket of the server srv on ip, UDP port udp
// (0: a new one) and SCTP port port, that aborts its associations when
// it closes.
func openClient(ip netip.Addr, udp int, srv *Socket, port uint16) (*Socket, error) {
	return Open(IP(ip), LocalUDPPort(udp), RemoteUDPPort(srv.UDPPort()), Port(port), Linger(true, 0))
}

// warmUp opens n client sockets on the first client socket's stack, with
// SCTP ports above those of scaleClients, and connects them to srv with
// 64 Connects at a time.
func warmUp(tb testing.TB, ctx context.Context, srv *Socket, first *Socket, n int) []*Socket {
	tb.Helper()
	var clis []*Socket
	for i := range n {
		c, err := openClient(lo, first.UDPPort(), srv, uint16(10000+clientsPerIP+i))
		if err != nil {
			closeAll(clis)
			tb.Fatal(err)
		}
		clis = append(clis, c)
	}
	if err := connectAll(ctx, srv, clis); err != nil {
		closeAll(clis)
		tb.Fatal(err)
	}
	return clis
}

// connectAll connects every client socket to srv, 64 at a time, and
// returns the first error.
func connectAll(ctx context.Context, srv *Socket, clis []*Socket) error {
	var wg sync.WaitGroup
	work := make(chan int)
	var mu sync.Mutex
	var firstErr error
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if _, err := clis[i].Connect(ctx, lo, srv.Port()); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for i := range clis {
		work <- i
	}
	close(work)
	wg.Wait()
	return firstErr
}

func handshakes(b *testing.B, n int) {
	// The server aborts what is left when it closes (ABORTs of the
	// clients lost on the way, say), rather than wait for shutdowns.
	srv, err := Open(append(scaleServerOpts(), IP(lo), LocalUDPPort(0), Linger(true, 0))...)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	_ = srv.Listen(true)
	clis := scaleClients(b, srv, n)
	defer closeAll(clis)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	warm := warmUp(b, ctx, srv, clis[0], warmUpHandshakes)
	defer closeAll(warm)
	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start, cpu0 := time.Now(), cpuTime()
	if err := connectAll(ctx, srv, clis); err != nil {
		b.Fatal(err)
	}
	el, cpu := time.Since(start), cpuTime()-cpu0
	runtime.GC()
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(n)/el.Seconds(), "assocs/s")
	b.ReportMetric(float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc))/float64(n), "heapB/assoc-pair")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/assoc")
	runtime.KeepAlive(srv)
	runtime.KeepAlive(clis)
}

// closeAll closes the sockets.
func closeAll(ss []*Socket) {
	for _, s := range ss {
		s.Close()
	}
}

// scaleServerOpts lifts the association limit and the INIT rate limit,
// so that the benchmarks measure the stack, not the limits.
func scaleServerOpts() []Option { return []Option{MaxAssociations(0), InitRate(0, 0)} }

// scaleClientOpts are the options of a client of l.
func scaleClientOpts(l *Listener) []Option {
	return []Option{RemoteUDPPort(l.Addr().(*Addr).UDPPort)}
}

// BenchmarkIdleAssociations sets up assocs associations on one one-to-many
// server socket, whose events a goroutine reads (Recv), from a rawCrowd
// (cheap peers, so that the process's heap is the server's), lets them
// idle, then has the peers abort them. It reports the heap the server
// keeps per idle association (heapB/assoc), the goroutines they added
// (goroutines), and the heap left per association once they are gone
// (heapB-left/assoc, against the heap before they were set up, after a
// warm-up round of the same size: the stack's packet buffers, bounded
// but not per association, are then at their steady level). The largest
// size runs only when EnvBenchLarge is set.
func BenchmarkIdleAssociations(b *testing.B) {
	for _, n := range scaleIdle {
		b.Run(fmt.Sprintf("assocs=%d", n), func(b *testing.B) {
			if n > 10000 && os.Getenv(envBenchLarge) == "" {
				b.Skipf("set %s=1 to run it", envBenchLarge)
			}
			is := newIdleServer(b)
			is.round(b, n) // warm-up: the stack's buffer pools fill up to their bounds
			for range b.N {
				heap, gor, left := is.round(b, n)
				b.ReportMetric(float64(heap)/float64(n), "heapB/assoc")
				b.ReportMetric(float64(gor), "goroutines")
				b.ReportMetric(float64(left)/float64(n), "heapB-left/assoc")
			}
		})
	}
}

// scaleIdle are the association counts BenchmarkIdleAssociations sets up.
var scaleIdle = []int{1000, 10000, 100000}

// idleServer is a one-to-many server socket whose events a goroutine
// reads, counting the comm_up and comm_lost ones.
type idleServer struct {
	srv        *Socket
	up, lost   atomic.Int64
	drainEnded chan struct{}
}

func newIdleServer(tb testing.TB) *idleServer {
	srv, err := Open(append(scaleServerOpts(), IP(lo), LocalUDPPort(0), Linger(true, 0))...)
	if err != nil {
		tb.Fatal(err)
	}
	_ = srv.Listen(true)
	is := &idleServer{srv: srv, drainEnded: make(chan struct{})}
	go is.drain()
	tb.Cleanup(func() {
		srv.Close()
		<-is.drainEnded
	})
	return is
}

// drain reads the server's deliveries until it closes.
func (is *idleServer) drain() {
	defer close(is.drainEnded)
	for {
		d, err := is.srv.Recv(context.Background())
		if err != nil {
			return
		}
		if ac, ok := d.Event.(*AssocChange); ok {
			switch ac.State {
			case CommUp:
				is.up.Add(1)
			case CommLost:
				is.lost.Add(1)
			}
		}
	}
}

// round sets up n associations with a new rawCrowd, waits until the
// server read their comm_up, measures, has the crowd abort them and waits
// until they are gone and their comm_lost read. It returns the heap the
// associations added, the goroutines they added, and the heap left once
// they are gone.
func (is *idleServer) round(tb testing.TB, n int) (heap, goroutines, left int64) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	crowd := newRawCrowd(tb, is.srv, n)
	up0, lost0 := is.up.Load(), is.lost.Load()
	h0, g0 := settledHeap(), runtime.NumGoroutine()
	if err := crowd.setUp(deadline); err != nil {
		tb.Fatal(err)
	}
	is.await(tb, deadline, func() bool { return is.up.Load()-up0 == int64(n) })
	h1, g1 := settledHeap(), runtime.NumGoroutine()
	if err := crowd.abortAll(func() bool { return is.assocs() == 0 }, deadline); err != nil {
		tb.Fatal(err)
	}
	is.await(tb, deadline, func() bool { return is.lost.Load()-lost0 == int64(n) })
	crowd.close()
	return h1 - h0, int64(g1 - g0), settledHeap() - h0
}

// await waits until cond holds, polling.
func (is *idleServer) await(tb testing.TB, deadline time.Time, cond func() bool) {
	tb.Helper()
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("server: %d up, %d lost, %d associations: not there by the deadline",
				is.up.Load(), is.lost.Load(), is.assocs())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// assocs returns the server's associations.
func (is *idleServer) assocs() (n int) {
	_ = is.srv.stk.Do(func(timer.Time) error {
		n = is.srv.share.ep.Len()
		return nil
	})
	return n
}

// settledHeap returns the live heap after a full collection.
func settledHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

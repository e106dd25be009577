package api

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
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

// BenchmarkHandshakes sets up assocs associations from one client socket
// to one listening socket with 64 Connects at a time, and reports the
// associations per second and the heap each pair of ends keeps.
func BenchmarkHandshakes(b *testing.B) {
	for _, n := range scaleHandshakes {
		b.Run(fmt.Sprintf("assocs=%d", n), func(b *testing.B) {
			for range b.N {
				handshakes(b, n)
			}
		})
	}
}

// scaleHandshakes are the association counts BenchmarkHandshakes sets up.
var scaleHandshakes = []int{1000, 2000}

func handshakes(b *testing.B, n int) {
	srv, err := Open(append(scaleServerOpts(), IP(lo), LocalUDPPort(0))...)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	_ = srv.Listen(true)
	// Client sockets sharing one UDP port, each with its own SCTP port (a
	// socket has one association per peer).
	first, err := Open(IP(lo), LocalUDPPort(0), RemoteUDPPort(srv.UDPPort()))
	if err != nil {
		b.Fatal(err)
	}
	clis := []*Socket{first}
	defer func() {
		for _, c := range clis {
			c.Close()
		}
	}()
	for len(clis) < n {
		c, err := Open(IP(lo), LocalUDPPort(first.UDPPort()), RemoteUDPPort(srv.UDPPort()))
		if err != nil {
			b.Fatal(err)
		}
		clis = append(clis, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
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
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	el := time.Since(start)
	runtime.GC()
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(n)/el.Seconds(), "assocs/s")
	b.ReportMetric(float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc))/float64(n), "heapB/assoc-pair")
	runtime.KeepAlive(srv)
	runtime.KeepAlive(clis)
}

// scaleServerOpts lifts the association limit and the INIT rate limit,
// so that the benchmarks measure the stack, not the limits.
func scaleServerOpts() []Option { return []Option{MaxAssociations(0), InitRate(0, 0)} }

// scaleClientOpts are the options of a client of l.
func scaleClientOpts(l *Listener) []Option {
	return []Option{RemoteUDPPort(l.Addr().(*Addr).UDPPort)}
}

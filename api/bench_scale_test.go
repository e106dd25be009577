package api

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// The I/O edge as users run it, on loopback in one process: the echo round
// trip of one connection while others sit idle with a goroutine blocked in
// Read (the goroutine-per-connection idiom), and handshakes of many
// associations at once with the heap each keeps.

// BenchmarkConnEchoIdle measures the 64-byte echo round trip of one Conn
// while idle Conns, each with a server goroutine blocked in Read, are open.
func BenchmarkConnEchoIdle(b *testing.B) {
	for _, idle := range []int{0, 100, 200} {
		b.Run(fmt.Sprintf("idle=%d", idle), func(b *testing.B) {
			l, err := Listen("sctp", "127.0.0.1:0", append(scaleServerOpts(), LocalUDPPort(0))...)
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			addr := l.Addr().String()
			var wg sync.WaitGroup
			defer wg.Wait()
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						defer c.Close()
						_, _ = io.Copy(c, c)
					}()
				}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var conns []net.Conn
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			for i := range idle + 1 {
				// Distinct SCTP ports: two client sockets on different UDP
				// ports with the same SCTP port are one peer to the server
				// (RFC 6951 Section 5.4).
				c, err := Dial(ctx, "sctp", addr, append(scaleClientOpts(l), SCTPNodelay(true), Port(uint16(40000+i)))...)
				if err != nil {
					b.Fatalf("dial %d: %v", len(conns), err)
				}
				conns = append(conns, c)
			}
			c := conns[len(conns)-1]
			msg, buf := make([]byte, 64), make([]byte, 64)
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
		})
	}
}

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

package udpencap

import (
	"net/netip"
	"sync"
	"testing"
	"time"
)

// benchWindow bounds the datagrams in flight between the benchmark's
// sender and receiver, so that the receiver's socket buffer (even at the
// Linux default of 208 KiB) never overflows and nothing is lost.
const benchWindow = 128

// benchLoopback measures send+receive of size-byte datagrams between two
// Conns on 127.0.0.1: one goroutine writes batches of batch datagrams,
// the benchmark goroutine reads and releases them. It reports datagrams/s
// and MB/s of payload.
func benchLoopback(b *testing.B, size, batch int, noBatch bool) {
	benchLoopbackOn(b, size, batch, noBatch, false)
}

// benchLoopbackOn is benchLoopback, with wild on wildcard sockets that
// learn each datagram's destination and set each one's source
// (IP_PKTINFO where the platform has it).
func benchLoopbackOn(b *testing.B, size, batch int, noBatch, wild bool) {
	cfg := Config{LocalAddrs: []netip.Addr{lo4}, ReadBuffer: 4 << 20, WriteBuffer: 4 << 20, DisableBatch: noBatch}
	if wild {
		cfg.LocalAddrs = nil
	}
	tx, rx := listen(b, cfg), listen(b, cfg)
	out := make([]OutMessage, batch)
	data := make([]byte, size)
	for i := range out {
		out[i] = OutMessage{Data: data, To: netip.AddrPortFrom(lo4, uint16(rx.Port())), From: lo4}
	}
	in := make([]Message, batch)
	var (
		mu    sync.Mutex
		cond  = sync.NewCond(&mu)
		recvd int
	)
	total := b.N
	_ = rx.SetReadDeadline(time.Now().Add(2 * time.Minute)) // fail, never hang
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	errc := make(chan error, 1)
	go func() {
		for sent := 0; sent < total; {
			k := min(batch, total-sent)
			mu.Lock()
			for sent+k-recvd > benchWindow {
				cond.Wait()
			}
			mu.Unlock()
			n, err := tx.WriteBatch(out[:k])
			if err != nil {
				errc <- err
				return
			}
			sent += n
		}
		errc <- nil
	}()
	for got := 0; got < total; {
		n, err := rx.ReadBatch(in)
		if err != nil {
			b.Fatalf("after %d of %d: %v", got, total, err)
		}
		rx.ReleaseBatch(in[:n])
		got += n
		mu.Lock()
		recvd = got
		cond.Signal()
		mu.Unlock()
	}
	b.StopTimer()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "dgrams/s")
	st := rx.Stats()
	if st.ReadCalls > 0 {
		b.ReportMetric(float64(st.DatagramsIn)/float64(st.ReadCalls), "dgrams/read")
	}
}

// BenchmarkLoopbackBatch is the raw-UDP ceiling of this machine with
// recvmmsg/sendmmsg (on Linux): 1200-byte datagrams, batches of 32.
func BenchmarkLoopbackBatch(b *testing.B) { benchLoopback(b, 1200, 32, false) }

// BenchmarkLoopbackPortable is the same with one datagram per system call.
func BenchmarkLoopbackPortable(b *testing.B) { benchLoopback(b, 1200, 32, true) }

// BenchmarkLoopbackWildcard is BenchmarkLoopbackBatch between wildcard
// sockets, each datagram sent from 127.0.0.1 (a control message per
// sendmmsg header) and received with its destination (IP_PKTINFO).
func BenchmarkLoopbackWildcard(b *testing.B) { benchLoopbackOn(b, 1200, 32, false, true) }

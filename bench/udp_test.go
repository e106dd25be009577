package bench

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/udpencap"
)

// udpWindow bounds the datagrams in flight so that the receiver's socket
// buffer never overflows, even at the Linux default size: a lost datagram
// would stall the benchmark.
const udpWindow = 128

// BenchmarkUDPLoopback is this machine's raw-UDP ceiling, the baseline for
// gensctp's loopback numbers: send+receive of 1200-byte and 100-byte
// datagrams between two udpencap Conns on 127.0.0.1, with the batch path
// (recvmmsg/sendmmsg on Linux) with and without UDP GSO (a run of equal
// datagrams in one super-datagram) and the portable one (a system call
// per datagram), and the same over plain *net.UDPConn for reference. MB/s
// is UDP payload.
func BenchmarkUDPLoopback(b *testing.B) {
	for _, size := range []int{1200, 100} {
		for _, mode := range []struct {
			name           string
			noBatch, noGSO bool
		}{{"gso", false, false}, {"batch", false, true}, {"portable", true, true}} {
			b.Run(fmt.Sprintf("udpencap-%s/%d", mode.name, size), func(b *testing.B) {
				benchConns(b, size, mode.noBatch, mode.noGSO)
			})
		}
		b.Run(fmt.Sprintf("net.UDPConn/%d", size), func(b *testing.B) { benchStdUDP(b, size) })
	}
}

// window is the sender's credit: it blocks while more than udpWindow
// datagrams are unread.
type window struct {
	mu    sync.Mutex
	cond  *sync.Cond
	recvd int
}

func newWindow() *window {
	w := &window{}
	w.cond = sync.NewCond(&w.mu)
	return w
}

func (w *window) acquire(sent, k int) {
	w.mu.Lock()
	for sent+k-w.recvd > udpWindow {
		w.cond.Wait()
	}
	w.mu.Unlock()
}

func (w *window) received(total int) {
	w.mu.Lock()
	w.recvd = total
	w.cond.Signal()
	w.mu.Unlock()
}

func report(b *testing.B, n int) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "dgrams/s")
}

func benchConns(b *testing.B, size int, noBatch, noGSO bool) {
	lo := netip.MustParseAddr("127.0.0.1")
	cfg := udpencap.Config{LocalAddrs: []netip.Addr{lo}, ReadBuffer: 4 << 20, WriteBuffer: 4 << 20,
		DisableBatch: noBatch, DisableGSO: noGSO}
	tx, err := udpencap.Listen(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Close()
	rx, err := udpencap.Listen(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer rx.Close()
	const batch = 32
	out := make([]udpencap.OutMessage, batch)
	data := make([]byte, size)
	for i := range out {
		out[i] = udpencap.OutMessage{Data: data, To: rx.LocalAddrs()[0]}
	}
	in := make([]udpencap.Message, batch)
	w := newWindow()
	total := b.N
	_ = rx.SetReadDeadline(time.Now().Add(2 * time.Minute)) // fail, never hang
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	errc := make(chan error, 1)
	go func() {
		for sent := 0; sent < total; {
			k := min(batch, total-sent)
			w.acquire(sent, k)
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
			b.Fatalf("after %d of %d datagrams: %v", got, total, err)
		}
		rx.ReleaseBatch(in[:n])
		got += n
		w.received(got)
	}
	b.StopTimer()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	report(b, total)
}

func benchStdUDP(b *testing.B, size int) {
	laddr := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}
	tx, err := net.ListenUDP("udp4", laddr)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Close()
	rx, err := net.ListenUDP("udp4", laddr)
	if err != nil {
		b.Fatal(err)
	}
	defer rx.Close()
	_ = rx.SetReadBuffer(4 << 20)
	_ = rx.SetReadDeadline(time.Now().Add(2 * time.Minute))
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	data := make([]byte, size)
	buf := make([]byte, 1<<16)
	w := newWindow()
	total := b.N
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	errc := make(chan error, 1)
	go func() {
		for sent := 0; sent < total; sent++ {
			w.acquire(sent, 1)
			if _, err := tx.WriteToUDPAddrPort(data, to); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for got := 0; got < total; {
		if _, _, err := rx.ReadFromUDPAddrPort(buf); err != nil {
			b.Fatalf("after %d of %d datagrams: %v", got, total, err)
		}
		got++
		w.received(got)
	}
	b.StopTimer()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	report(b, total)
}

package pcap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// Goroutines writing to one Writer at once: every record comes out
// whole, and each goroutine's records in its order.
func TestWriterConcurrent(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 200
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				p := Packet{
					Timestamp: time.Unix(int64(i), 0),
					Src:       netip.AddrFrom4([4]byte{127, 0, 0, byte(g + 1)}),
					Dst:       netip.MustParseAddr("127.0.0.1"),
					SrcPort:   uint16(g), DstPort: 9899,
					Payload: fmt.Appendf(nil, "%d/%d%s", g, i, bytes.Repeat([]byte{'x'}, i)),
				}
				if err := w.WritePacket(p); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pkts, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != writers*each {
		t.Fatalf("%d packets, want %d", len(pkts), writers*each)
	}
	next := make([]int, writers)
	for _, p := range pkts {
		g := int(p.SrcPort)
		want := fmt.Appendf(nil, "%d/%d%s", g, next[g], bytes.Repeat([]byte{'x'}, next[g]))
		if !bytes.Equal(p.Payload, want) || p.Src.As4()[3] != byte(g+1) {
			t.Fatalf("record %d: %v %q, want from writer %d %q", p.Index, p.Src, p.Payload, g, want)
		}
		next[g]++
	}
}

// shortWriter fails once it took n bytes.
type shortWriter struct{ n int }

var errShort = errors.New("no space left")

func (s *shortWriter) Write(b []byte) (int, error) {
	if len(b) > s.n {
		k := s.n
		s.n = 0
		return k, errShort
	}
	s.n -= len(b)
	return len(b), nil
}

// Once the io.Writer fails, the Writer stops: WritePacket, Flush, Close
// and Err report the first error, and nothing more is written. A packet
// it refuses does not stop it. A closed Writer refuses packets.
func TestWriterErrors(t *testing.T) {
	if _, err := NewWriter(&shortWriter{n: 10}); !errors.Is(err, ErrWriterFailed) || !errors.Is(err, errShort) {
		t.Fatalf("NewWriter on a failing writer: %v", err)
	}
	sw := &shortWriter{n: fileHeaderLen + 100}
	w, err := NewWriter(sw)
	if err != nil {
		t.Fatal(err)
	}
	a := netip.MustParseAddr("192.0.2.1")
	if err := w.WritePacket(Packet{Src: a}); err == nil || w.Err() != nil {
		t.Fatalf("a refused packet: %v, then Err %v", err, w.Err())
	}
	// The Writer buffers 64 KiB: the fourth packet sends the first three
	// to the io.Writer, which fails; Flush reports it.
	p := Packet{Src: a, Dst: a, Payload: make([]byte, 20000)}
	for i := range 4 {
		if err := w.WritePacket(p); err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
	}
	if err := w.Flush(); !errors.Is(err, errShort) || !errors.Is(err, ErrWriterFailed) {
		t.Fatalf("a write beyond the buffer: %v", err)
	}
	if sw.n != 0 {
		t.Fatalf("%d bytes left", sw.n)
	}
	sw.n = 1 << 20 // the io.Writer would work again: the Writer stays stopped
	for _, err := range []error{w.WritePacket(p), w.Flush(), w.Err(), w.Close()} {
		if !errors.Is(err, errShort) {
			t.Errorf("after the failure: %v", err)
		}
	}
	if sw.n != 1<<20 {
		t.Errorf("%d bytes written after the failure", 1<<20-sw.n)
	}

	var buf bytes.Buffer
	w, _ = NewWriter(&buf)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(Packet{Src: a, Dst: a}); !errors.Is(err, ErrWriterClosed) {
		t.Errorf("write after Close: %v", err)
	}
	if pkts, err := Parse(buf.Bytes()); err != nil || len(pkts) != 0 {
		t.Errorf("an empty capture: %d packets, %v", len(pkts), err)
	}
}

// Writing a packet allocates nothing (a capture runs on the packet path).
func TestWritePacketAllocs(t *testing.T) {
	w, err := NewWriter(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	p := Packet{Timestamp: time.Unix(1, 2), Src: netip.MustParseAddr("127.0.0.1"), Dst: netip.MustParseAddr("127.0.0.2"),
		SrcPort: 9899, DstPort: 9899, Payload: make([]byte, 1200)}
	if n := testing.AllocsPerRun(100, func() { _ = w.WritePacket(p) }); n != 0 {
		t.Errorf("%v allocations per packet", n)
	}
}

// gateWriter blocks every Write until open is closed, and keeps what it
// is given.
type gateWriter struct {
	open chan struct{}
	buf  bytes.Buffer
}

func (g *gateWriter) Write(b []byte) (int, error) {
	<-g.open
	return g.buf.Write(b)
}

// A Writer never writes to its io.Writer under its mutex: while the
// io.Writer blocks, TryWritePacket goes on, filling the second buffer,
// then drops and counts the packets; WritePacket waits for the io.Writer.
// Once it takes records again, the file holds every packet not dropped,
// in order.
func TestWriterBlockedWriter(t *testing.T) {
	g := &gateWriter{open: make(chan struct{})}
	close(g.open) // the file header
	w, err := NewWriter(g)
	if err != nil {
		t.Fatal(err)
	}
	g.open = make(chan struct{})
	const n = 200
	a := netip.MustParseAddr("127.0.0.1")
	tried := make(chan int)
	go func() {
		kept := 0
		for i := range n {
			p := Packet{Src: a, Dst: a, SrcPort: uint16(i), Payload: make([]byte, 1200)}
			if err := w.TryWritePacket(p); err == nil {
				kept++
			} else if !errors.Is(err, ErrDropped) {
				t.Error(err)
			}
		}
		tried <- kept
	}()
	var kept int
	select {
	case kept = <-tried:
	case <-time.After(10 * time.Second):
		t.Fatal("TryWritePacket waits for the io.Writer")
	}
	if dropped := w.Dropped(); dropped == 0 || kept+int(dropped) != n {
		t.Fatalf("%d kept, %d dropped of %d", kept, dropped, n)
	}
	waited := make(chan error)
	go func() { waited <- w.WritePacket(Packet{Src: a, Dst: a, SrcPort: n, Payload: make([]byte, 1200)}) }()
	select {
	case err := <-waited:
		t.Fatalf("WritePacket did not wait for the io.Writer: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(g.open)
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pkts, err := Parse(g.buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != kept+1 {
		t.Fatalf("%d packets in the file, want %d", len(pkts), kept+1)
	}
	for i := 1; i < len(pkts); i++ {
		if pkts[i].SrcPort <= pkts[i-1].SrcPort {
			t.Fatalf("packet %d (%d) after %d", i, pkts[i].SrcPort, pkts[i-1].SrcPort)
		}
	}
}

package udpencap

import (
	"net"
	"testing"

	"golang.org/x/net/ipv4"
)

// gsoEnabled reports whether c's first socket sends with UDP GSO.
func gsoEnabled(c *Conn) bool {
	w, ok := c.sockets()[0].w.(*mmsgWriter)
	return ok && w.gso
}

// groEnabled reports whether c's first socket reads with UDP_GRO.
func groEnabled(c *Conn) bool {
	_, ok := c.sockets()[0].r.(*groReader)
	return ok
}

// BenchmarkXNetReadBatch measures golang.org/x/net/ipv4's
// PacketConn.ReadBatch (recvmmsg too) on loopback, for comparison with
// this package's own recvmmsg: x/net decodes every source address into a
// new *net.UDPAddr, which shows in allocs/op (one op is one datagram).
func BenchmarkXNetReadBatch(b *testing.B) {
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: lo4.AsSlice()})
	if err != nil {
		b.Fatal(err)
	}
	defer rx.Close()
	tx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: lo4.AsSlice()})
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Close()
	_ = rx.SetReadBuffer(1 << 20)
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	const batch = 32
	pc := ipv4.NewPacketConn(rx)
	ms := make([]ipv4.Message, batch)
	for i := range ms {
		ms[i].Buffers = [][]byte{make([]byte, 1<<16)}
	}
	data := make([]byte, 1200)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for done := 0; done < b.N; {
		k := min(batch, b.N-done)
		for range k {
			if _, err := tx.WriteToUDPAddrPort(data, to); err != nil {
				b.Fatal(err)
			}
		}
		for got := 0; got < k; {
			n, err := pc.ReadBatch(ms[:k-got], 0)
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
		done += k
	}
}

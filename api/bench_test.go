package api

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/packetio/packetiotest"
)

// BenchmarkSendRecv measures one 1 KiB message through Send and
// RecvBuffer over loopback (both sockets in one process): no allocation
// per message.
func BenchmarkSendRecv(b *testing.B) {
	benchSendRecv(b, []Option{IP(lo), LocalUDPPort(0)}, func(srv *Socket) []Option {
		return []Option{IP(lo), LocalUDPPort(0), RemoteUDPPort(srv.UDPPort())}
	}, lo)
}

// BenchmarkSendRecvAlloc is BenchmarkSendRecv with Recv, which returns
// each message in a buffer of its own (one allocation per message).
func BenchmarkSendRecvAlloc(b *testing.B) {
	benchRecvAlloc = true
	defer func() { benchRecvAlloc = false }()
	BenchmarkSendRecv(b)
}

// benchRecvAlloc makes benchSendRecv receive with Recv.
var benchRecvAlloc bool

// BenchmarkSendRecvTransport is BenchmarkSendRecv over the other packet
// transports: UDP sockets of the caller's (OverPacketConn) and an
// in-memory pipe (OverConn).
func BenchmarkSendRecvTransport(b *testing.B) {
	b.Run("packetconn", func(b *testing.B) {
		pcs := make([]net.PacketConn, 2)
		for i := range pcs {
			pc, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, 0)))
			if err != nil {
				b.Fatal(err)
			}
			pcs[i] = pc
		}
		benchSendRecv(b, []Option{OverPacketConn(pcs[0])}, func(srv *Socket) []Option {
			return []Option{OverPacketConn(pcs[1]), RemoteUDPPort(srv.UDPPort())}
		}, lo)
	})
	b.Run("pipe", func(b *testing.B) {
		x, y := packetiotest.Pipe()
		benchSendRecv(b, []Option{OverConn(x), Port(5000)}, func(*Socket) []Option {
			return []Option{OverConn(y), Port(5000)}
		}, netip.IPv4Unspecified())
	})
	// The pipe taken for DTLS (OverDTLS: a PMTU of DTLSMTU), with and
	// without the zero checksum of RFC 9653 (no CRC32c computed).
	for _, zero := range []bool{false, true} {
		b.Run(fmt.Sprintf("dtls-pipe/zero-checksum=%v", zero), func(b *testing.B) {
			x, y := packetiotest.Pipe()
			edmid := EDMIDNone
			if zero {
				edmid = EDMIDLowerLayerDTLS
			}
			benchSendRecv(b, []Option{OverDTLS(x), SCTPAcceptZeroChecksum(edmid)}, func(*Socket) []Option {
				return []Option{OverDTLS(y), SCTPAcceptZeroChecksum(edmid)}
			}, netip.IPv4Unspecified())
		})
	}
}

// benchSendRecv runs BenchmarkSendRecv with a server opened with srvOpts
// and a client opened with the options cliOpts gives for the server,
// connecting to addr.
func benchSendRecv(b *testing.B, srvOpts []Option, cliOpts func(srv *Socket) []Option, addr netip.Addr) {
	srv, err := Open(srvOpts...)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	_ = srv.Listen(true)
	cli, err := Open(append(cliOpts(srv), SCTPNodelay(true))...)
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	ac, err := cli.Connect(ctx, addr, srv.Port())
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 1024)
	done := make(chan error, 1)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for range b.N {
			if err := cli.Send(ac.AssocID, 0, msg); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	buf := make([]byte, 2048)
	for n := 0; n < b.N; {
		var d Delivery
		if benchRecvAlloc {
			d, err = srv.Recv(ctx)
		} else {
			d, err = srv.RecvBuffer(ctx, buf)
		}
		if err != nil {
			b.Fatal(err)
		}
		if d.Kind == KindData {
			n++
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

package api

import (
	"context"
	"testing"
)

// BenchmarkSendRecv measures one 1 KiB message through Send and Recv over
// loopback (both sockets in one process).
func BenchmarkSendRecv(b *testing.B) {
	srv, err := Open(IP(lo), LocalUDPPort(0))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	_ = srv.Listen(true)
	cli, err := Open(IP(lo), LocalUDPPort(0), RemoteUDPPort(srv.UDPPort()), SCTPNodelay(true))
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	ac, err := cli.Connect(ctx, lo, srv.Port())
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
	for n := 0; n < b.N; {
		d, err := srv.Recv(ctx)
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

package bench

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
)

// The end-to-end benchmarks on the public api, as users run it: two
// sockets in one process over real UDP on 127.0.0.1, every byte through
// Send, the event loop, the UDP sockets and Recv.

var apiLoopback = netip.MustParseAddr("127.0.0.1")

// apiWatchdog bounds a benchmark: with 100-byte messages, an association
// whose receive buffer filled with data held behind a lost packet could
// stall for tens of seconds before its window was computed for the chunks
// arriving (README, "The sctp command on the public api").
const apiWatchdog = 30 * time.Second

// apiPair opens a listening socket and a client socket on 127.0.0.1
// (ephemeral UDP ports), with opts on both, and sets up an association;
// both close at the end of the benchmark. Their deadlines are
// apiWatchdog away, so that a benchmark fails rather than hangs: the
// calls take context.Background(), which costs nothing per call (a
// context that can end costs api a context and a callback per call).
func apiPair(b *testing.B, opts ...api.Option) (cli, srv *api.Socket, assoc api.AssocID) {
	b.Helper()
	open := func(more ...api.Option) *api.Socket {
		s, err := api.Open(append(append([]api.Option{api.IP(apiLoopback), api.LocalUDPPort(0), api.Linger(true, 0)}, opts...), more...)...)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}
	srv = open()
	if err := srv.Listen(true); err != nil {
		b.Fatal(err)
	}
	cli = open(api.RemoteUDPPort(srv.UDPPort()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ac, err := cli.Connect(ctx, apiLoopback, srv.Port())
	if err != nil {
		b.Fatal(err)
	}
	watchdog := time.Now().Add(apiWatchdog)
	_ = cli.SetDeadline(watchdog)
	_ = srv.SetDeadline(watchdog)
	return cli, srv, ac.AssocID
}

// recvData reads s until a message arrives (the server's comm_up comes
// first).
func recvData(s *api.Socket) ([]byte, api.SndRcvInfo, error) {
	for {
		d, err := s.Recv(context.Background())
		if err != nil {
			return nil, api.SndRcvInfo{}, err
		}
		if d.Kind == api.KindData {
			return d.Data, d.Info, nil
		}
	}
}

// BenchmarkAPIThroughput sends b.N messages of 1200 and 100 bytes from
// one socket to the other (Send in one goroutine, Recv in another; Nagle
// on, as sctp perf without -D) and reports the user data rate in MB/s
// (10^6 bytes) and the messages per second, from the first Send until
// the last message was received.
func BenchmarkAPIThroughput(b *testing.B) {
	for _, size := range []int{1200, 100} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			cli, srv, assoc := apiPair(b)
			msg := make([]byte, size)
			errc := make(chan error, 1)
			b.ReportAllocs()
			b.ResetTimer()
			go func() {
				for range b.N {
					if err := cli.Send(assoc, 0, msg); err != nil {
						errc <- err
						return
					}
				}
				errc <- nil
			}()
			for n := 0; n < b.N; n++ {
				if _, _, err := recvData(srv); err != nil {
					b.Fatalf("after %d of %d messages: %v", n, b.N, err)
				}
			}
			b.StopTimer()
			if err := <-errc; err != nil {
				b.Fatal(err)
			}
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N*size)/secs/1e6, "MB/s")
			b.ReportMetric(float64(b.N)/secs, "msgs/s")
		})
	}
}

// BenchmarkAPIRoundTrip measures the echo round trip of a 64-byte
// message: the client sends, the server's goroutine receives it and
// sends it back, the client receives the echo (Nagle off on both, as
// sctp echo and sctp demo run). It reports µs per round trip.
func BenchmarkAPIRoundTrip(b *testing.B) {
	cli, srv, assoc := apiPair(b, api.SCTPNodelay(true))
	stopped := make(chan struct{})
	go func() { // the echo server, until its socket closes
		defer close(stopped)
		for {
			data, info, err := recvData(srv)
			if err == nil {
				err = srv.SendInfo(api.SndRcvInfo{AssocID: info.AssocID, Stream: info.Stream}, data)
			}
			if err != nil {
				return
			}
		}
	}()
	msg := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := cli.Send(assoc, 0, msg); err != nil {
			b.Fatal(err)
		}
		if _, _, err := recvData(cli); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/rt")
	srv.Close()
	<-stopped
}

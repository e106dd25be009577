package sctp

import (
	"testing"
	"time"
)

// benchPairs are the pairs the benchmarks compare: this package with
// itself, pion/sctp with itself, and the two together.
var benchPairs = []pair{pairs[0], {"pion-pion", pionClient, pionServer}, pairs[2]}

// BenchmarkThroughput sends 16 KiB messages on one reliable ordered
// stream over an in-memory pipe, the writer keeping at most 1 MiB
// buffered (as a data channel user does with BufferedAmountLow).
func BenchmarkThroughput(b *testing.B) {
	const size, most = 16 << 10, 1 << 20
	for _, p := range benchPairs {
		b.Run(p.name, func(b *testing.B) {
			x, y := connectPipe(b, p)
			w, err := x.Open(1)
			if err != nil {
				b.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				r, err := y.Accept()
				if err == nil {
					buf := make([]byte, size)
					for i := 0; i < b.N && err == nil; i++ {
						_, _, err = r.ReadMsg(buf)
					}
				}
				done <- err
			}()
			msg := make([]byte, size)
			b.SetBytes(size)
			b.ResetTimer()
			for range b.N {
				for w.BufferedAmount() > most {
					time.Sleep(50 * time.Microsecond)
				}
				if _, err := w.WriteMsg(msg, uint32(PayloadTypeWebRTCBinary)); err != nil {
					b.Fatal(err)
				}
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
		})
	}
}

// BenchmarkRoundTrip echoes a 64-byte message: one iteration is a
// message there and back (round_trip_us).
func BenchmarkRoundTrip(b *testing.B) {
	for _, p := range benchPairs {
		b.Run(p.name, func(b *testing.B) {
			x, y := connectPipe(b, p)
			w, err := x.Open(1)
			if err != nil {
				b.Fatal(err)
			}
			msg := make([]byte, 64)
			if _, err := w.WriteMsg(msg, uint32(PayloadTypeWebRTCBinary)); err != nil {
				b.Fatal(err)
			}
			r, err := y.Accept()
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 64)
			if _, _, err := r.ReadMsg(buf); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if _, err := w.WriteMsg(msg, uint32(PayloadTypeWebRTCBinary)); err != nil {
					b.Fatal(err)
				}
				if _, _, err := r.ReadMsg(buf); err != nil {
					b.Fatal(err)
				}
				if _, err := r.WriteMsg(buf, uint32(PayloadTypeWebRTCBinary)); err != nil {
					b.Fatal(err)
				}
				if _, _, err := w.ReadMsg(buf); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "round_trip_us")
		})
	}
}

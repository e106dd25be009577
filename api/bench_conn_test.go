package api

import (
	"io"
	"testing"
)

// BenchmarkConnCopy measures a byte stream through a Dial / Accept pair
// over loopback, in 32 KiB Writes (io.Copy's buffer).
func BenchmarkConnCopy(b *testing.B) {
	c1, c2, stop, err := makePipe()
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	buf := make([]byte, 32<<10)
	done := make(chan error, 1)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		_, err := io.CopyN(io.Discard, c2, int64(b.N*len(buf)))
		done <- err
	}()
	for range b.N {
		if _, err := c1.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

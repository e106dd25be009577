package udpencap

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	lo4  = netip.MustParseAddr("127.0.0.1")
	lo4b = netip.MustParseAddr("127.0.0.2")
	lo6  = netip.MustParseAddr("::1")
)

// modes runs f with the batch path (where the platform has one) and with
// the portable path.
func modes(t *testing.T, f func(t *testing.T, noBatch bool)) {
	t.Run("batch", func(t *testing.T) { f(t, false) })
	t.Run("portable", func(t *testing.T) { f(t, true) })
}

// listen opens a Conn that the test closes at its end.
func listen(t testing.TB, cfg Config) *Conn {
	t.Helper()
	c, err := Listen(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// need6 skips the test when ::1 cannot be bound, except under CI=true.
func need6(t *testing.T) {
	t.Helper()
	c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err == nil {
		_ = c.Close()
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("::1 unavailable in CI: %v", err)
	}
	t.Skipf("::1 unavailable on this machine: %v", err)
}

// need127x skips the test when 127.0.0.2 cannot be bound (macOS, for
// example, has only 127.0.0.1 on lo0 by default), except under CI=true on
// Linux.
func need127x(t *testing.T) {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: lo4b.AsSlice()})
	if err == nil {
		_ = c.Close()
		return
	}
	if os.Getenv("CI") == "true" && runtime.GOOS == "linux" {
		t.Fatalf("127.0.0.2 unavailable in CI: %v", err)
	}
	t.Skipf("127.0.0.2 unavailable on this machine: %v", err)
}

// payload returns datagram i of a test: its index, then bytes derived
// from seed and i.
func payload(seed uint64, i, size int) []byte {
	b := make([]byte, max(size, 4))
	binary.BigEndian.PutUint32(b, uint32(i))
	x := seed ^ uint64(i)*0x9e3779b97f4a7c15
	for j := 4; j < len(b); j++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[j] = byte(x)
	}
	return b
}

// got is a received datagram copied out of its pooled buffer.
type got struct {
	data     []byte
	from, to netip.AddrPort
	at       time.Time
}

// readN reads n datagrams from c within timeout, copying and releasing
// each. It fails the test on any error.
func readN(t testing.TB, c *Conn, n int, timeout time.Duration) []got {
	t.Helper()
	out, err := tryReadN(c, n, timeout)
	require.NoError(t, err, "after %d of %d datagrams", len(out), n)
	return out
}

// tryReadN reads up to n datagrams until timeout and returns them with
// the error that stopped it (nil if it got n).
func tryReadN(c *Conn, n int, timeout time.Duration) ([]got, error) {
	_ = c.SetReadDeadline(time.Now().Add(timeout))
	defer func() { _ = c.SetReadDeadline(time.Time{}) }()
	msgs := make([]Message, 16)
	var out []got
	for len(out) < n {
		k, err := c.ReadBatch(msgs[:min(len(msgs), n-len(out))])
		now := time.Now()
		for i := range k {
			out = append(out, got{data: append([]byte(nil), msgs[i].Data...), from: msgs[i].From, to: msgs[i].To, at: now})
		}
		c.ReleaseBatch(msgs[:k])
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// expectQuiet checks that c receives nothing within d.
func expectQuiet(t testing.TB, c *Conn, d time.Duration) {
	t.Helper()
	out, err := tryReadN(c, 1, d)
	require.Empty(t, out)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
}

// settle waits, boundedly, for the goroutine count to fall to want.
func settle(t testing.TB, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > want {
		buf := make([]byte, 1<<16)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("goroutines: %d, want <= %d\n%s", n, want, buf)
	}
}

func isClosed(err error) bool { return errors.Is(err, net.ErrClosed) }

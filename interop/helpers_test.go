//go:build linux

package interop

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// nextPort hands out UDP ports: every test gets its own, so that tests and
// leftover sockets of an earlier test never meet. Inside the private
// namespace nothing else binds them.
var nextPort atomic.Int32

func init() { nextPort.Store(20000) }

// udpPort returns a fresh UDP port.
func udpPort() int { return int(nextPort.Add(1)) }

// testSeed returns the seed of a test's random data, printed so that a
// failure can be replayed (GENSCTP_INTEROP_SEED=n).
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("GENSCTP_INTEROP_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("GENSCTP_INTEROP_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (replay with GENSCTP_INTEROP_SEED=%d)", seed, seed)
	return seed
}

// randomMessage returns a message of n random bytes.
func randomMessage(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// waitUDPBound waits until something in this namespace bound UDP port
// (read from /proc/net/udp and udp6), so that our first INIT does not
// arrive before the peer listens and cost a T1-init timeout.
func waitUDPBound(t *testing.T, port int, limit time.Duration) {
	t.Helper()
	want := fmt.Sprintf(":%04X ", port)
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		for _, f := range []string{"/proc/net/udp", "/proc/net/udp6"} {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			sc := bufio.NewScanner(strings.NewReader(string(b)))
			for sc.Scan() {
				fields := strings.Fields(sc.Text())
				if len(fields) > 1 && strings.HasSuffix(fields[1]+" ", want) {
					return
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("nothing bound UDP port %d within %v", port, limit)
}

// outputSource is a program (or an in-test stand-in) whose output a test
// reads while it runs.
type outputSource interface {
	Output() string
	Done() <-chan struct{}
}

// waitOutput waits until p printed a line for which match returns true,
// and returns that line. It fails the test when p exits or ctx ends first.
func waitOutput(ctx context.Context, t *testing.T, p outputSource, what string, match func(line string) bool) string {
	t.Helper()
	var found string
	waitOutputCond(ctx, t, p, what, func(out string) bool {
		for _, line := range strings.Split(out, "\n") {
			if match(line) {
				found = line
				return true
			}
		}
		return false
	})
	return found
}

// waitOutputCond waits until cond holds for all p printed so far. It
// fails the test when p exits or ctx ends first.
func waitOutputCond(ctx context.Context, t *testing.T, p outputSource, what string, cond func(out string) bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond(p.Output()) {
			return
		}
		select {
		case <-tick.C:
		case <-p.Done():
			if cond(p.Output()) {
				return
			}
			t.Fatalf("%s: the program exited without printing it; output:\n%s", what, tail(p.Output()))
		case <-ctx.Done():
			t.Fatalf("%s: %v; output:\n%s", what, ctx.Err(), tail(p.Output()))
		}
	}
}

// waitExit waits until p exited, failing the test when ctx ends first.
func waitExit(ctx context.Context, t *testing.T, p outputSource, what string) {
	t.Helper()
	select {
	case <-p.Done():
	case <-ctx.Done():
		t.Fatalf("%s: %v; output:\n%s", what, ctx.Err(), tail(p.Output()))
	}
}

// tail returns the last lines of a program's output, for failure messages.
func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 40 {
		lines = append([]string{"..."}, lines[len(lines)-40:]...)
	}
	return strings.Join(lines, "\n")
}

// needTool returns the path of an executable, skipping (locally) or
// failing (CI) when it is missing.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s is not installed (Debian package %s)", name, pkg)
		if inCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

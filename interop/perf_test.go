//go:build linux

package interop

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ourPerf starts gensctp's side of a perf test: `sctp perf` (cmd/sctp),
// flag-compatible with tsctp: `-E local_udp [-U remote_udp] -p port [-l
// length] [-n count] [-L 127.0.0.1] [address]`, a client (sender) when an
// address is given, a server (receiver) otherwise. It prints tsctp's
// summary lines: the client "Sending of %u messages of length %u took %f
// seconds.", the server "len, msgs, calls, bytes, secs, throughput,
// notifications" when an association ended. The binary is built once per
// test binary (see sctpBinary); GENSCTP_SCTP_BIN=path runs that one
// instead.
func ourPerf(t *testing.T, limit time.Duration, args ...string) outputSource {
	t.Helper()
	return startPeer(t, limit, sctpBinary(t), append([]string{"perf"}, args...)...)
}

// waitListening waits until `sctp perf` started as a server (ourPerf)
// listens: it prints "sctp perf: listening on ..." (to its standard
// error, which startPeer keeps) once its socket does. Its UDP port is
// bound before (api.Open binds it, Listen follows), and an INIT that
// arrives in between is refused with an ABORT (RFC 9260 Section 8.4, as
// any socket that does not listen refuses it): tsctp's usrsctp_connect
// then fails and tsctp exits without its summary, which waiting for the
// port alone (waitUDPBound) let happen under load.
func waitListening(ctx context.Context, t *testing.T, srv outputSource) {
	t.Helper()
	waitOutput(ctx, t, srv, "gensctp perf server listening", func(l string) bool {
		return strings.HasPrefix(l, "sctp perf: listening on ")
	})
}

// envSCTPBin names a prebuilt sctp binary to run instead of building one.
const envSCTPBin = "GENSCTP_SCTP_BIN"

// sctpBuild is the sctp binary built for this test binary.
var sctpBuild struct {
	once sync.Once
	dir  string // removed by TestMain
	path string
	err  error
}

// sctpBinary returns the path of the sctp command: GENSCTP_SCTP_BIN, or
// the binary built (once per test binary) from ./cmd/sctp with the go
// command that runs the tests. The build uses only the local module and
// build caches (GOPROXY=off, GOTOOLCHAIN=local): it sends no traffic,
// even inside the tests' network namespace. When it cannot build, the
// test skips (locally) or fails (CI).
func sctpBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv(envSCTPBin); bin != "" {
		return bin
	}
	b := &sctpBuild
	b.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			b.err = fmt.Errorf("the go command is not in PATH: %w", err)
			return
		}
		if b.dir, err = os.MkdirTemp("", "gensctp-interop-"); err != nil {
			b.err = err
			return
		}
		path := filepath.Join(b.dir, "sctp")
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool, "build", "-buildvcs=false", "-o", path, "github.com/gensctp/gensctp/cmd/sctp")
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build ./cmd/sctp: %w\n%s", err, out)
			return
		}
		b.path = path
	})
	if b.err != nil {
		msg := fmt.Sprintf("cannot build the sctp command (or set %s): %v", envSCTPBin, b.err)
		if inCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return b.path
}

// removeSCTPBuild removes the binary sctpBinary built, if any.
func removeSCTPBuild() {
	if sctpBuild.dir != "" {
		_ = os.RemoveAll(sctpBuild.dir)
	}
}

// perfSummary is what the perf tools report.
type perfSummary struct {
	msgs, length int
	bytes        int64
}

// parseClientSummary reads tsctp's "Sending of %u messages of length %u
// took %f seconds."
func parseClientSummary(line string) (perfSummary, error) {
	var s perfSummary
	var secs float64
	_, err := fmt.Sscanf(line, "Sending of %d messages of length %d took %f seconds.", &s.msgs, &s.length, &secs)
	s.bytes = int64(s.msgs) * int64(s.length)
	return s, err
}

// parseServerSummary reads tsctp's "len, msgs, calls, bytes, secs,
// throughput, notifications".
func parseServerSummary(line string) (perfSummary, error) {
	f := strings.Split(line, ", ")
	if len(f) != 7 {
		return perfSummary{}, fmt.Errorf("%q: not a server summary", line)
	}
	var s perfSummary
	var err error
	if s.length, err = strconv.Atoi(f[0]); err != nil {
		return s, err
	}
	if s.msgs, err = strconv.Atoi(f[1]); err != nil {
		return s, err
	}
	s.bytes, err = strconv.ParseInt(f[3], 10, 64)
	return s, err
}

func isClientSummary(l string) bool { return strings.HasPrefix(l, "Sending of ") }

func isServerSummary(l string) bool {
	_, err := parseServerSummary(l)
	return err == nil
}

const (
	perfCount  = 4000
	perfLength = 2000 // more than one packet: fragmented
)

// tsctp client → gensctp perf server: the byte counts agree, and the
// client's SCTP_EOF (graceful shutdown) ends our association.
func TestPerfTsctpToGensctp(t *testing.T) {
	needNetns(t)
	tsctp := usrsctpProgram(t, "tsctp")
	sctpBinary(t) // build before the clock starts
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ourUDP, peerUDP := udpPort(), udpPort()
	srv := ourPerf(t, 20*time.Second, "-E", strconv.Itoa(ourUDP), "-p", "5001", "-L", "127.0.0.1")
	waitListening(ctx, t, srv)
	cli := startPeer(t, 20*time.Second, tsctp, "-E", strconv.Itoa(peerUDP), "-U", strconv.Itoa(ourUDP), "-p", "5001",
		"-l", strconv.Itoa(perfLength), "-n", strconv.Itoa(perfCount), "127.0.0.1")
	checkPerf(t, waitOutput(ctx, t, cli, "tsctp client summary", isClientSummary),
		waitOutput(ctx, t, srv, "gensctp perf server summary", isServerSummary))
}

// gensctp perf client → tsctp server: the byte counts agree, and our
// graceful shutdown ends tsctp's association.
func TestPerfGensctpToTsctp(t *testing.T) {
	needNetns(t)
	tsctp := usrsctpProgram(t, "tsctp")
	sctpBinary(t) // build before the clock starts
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ourUDP, peerUDP := udpPort(), udpPort()
	srv := startPeer(t, 20*time.Second, tsctp, "-E", strconv.Itoa(peerUDP), "-p", "5001", "-L", "127.0.0.1")
	waitUDPBound(t, peerUDP, 5*time.Second)
	cli := ourPerf(t, 20*time.Second, "-E", strconv.Itoa(ourUDP), "-U", strconv.Itoa(peerUDP), "-p", "5001",
		"-l", strconv.Itoa(perfLength), "-n", strconv.Itoa(perfCount), "127.0.0.1")
	checkPerf(t, waitOutput(ctx, t, cli, "gensctp perf client summary", isClientSummary),
		waitOutput(ctx, t, srv, "tsctp server summary", isServerSummary))
}

// What waitListening guards against, and what the failure says: tsctp
// connecting to our socket whose UDP port is bound and which does not
// listen yet gets an ABORT for its INIT; its connect fails and it exits
// 1 without a summary, and its output (its standard error kept) says
// why.
func TestTsctpRefusedBeforeListen(t *testing.T) {
	needNetns(t)
	tsctp := usrsctpProgram(t, "tsctp")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ourUDP, peerUDP := udpPort(), udpPort()
	newNode(t, ourUDP, 5001) // not listening
	cli := startPeer(t, 20*time.Second, tsctp, "-E", strconv.Itoa(peerUDP), "-U", strconv.Itoa(ourUDP), "-p", "5001",
		"-l", "100", "-n", "1", "127.0.0.1")
	waitExit(ctx, t, cli, "tsctp exit")
	if code := cli.exitCode(); code != 1 || strings.Contains(cli.Output(), "Sending of ") ||
		!strings.Contains(cli.Output(), "usrsctp_connect: Connection refused") {
		t.Errorf("tsctp exited %d with output %q; want 1, no summary, and usrsctp_connect's error", code, cli.Output())
	}
}

// checkPerf compares a client's and a server's summaries.
func checkPerf(t *testing.T, clientLine, serverLine string) {
	t.Helper()
	c, err := parseClientSummary(clientLine)
	if err != nil {
		t.Fatalf("client summary %q: %v", clientLine, err)
	}
	s, err := parseServerSummary(serverLine)
	if err != nil {
		t.Fatalf("server summary %q: %v", serverLine, err)
	}
	t.Logf("client: %s", clientLine)
	t.Logf("server: %s", serverLine)
	if c.msgs != perfCount || c.length != perfLength {
		t.Errorf("client sent %d messages of %d bytes, want %d of %d", c.msgs, c.length, perfCount, perfLength)
	}
	if s.bytes != c.bytes || s.msgs != c.msgs || s.length != c.length {
		t.Errorf("server received %d messages of %d bytes (%d bytes), client sent %d of %d (%d bytes)",
			s.msgs, s.length, s.bytes, c.msgs, c.length, c.bytes)
	}
}

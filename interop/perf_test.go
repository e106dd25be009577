//go:build linux

package interop

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/timer"
)

// perfRunner starts gensctp's side of a perf test with tsctp's command
// line: `-E local_udp [-U remote_udp] -p port [-l length] [-n count] [-L
// 127.0.0.1] [address]`, a client (sender) when an address is given, a
// server (receiver) otherwise. It prints tsctp's summary lines: the client
// "Sending of %u messages of length %u took %f seconds.", the server "len,
// msgs, calls, bytes, secs, throughput, notifications" when its
// association ended.
type perfRunner func(t *testing.T, limit time.Duration, args ...string) outputSource

// ourPerf is gensctp's perf tool: the in-test implementation until
// cmd/sctp's tsctp-compatible perf subcommand lands. GENSCTP_SCTP_BIN=path
// runs `path perf ARGS` instead; to make that the default, set
//
//	var ourPerf = binaryPerf("/path/to/sctp", "perf")
var ourPerf perfRunner = inTestPerf

func init() {
	if bin := os.Getenv("GENSCTP_SCTP_BIN"); bin != "" {
		ourPerf = binaryPerf(bin, "perf")
	}
}

// binaryPerf runs a perf program: prog, then pre, then tsctp's arguments.
func binaryPerf(prog string, pre ...string) perfRunner {
	return func(t *testing.T, limit time.Duration, args ...string) outputSource {
		t.Helper()
		return startPeer(t, limit, prog, append(append([]string{}, pre...), args...)...)
	}
}

// perfArgs are the tsctp options the perf tools understand.
type perfArgs struct {
	localUDP, remoteUDP, port, length, count int
	local, remote                            string
}

func parsePerfArgs(args []string) (perfArgs, error) {
	var a perfArgs
	fs := flag.NewFlagSet("perf", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&a.localUDP, "E", 9899, "local UDP encapsulation port")
	fs.IntVar(&a.remoteUDP, "U", 9899, "remote UDP encapsulation port")
	fs.IntVar(&a.port, "p", 5001, "SCTP port")
	fs.IntVar(&a.length, "l", 1024, "message length")
	fs.IntVar(&a.count, "n", 1024, "number of messages")
	fs.StringVar(&a.local, "L", "127.0.0.1", "local address")
	if err := fs.Parse(args); err != nil {
		return a, err
	}
	if fs.NArg() > 0 {
		a.remote = fs.Arg(0)
	}
	return a, nil
}

// inTestPerf is the perf tool implemented here over internal/stack.
func inTestPerf(t *testing.T, limit time.Duration, args ...string) outputSource {
	t.Helper()
	a, err := parsePerfArgs(args)
	if err != nil {
		t.Fatalf("perf %v: %v", args, err)
	}
	p := &inTestProc{done: make(chan struct{})}
	local := uint16(a.port)
	if a.remote != "" {
		local = 5002 // tsctp's client binds an ephemeral port
	}
	n := newNode(t, a.localUDP, local)
	ctx, cancel := context.WithTimeout(n.ctx, limit)
	run := func() error { return perfServe(ctx, n, p) }
	if a.remote != "" {
		addr, err := netip.ParseAddr(a.remote)
		if err != nil {
			t.Fatalf("perf address %q: %v", a.remote, err)
		}
		peer := netip.AddrPortFrom(addr, uint16(a.remoteUDP))
		run = func() error { return perfSend(ctx, n, p, peer, a) }
	} else {
		n.listen()
	}
	go func() {
		defer close(p.done)
		defer cancel()
		if err := run(); err != nil {
			p.printf("perf: %v\n", err)
			t.Errorf("in-test perf %v: %v", args, err)
		}
	}()
	t.Cleanup(func() { cancel(); <-p.done })
	return p
}

// inTestProc is the output of the in-test perf tool.
type inTestProc struct {
	mu   sync.Mutex
	out  strings.Builder
	done chan struct{}
}

func (p *inTestProc) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(&p.out, format, args...)
}

func (p *inTestProc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *inTestProc) Done() <-chan struct{} { return p.done }

// perfSend connects, sends a.count messages of a.length bytes ('b', as
// tsctp) on stream 0, shuts down gracefully and prints tsctp's client
// summary.
func perfSend(ctx context.Context, n *node, p *inTestProc, peer netip.AddrPort, a perfArgs) error {
	start := time.Now()
	id, err := n.connectListeningErr(ctx, peer, uint16(a.port), func(f string, args ...any) { p.printf(f+"\n", args...) })
	if err != nil {
		return err
	}
	_ = n.s.Do(func(timer.Time) error { n.discard = true; return nil })
	msg := bytes.Repeat([]byte{'b'}, a.length)
	for range a.count {
		if err := n.sendErr(ctx, id, association.SendInfo{}, msg); err != nil {
			return err
		}
	}
	if err := n.assoc(id, func(now timer.Time, as *association.Association) error { return as.Shutdown(now) }); err != nil {
		return err
	}
	if _, err := n.waitStateErr(ctx, id, association.ShutdownComp); err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	p.printf("Sending of %d messages of length %d took %f seconds.\n", a.count, a.length, secs)
	p.printf("Throughput was %f Byte/sec.\n", float64(a.count)*float64(a.length)/secs)
	return nil
}

// perfServe receives on one association until it ends and prints tsctp's
// server summary.
func perfServe(ctx context.Context, n *node, p *inTestProc) error {
	_ = n.s.Do(func(timer.Time) error { n.discard = true; return nil })
	var ended bool
	var rx rxCount
	var end timer.Time
	err := n.waitErr(ctx, "the end of an association", func(now timer.Time) bool {
		for _, e := range n.events {
			if ac, ok := e.ev.(*association.AssocChange); ok && ac.State != association.CommUp {
				ended, rx, end = true, n.rx, now
			}
		}
		return ended
	})
	if err != nil {
		return err
	}
	secs := time.Duration(end - rx.first).Seconds()
	p.printf("%d, %d, %d, %d, %f, %f, %d\n", rx.firstLen, rx.msgs, rx.calls, rx.bytes, secs,
		float64(rx.firstLen)*float64(rx.msgs)/secs, rx.events)
	return nil
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
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ourUDP, peerUDP := udpPort(), udpPort()
	srv := ourPerf(t, 20*time.Second, "-E", strconv.Itoa(ourUDP), "-p", "5001", "-L", "127.0.0.1")
	waitUDPBound(t, ourUDP, 5*time.Second)
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

//go:build linux

package interop

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
)

// capture is a tshark capture of UDP on lo, running for a test.
type capture struct {
	tshark string
	file   string
	cmd    *exec.Cmd
	done   chan struct{}
}

// startCapture starts `tshark -i lo -F pcap -w FILE udp` (in the test's
// namespace) and returns once tshark captures.
func startCapture(t *testing.T, limit time.Duration) *capture {
	t.Helper()
	tshark := needTool(t, "tshark", "tshark")
	c := &capture{tshark: tshark, file: filepath.Join(t.TempDir(), "interop.pcap"), done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	// -B: a 64 MiB kernel buffer, so that a loaded machine drops no packet
	// of the capture (with the default 2 MiB, a test once missed the
	// shutdown chunks under load).
	c.cmd = exec.CommandContext(ctx, tshark, "-i", "lo", "-B", "64", "-F", "pcap", "-w", c.file, "udp")
	c.cmd.WaitDelay = 2 * time.Second
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start tshark: %v", err)
	}
	// tshark says "Capturing on 'Loopback: lo'" once it captures.
	started := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		ok := false
		for sc.Scan() {
			if !ok && strings.HasPrefix(sc.Text(), "Capturing on") {
				ok = true
				started <- true
			}
		}
		if !ok {
			started <- false
		}
	}()
	go func() { _ = c.cmd.Wait(); cancel(); close(c.done) }()
	t.Cleanup(func() { cancel(); <-c.done })
	select {
	case ok := <-started:
		if !ok {
			t.Fatalf("tshark did not start capturing")
		}
	case <-time.After(limit):
		t.Fatalf("tshark did not start capturing within %v", limit)
	}
	c.waitCapturing(t, limit)
	return c
}

// waitCapturing sends UDP probes to a port nobody uses until the capture
// file holds one: tshark says it captures a little before it does.
func (c *capture) waitCapturing(t *testing.T, limit time.Duration) {
	t.Helper()
	c.probeUntil(t, limit, []byte("capture start"))
}

// probeUntil sends probes carrying marker until the capture file holds
// it. dumpcap writes the file in blocks: the probes are large, so that
// they push out whatever it buffered. Packets are written in the order
// they were captured, so once the marker is in the file, so is every
// packet before it.
func (c *capture) probeUntil(t *testing.T, limit time.Duration, marker []byte) {
	t.Helper()
	probe, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 9)))
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	payload := append(bytes.Repeat([]byte{'.'}, 16<<10), marker...)
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		_, _ = probe.Write(payload)
		if b, err := os.ReadFile(c.file); err == nil && bytes.Contains(b, marker) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%q did not reach the capture file within %v", marker, limit)
}

// stop ends the capture once everything sent so far is in the file
// (SIGINT, so that tshark closes the file properly) and waits for tshark
// to exit.
func (c *capture) stop(t *testing.T) {
	t.Helper()
	c.probeUntil(t, 10*time.Second, []byte("capture end"))
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("tshark did not stop")
	}
}

// decode runs tshark on the capture with UDP port as SCTP, a display
// filter and extra arguments, and returns its output.
func (c *capture) decode(t *testing.T, port int, filter string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	args := []string{"-r", c.file, "-d", "udp.port==" + strconv.Itoa(port) + ",sctp", "-Y", filter}
	cmd := exec.CommandContext(ctx, c.tshark, append(args, extra...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v: %s", cmd.Args[1:], err, stderr.String())
	}
	return string(out)
}

// A capture of a gensctp ↔ usrsctp echo run, decoded by tshark, holds
// SCTP packets (INIT to SHUTDOWN COMPLETE) and no malformed packet nor bad
// CRC32c checksum.
func TestCaptureNoMalformed(t *testing.T) {
	needNetns(t)
	prog := usrsctpProgram(t, "echo_server")
	c := startCapture(t, 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	peerUDP := udpPort()
	// On lo, a UDP GSO send is captured as one datagram holding several
	// SCTP packets (the kernel segments it later), which tshark cannot
	// split: capture packets as they are on any other link (udpencap's
	// switch, read when the socket opens).
	t.Setenv("GENSCTP_UDP_NOGSO", "1")
	n := newNode(t, udpPort(), 40007, api.RemoteUDPPort(peerUDP))
	runUsrsctpEcho(ctx, t, prog, n, peerUDP, n.s.UDPPort(), 100, testSeed(t), nil)
	c.stop(t)

	// The chunk types seen: INIT, INIT ACK, COOKIE ECHO, COOKIE ACK, DATA,
	// SACK, SHUTDOWN, SHUTDOWN ACK and SHUTDOWN COMPLETE at least (RFC
	// 9260 Section 3.2).
	types := map[string]int{}
	out := c.decode(t, peerUDP, "sctp", "-T", "fields", "-e", "sctp.chunk_type")
	packets := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		packets++
		for _, typ := range strings.Split(line, ",") {
			types[typ]++
		}
	}
	t.Logf("%d SCTP packets captured, chunks by type: %v", packets, types)
	for _, typ := range []string{"1", "2", "10", "11", "0", "3", "7", "8", "14"} {
		if types[typ] == 0 {
			t.Errorf("the capture holds no chunk of type %s", typ)
		}
	}
	c.checkNoMalformed(t, peerUDP)
}

// capturedChunks is one SCTP packet of a capture as tshark decodes it: a
// field of the packet (its source) and its chunk types, in order.
type capturedChunks struct {
	src   string
	types []string
}

// chunkTypes decodes c (SCTP on UDP port port) and returns the source of
// each SCTP packet (the tshark field srcField: "ip.src", "udp.srcport")
// and its chunk types.
func (c *capture) chunkTypes(t *testing.T, port int, srcField string) []capturedChunks {
	t.Helper()
	out := c.decode(t, port, "sctp", "-T", "fields", "-e", srcField, "-e", "sctp.chunk_type")
	var pkts []capturedChunks
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if src, list, ok := strings.Cut(line, "\t"); ok {
			pkts = append(pkts, capturedChunks{src: src, types: strings.Split(list, ",")})
		}
	}
	return pkts
}

// checkNoMalformed checks that tshark finds no malformed packet in c (SCTP
// on UDP port port), and that every packet's CRC32c (RFC 9260 Appendix A)
// checks, both sides'. Our DATA carry random bytes and PPIDs 0 to 99,
// which tshark would hand to the dissectors registered for them (M3UA,
// SUA, ...): those find random bytes malformed, so only SCTP itself is
// dissected.
func (c *capture) checkNoMalformed(t *testing.T, port int) {
	t.Helper()
	if out := c.decode(t, port, "_ws.malformed || (sctp && sctp.checksum.status != 1)",
		"-o", "sctp.ulp_dissection:FALSE", "-o", "sctp.checksum:CRC 32c"); out != "" {
		t.Errorf("tshark finds malformed packets or bad checksums:\n%s", tail(out))
	}
}

//go:build linux

package interop

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/chunk"
)

// startUsrsctpClient runs usrsctp's client against a gensctp echo server
// (SCTP port sctpPort) and returns both, the association up.
func startUsrsctpClient(ctx context.Context, t *testing.T, sctpPort uint16) (*node, *peerProcess, api.AssocID) {
	t.Helper()
	prog := usrsctpProgram(t, "client")
	ourUDP, peerUDP := udpPort(), udpPort()
	n := newNode(t, ourUDP, sctpPort)
	n.listen()
	n.serveEcho()
	// client remote_addr remote_port local_port local_udp remote_udp
	p := startPeerStdin(t, 20*time.Second, prog, "127.0.0.1", strconv.Itoa(int(sctpPort)), "0",
		strconv.Itoa(peerUDP), strconv.Itoa(ourUDP))
	id := n.accepted(ctx)
	waitOutput(ctx, t, p, "client: SCTP_COMM_UP", func(l string) bool { return strings.Contains(l, "SCTP_COMM_UP") })
	return n, p, id
}

// typeLines writes lines to the client's stdin and waits until it printed
// each of them back (the echoes), in order.
func typeLines(ctx context.Context, t *testing.T, p *peerProcess, lines []string) {
	t.Helper()
	for _, l := range lines {
		if _, err := fmt.Fprintln(p.stdin, l); err != nil {
			t.Fatalf("client stdin: %v", err)
		}
	}
	waitOutputCond(ctx, t, p, "client: the echo of every line", func(out string) bool {
		k := 0
		for _, o := range strings.Split(out, "\n") {
			if k < len(lines) && o == lines[k] {
				k++
			}
		}
		return k == len(lines)
	})
}

// usrsctp's client → gensctp echo server: lines typed on the client's
// stdin come back on its stdout. At end of input the client shuts the
// association down: we get ShutdownEvent then ShutdownComp (RFC 9260
// Section 9.2, RFC 6458 Sections 6.1.1 and 6.1.5), and the client reports
// SCTP_SHUTDOWN_COMP and exits 0.
func TestUsrsctpClient(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	n, p, id := startUsrsctpClient(ctx, t, 7)

	lines := []string{"hello, gensctp", "a second line", strings.Repeat("x", 78), "1", "the end"}
	typeLines(ctx, t, p, lines)

	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	n.waitState(ctx, id, api.ShutdownComp)
	if got := n.eventKinds(id); !slices.Equal(got, []string{"comm_up", "shutdown_event", "shutdown_comp"}) {
		t.Errorf("gensctp events %v, want [comm_up shutdown_event shutdown_comp]", got)
	}
	waitOutput(ctx, t, p, "client: SCTP_SHUTDOWN_COMP", func(l string) bool {
		return strings.HasPrefix(l, "Association change SCTP_SHUTDOWN_COMP")
	})
	waitExit(ctx, t, p, "client exit")
	if c := p.exitCode(); c != 0 {
		t.Errorf("client exit code %d; output:\n%s", c, tail(p.Output()))
	}
}

// Our ABORT (RFC 9260 Section 9.1) → usrsctp's client reports
// SCTP_COMM_LOST with our ABORT chunk; we report CommLost.
func TestUsrsctpClientAbortedByUs(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	n, p, id := startUsrsctpClient(ctx, t, 8)
	typeLines(ctx, t, p, []string{"abort me"})

	n.abort(id, "interop test")
	ac := n.waitState(ctx, id, api.CommLost)
	if ac.Error != chunk.CauseUserInitiatedAbort {
		t.Errorf("CommLost cause %v, want %v", ac.Error, chunk.CauseUserInitiatedAbort)
	}
	// The client prints the ABORT chunk it got: type 6, then our
	// User-Initiated Abort cause (code 12) with the reason.
	line := waitOutput(ctx, t, p, "client: SCTP_COMM_LOST", func(l string) bool {
		return strings.HasPrefix(l, "Association change SCTP_COMM_LOST")
	})
	if !strings.Contains(line, "ABORT = 0x06 ") || !strings.Contains(line, hexBytes("interop test")) {
		t.Errorf("client: %q does not show our ABORT with its reason", line)
	}
	// This client (Debian 0.9.5) keeps running after SCTP_COMM_LOST: the
	// test's cleanup stops it.
}

// hexBytes formats s as usrsctp's client prints bytes: " 0x69 0x6e ...".
func hexBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, " 0x%02x", s[i])
	}
	return b.String()
}

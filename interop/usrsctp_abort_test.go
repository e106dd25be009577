//go:build linux

package interop

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/chunk"
)

// usrsctp aborts us. None of the usrsctp example programs has an abort
// option, and they set the blackhole sysctl (no ABORT for out of the blue
// packets); but closing a socket that holds unread data aborts the
// association (RFC 9260 Section 9.1) with a User-Initiated Abort cause:
// usrsctp's sctp_inpcb_free, as FreeBSD's kernel does, treats unread data
// at close like TCP's reset. tsctp's client never reads: we send it a
// message as soon as its association is up; it sends its messages,
// closes, and its ABORT reaches us as CommLost with that cause (RFC 6458
// Section 6.1.1). tsctp itself finishes normally and prints its summary.
// (Killing a usrsctp program sends nothing at all, and a restarted one
// stays silent on our packets, the blackhole again: neither is an ABORT.)
func TestUsrsctpAbortsUs(t *testing.T) {
	needNetns(t)
	tsctp := usrsctpProgram(t, "tsctp")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ourUDP, peerUDP := udpPort(), udpPort()
	n := newNode(t, ourUDP, 5009)
	n.listen()
	const count, length = 2000, 1000
	cli := startPeer(t, 15*time.Second, tsctp, "-E", strconv.Itoa(peerUDP), "-U", strconv.Itoa(ourUDP), "-p", "5009",
		"-l", strconv.Itoa(length), "-n", strconv.Itoa(count), "127.0.0.1")
	id := n.accepted(ctx)
	n.send(ctx, id, 0, 0, []byte("never read"))

	ac := n.waitState(ctx, id, api.CommLost)
	if ac.Error != chunk.CauseUserInitiatedAbort {
		t.Errorf("CommLost cause %v, want %v (tsctp closed with our message unread)", ac.Error, chunk.CauseUserInitiatedAbort)
	}
	// tsctp always sets an adaptation layer indication (-a, default 0):
	// RFC 5061 Section 4.2.6, delivered after comm_up.
	if got := n.eventKinds(id); !slices.Equal(got, []string{"comm_up", "adaptation", "comm_lost"}) {
		t.Errorf("gensctp events %v, want [comm_up adaptation comm_lost]", got)
	}
	// What we received before the ABORT is a prefix of what tsctp sent:
	// whole messages of its length, all 'b'.
	var got int
	for _, m := range n.received() {
		if m.id != id {
			continue
		}
		if len(m.data) != length || !bytes.Equal(m.data, bytes.Repeat([]byte{'b'}, length)) {
			t.Errorf("message %d: %d bytes, not %d of 'b'", got, len(m.data), length)
		}
		got++
	}
	if got == 0 || got > count {
		t.Errorf("received %d messages before the ABORT, want 1..%d", got, count)
	}
	line := waitOutput(ctx, t, cli, "tsctp client summary", isClientSummary)
	s, err := parseClientSummary(line)
	if err != nil || s.msgs != count || s.length != length {
		t.Errorf("tsctp summary %q (%v): want %d messages of %d bytes", line, err, count, length)
	}
	waitExit(ctx, t, cli, "tsctp exit")
	if c := cli.exitCode(); c != 0 {
		t.Errorf("tsctp exit code %d; output:\n%s", c, tail(cli.Output()))
	}
	t.Logf("tsctp: %s; we received %d of its messages before its ABORT", strings.TrimSpace(line), got)
}

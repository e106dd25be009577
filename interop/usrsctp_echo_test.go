//go:build linux

package interop

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
)

// usrsctpEchoBuffer is the read buffer of usrsctp's echo_server
// (BUFFER_SIZE in programs/echo_server.c). It echoes only the read that
// ends a message (MSG_EOR), so a longer message comes back as its last
// piece; it logs every piece ("Msg of length N ... PPID P ... complete C"),
// which tells how much of each message it received.
const usrsctpEchoBuffer = 10240

// echoStreams is the number of streams the echo tests spread messages on.
const echoStreams = 4

// gensctp client → usrsctp echo_server over UDP encapsulation: messages of
// random sizes (1 byte to 64 KiB) on several streams come back per stream
// in order, each identical to what was sent (its last 10240-byte piece for
// the larger ones: see usrsctpEchoBuffer), and the server saw every byte.
// Then our graceful shutdown completes (RFC 9260 Section 9.2).
func TestUsrsctpEchoServer(t *testing.T) {
	needNetns(t)
	prog := usrsctpProgram(t, "echo_server")
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	peerUDP := udpPort()
	n := newNode(t, udpPort(), 40007, api.RemoteUDPPort(peerUDP))
	runUsrsctpEcho(ctx, t, prog, n, peerUDP, n.s.UDPPort(), 1000, testSeed(t), nil)
}

// The same over a lossy path: once the association is up, a proxy
// between our socket and echo_server drops, duplicates and delays
// (reorders) a few percent of the datagrams in each direction, so that
// both sides retransmit (RFC 9260 Sections 6.3.3 and 7.2.4), report gaps
// and duplicates in SACKs (Section 6.2) and reassemble out of order; every
// echo still comes back in order.
func TestUsrsctpEchoServerLossy(t *testing.T) {
	needNetns(t)
	prog := usrsctpProgram(t, "echo_server")
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	seed := testSeed(t)
	peerUDP, near, far := udpPort(), udpPort(), udpPort()
	proxy := startLossyProxy(t, near, far, peerUDP, seed)
	n := newNode(t, udpPort(), 40007, api.RemoteUDPPort(near))
	runUsrsctpEcho(ctx, t, prog, n, peerUDP, far, 200, seed, proxy)
}

// runUsrsctpEcho runs echo_server on UDP port peerUDP, reaching us on UDP
// port remoteUDP (ours, or the proxy's), and sends it count messages from
// node n, with the proxy (if not nil) lossy once the association is up.
func runUsrsctpEcho(ctx context.Context, t *testing.T, prog string, n *node, peerUDP, remoteUDP, count int, seed uint64, proxy *lossyProxy) {
	t.Helper()
	peer := startPeer(t, 30*time.Second, prog, strconv.Itoa(peerUDP), strconv.Itoa(remoteUDP))
	waitUDPBound(t, peerUDP, 5*time.Second)

	id := n.connectListening(ctx, 7)
	start := time.Now()
	if proxy != nil {
		proxy.on.Store(true)
	}

	r := rand.New(rand.NewPCG(seed, 0))
	sent := make([][]byte, count)
	for i := range sent {
		// Half the messages fit echo_server's buffer and come back whole;
		// the others (up to 64 KiB) come back as their last piece.
		size := 1 + r.IntN(usrsctpEchoBuffer)
		if r.IntN(2) == 0 {
			size = usrsctpEchoBuffer + 1 + r.IntN(64<<10-usrsctpEchoBuffer)
		}
		sent[i] = randomMessage(r, size)
		// The PPID names the message: echo_server sends it back as is.
		n.send(ctx, id, uint16(i%echoStreams), uint32(i), sent[i])
	}
	n.wait(ctx, fmt.Sprintf("%d echoes", count), func() bool { return len(n.msgs) >= count })
	checkEchoes(t, sent, n.received())
	// echo_server prints a message's last piece before echoing it, but
	// its output reaches us through a pipe: wait for the last lines.
	waitOutputCond(ctx, t, peer, "echo_server: the log of every message", func(out string) bool {
		return strings.Count(out, ", complete 1.\n") >= len(sent)
	})
	checkEchoServerLog(t, sent, peer.Output())

	if proxy != nil {
		proxy.on.Store(false)
		st := n.stats(id)
		t.Logf("%d echoes in %v; our side: %d retransmissions (%d fast), %d T3 expirations, %d duplicate TSNs received, %d SACKs sent, %d received",
			count, time.Since(start), st.Retransmissions, st.FastRetransmissions, st.T3Expirations, st.DuplicateTSNs, st.SACKsSent, st.SACKsReceived)
	}
	// Our graceful shutdown: SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE,
	// then ShutdownComp (RFC 9260 Section 9.2).
	n.shutdown(id)
	n.waitState(ctx, id, api.ShutdownComp)
	if got := n.eventKinds(id); !slices.Equal(got, []string{"comm_up", "shutdown_comp"}) {
		t.Errorf("gensctp events %v, want [comm_up shutdown_comp]", got)
	}
	// echo_server logs each notification it reads by its length only:
	// after our SHUTDOWN it reads a struct sctp_shutdown_event (12 bytes,
	// RFC 6458 Section 6.1.5), then a struct sctp_assoc_change without
	// sac_info (20 bytes, Section 6.1.1): SCTP_SHUTDOWN_COMP (a
	// SCTP_COMM_LOST would carry the ABORT chunk in sac_info).
	waitOutputCond(ctx, t, peer, "echo_server: the notifications of our shutdown", func(out string) bool {
		return len(notificationLengths(out)) >= 2 && slices.Contains(notificationLengths(out), 20)
	})
	if got := notificationLengths(peer.Output()); !slices.Equal(got[len(got)-2:], []int{12, 20}) {
		t.Errorf("echo_server notifications after the last message %v, want the shutdown event (12 bytes) then shutdown_comp (20 bytes)", got)
	}
}

// notificationLengths returns the lengths of the notifications that
// echo_server logged ("Notification of length N received.") after the
// last message it logged.
func notificationLengths(out string) []int {
	var got []int
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Msg of length ") {
			got = got[:0]
			continue
		}
		var n int
		if _, err := fmt.Sscanf(line, "Notification of length %d received.", &n); err == nil {
			got = append(got, n)
		}
	}
	return got
}

// checkEchoes checks the echoes: per stream, one per message in order,
// each the message itself or, past usrsctpEchoBuffer, its last piece.
func checkEchoes(t *testing.T, sent [][]byte, got []nodeMsg) {
	t.Helper()
	if len(got) != len(sent) {
		t.Fatalf("%d echoes, want %d", len(got), len(sent))
	}
	next := make([]int, echoStreams) // next message index per stream
	for s := range next {
		next[s] = s
	}
	for k, m := range got {
		s := int(m.stream)
		if s >= echoStreams {
			t.Fatalf("echo %d on stream %d", k, s)
		}
		i := next[s]
		next[s] += echoStreams
		if int(m.ppid) != i {
			t.Fatalf("stream %d: echo of message %d (PPID) where message %d was due: out of order", s, m.ppid, i)
		}
		want := sent[i]
		switch {
		case len(want) <= usrsctpEchoBuffer && !bytes.Equal(m.data, want):
			t.Fatalf("message %d (%d bytes): echo of %d bytes differs", i, len(want), len(m.data))
		case len(m.data) == 0 || len(m.data) > usrsctpEchoBuffer ||
			!bytes.Equal(m.data, want[len(want)-len(m.data):]):
			t.Fatalf("message %d (%d bytes): echo of %d bytes is not its tail", i, len(want), len(m.data))
		}
	}
}

// checkEchoServerLog checks echo_server's log: the pieces it read of each
// message (named by its PPID) add up to the message's length, the last
// one marked complete.
func checkEchoServerLog(t *testing.T, sent [][]byte, out string) {
	t.Helper()
	total := make([]int, len(sent))
	complete := make([]bool, len(sent))
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "Msg of length ") {
			continue
		}
		var length, ppid, done int
		var from string
		var sid, ssn, tsn, ctx uint64
		_, err := fmt.Sscanf(line, "Msg of length %d received from %s on stream %d with SSN %d and TSN %d, PPID %d, context %d, complete %d.",
			&length, &from, &sid, &ssn, &tsn, &ppid, &ctx, &done)
		if err != nil || ppid < 0 || ppid >= len(sent) {
			t.Fatalf("echo_server log line %q: %v", line, err)
		}
		if complete[ppid] {
			t.Fatalf("echo_server read more of message %d after its end", ppid)
		}
		total[ppid] += length
		complete[ppid] = done == 1
	}
	for i, m := range sent {
		if total[i] != len(m) || !complete[i] {
			t.Fatalf("echo_server read %d bytes of message %d (complete %v), want %d", total[i], i, complete[i], len(m))
		}
	}
}

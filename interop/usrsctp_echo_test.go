//go:build linux

package interop

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
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
	runUsrsctpEcho(ctx, t, prog, udpPort(), 1000, udpConfig(udpPort()), testSeed(t), nil)
}

// The same over a lossy path: once the association is up, our stack drops,
// duplicates and delays (reorders) a few percent of the datagrams in each
// direction, so that both sides retransmit (RFC 9260 Sections 6.3.3 and
// 7.2.4), report gaps and duplicates in SACKs (Section 6.2) and
// reassemble out of order; every echo still comes back in order.
func TestUsrsctpEchoServerLossy(t *testing.T) {
	needNetns(t)
	prog := usrsctpProgram(t, "echo_server")
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	seed := testSeed(t)
	// The verdicts follow the seed, but which datagram gets which depends
	// on timing: a replay is close, not exact.
	r := rand.New(rand.NewPCG(seed, 2))
	var mu sync.Mutex
	hook := func(dir udpencap.Direction, from, to netip.AddrPort, b []byte) udpencap.Verdict {
		mu.Lock()
		defer mu.Unlock()
		switch x := r.IntN(1000); {
		case x < 10:
			return udpencap.Drop
		case x < 15:
			return udpencap.Duplicate
		case x < 25:
			return udpencap.Delay(time.Duration(1+r.IntN(5)) * time.Millisecond)
		}
		return udpencap.Pass
	}
	runUsrsctpEcho(ctx, t, prog, udpPort(), 200, udpConfig(udpPort()), seed, hook)
}

// runUsrsctpEcho runs echo_server on UDP port peerUDP and sends it count
// messages from a gensctp client on udp, with hook (if not nil) on our
// datagrams once the association is up.
func runUsrsctpEcho(ctx context.Context, t *testing.T, prog string, peerUDP, count int, udp udpencap.Config, seed uint64, hook udpencap.Hook) {
	t.Helper()
	peer := startPeer(t, 30*time.Second, prog, strconv.Itoa(peerUDP), strconv.Itoa(udp.Port))
	waitUDPBound(t, peerUDP, 5*time.Second)

	n := newNodeWith(t, udp, endpoint.Config{Port: 40007, Assoc: nodeConfig()})
	id := n.connectListening(ctx, netip.AddrPortFrom(loopback, uint16(peerUDP)), 7)
	start := time.Now()
	if hook != nil {
		n.s.Conn().SetHook(hook)
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
		info := association.SendInfo{Stream: chunk.StreamID(i % echoStreams), PPID: chunk.PPID(i)}
		n.send(ctx, id, info, sent[i])
	}
	n.wait(ctx, fmt.Sprintf("%d echoes", count), func(timer.Time) bool { return len(n.msgs) >= count })
	checkEchoes(t, sent, n.received())
	// echo_server prints a message's last piece before echoing it, but
	// its output reaches us through a pipe: wait for the last lines.
	waitOutputCond(ctx, t, peer, "echo_server: the log of every message", func(out string) bool {
		return strings.Count(out, ", complete 1.\n") >= len(sent)
	})
	checkEchoServerLog(t, sent, peer.Output())

	if hook != nil {
		n.s.Conn().SetHook(nil)
		var st association.Stats
		_ = n.assoc(id, func(_ timer.Time, a *association.Association) error { st = a.Stats(); return nil })
		t.Logf("%d echoes in %v; our side: %d retransmissions (%d fast), %d T3 expirations, %d duplicate TSNs received, %d SACKs sent, %d received",
			count, time.Since(start), st.Retransmissions, st.FastRetransmissions, st.T3Expirations, st.DuplicateTSNs, st.SACKsSent, st.SACKsReceived)
	}
	// Our graceful shutdown: SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE,
	// then ShutdownComp (RFC 9260 Section 9.2).
	n.shutdown(id)
	n.waitState(ctx, id, association.ShutdownComp)
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
	for k, g := range got {
		m := g.m
		if !m.EndOfRecord {
			t.Fatalf("echo %d: a partial delivery", k)
		}
		s := int(m.Stream)
		if s >= echoStreams {
			t.Fatalf("echo %d on stream %d", k, s)
		}
		i := next[s]
		next[s] += echoStreams
		if int(m.PPID) != i {
			t.Fatalf("stream %d: echo of message %d (PPID) where message %d was due: out of order", s, m.PPID, i)
		}
		want := sent[i]
		switch {
		case len(want) <= usrsctpEchoBuffer && !bytes.Equal(m.Data, want):
			t.Fatalf("message %d (%d bytes): echo of %d bytes differs", i, len(want), len(m.Data))
		case len(m.Data) == 0 || len(m.Data) > usrsctpEchoBuffer ||
			!bytes.Equal(m.Data, want[len(want)-len(m.Data):]):
			t.Fatalf("message %d (%d bytes): echo of %d bytes is not its tail", i, len(want), len(m.Data))
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

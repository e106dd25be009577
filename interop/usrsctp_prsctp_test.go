//go:build linux

package interop

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/udpencap"
)

// prCase is a partial reliability policy as tsctp and `sctp perf` take
// it (-P policy -t value), and what it may lose.
type prCase struct {
	name          string
	policy, value int
	// reliable: the policy abandons nothing here, loss or not: -P 3
	// abandons a message only for one of a higher priority (a smaller
	// value, RFC 7496 Section 3.3), and every message has the same.
	reliable bool
	// lossless: nothing is abandoned without loss: -P 2 -t 0 abandons a
	// message only when it would be retransmitted. (-P 1 -t 10 abandons
	// the messages that waited 10 ms in the send buffer, loss or not.)
	lossless bool
}

func (c prCase) args() []string {
	return []string{"-P", strconv.Itoa(c.policy), "-t", strconv.Itoa(c.value)}
}

// clientArgs are the flags of a perf client (tsctp's or ours) of c from
// UDP port local to the server on UDP port remote, SCTP port port,
// sending count messages.
func (c prCase) clientArgs(local, remote, count, port int) []string {
	return append(append([]string{"-E", strconv.Itoa(local), "-U", strconv.Itoa(remote), "-p", strconv.Itoa(port),
		"-l", strconv.Itoa(prLength), "-n", strconv.Itoa(count)}, c.args()...), "127.0.0.1")
}

func (c prCase) prInfo() api.PrInfo {
	return api.PrInfo{Policy: api.PrPolicy(c.policy), Value: uint32(c.value)}
}

// wireTypes are the chunk types a lossy run of c shows: DATA, SACK, and
// FORWARD TSN (192) unless the policy abandons nothing.
func (c prCase) wireTypes() []string {
	if c.reliable {
		return []string{"0", "3"}
	}
	return []string{"0", "3", "192"}
}

// prCases are the runs of issue 12: tsctp's -P 1 -t 10, -P 2 -t 0, -P 3.
var prCases = []prCase{
	{name: "ttl10", policy: 1, value: 10},
	{name: "rtx0", policy: 2, value: 0, lossless: true},
	{name: "prio", policy: 3, value: 0, reliable: true, lossless: true},
}

const (
	// prCleanCount is the messages of the runs over a clean path: few
	// enough that neither the UDP socket buffers (about 200 KiB) nor
	// usrsctp's receive window overflow on loopback (at full speed they
	// do, and then -P 2 -t 0 rightly abandons what was dropped).
	prCleanCount = 50
	prCount      = 2000
	prLength     = 2000 // fragmented
	prPermille   = 30   // of the DATA datagrams dropped in the lossy runs
)

// checkPerfPR compares a client's and a server's summaries of a run with
// partial reliability: the server got whole messages of the client's
// length, at most as many as were sent, some at least, and all of them
// when the policy abandons nothing.
func checkPerfPR(t *testing.T, c prCase, count int, clientLine, serverLine string) {
	t.Helper()
	cs, err := parseClientSummary(clientLine)
	if err != nil {
		t.Fatalf("client summary %q: %v", clientLine, err)
	}
	ss, err := parseServerSummary(serverLine)
	if err != nil {
		t.Fatalf("server summary %q: %v", serverLine, err)
	}
	t.Logf("client: %s", clientLine)
	t.Logf("server: %s", serverLine)
	if cs.msgs != count || cs.length != prLength {
		t.Errorf("client sent %d messages of %d bytes, want %d of %d", cs.msgs, cs.length, count, prLength)
	}
	if ss.msgs == 0 || ss.msgs > cs.msgs || ss.length != cs.length || ss.bytes != int64(ss.msgs)*int64(ss.length) {
		t.Errorf("server received %d messages of %d bytes (%d bytes), want whole messages of %d, 1 to %d of them",
			ss.msgs, ss.length, ss.bytes, cs.length, cs.msgs)
	}
	if c.lossless && ss.msgs != cs.msgs {
		t.Errorf("-P %d -t %d without loss: the server received %d of %d messages", c.policy, c.value, ss.msgs, cs.msgs)
	}
}

// tsctp sends with each policy to `sctp perf` over a clean path: the
// association ends with tsctp's shutdown, and what arrives is whole
// messages, all of them when the policy abandons nothing.
func TestPRTsctpToPerf(t *testing.T) { runPRClean(t, true) }

// `sctp perf -P -t` sends with each policy to tsctp over a clean path: our
// graceful shutdown ends tsctp's association, and what arrives is whole
// messages, all of them when the policy abandons nothing.
func TestPRPerfToTsctp(t *testing.T) { runPRClean(t, false) }

// runPRClean runs prCleanCount messages with each policy from tsctp to
// `sctp perf` (tsctpSends) or the other way, and checks the summaries.
func runPRClean(t *testing.T, tsctpSends bool) {
	needNetns(t)
	tsctp := usrsctpProgram(t, "tsctp")
	sctpBinary(t)
	for _, c := range prCases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cliUDP, srvUDP := udpPort(), udpPort()
			theirs := func(args ...string) outputSource { return startPeer(t, 30*time.Second, tsctp, args...) }
			ours := func(args ...string) outputSource { return ourPerf(t, 30*time.Second, args...) }
			server, client, srvName, cliName := ours, theirs, "gensctp perf server", "tsctp client"
			if !tsctpSends {
				server, client, srvName, cliName = theirs, ours, "tsctp server", "gensctp perf client"
			}
			srv := server("-E", strconv.Itoa(srvUDP), "-p", "5001", "-L", "127.0.0.1")
			if tsctpSends {
				waitListening(ctx, t, srv)
			} else {
				// tsctp drops an INIT before it listens (its blackhole
				// setting): ours is sent again.
				waitUDPBound(t, srvUDP, 5*time.Second)
			}
			cli := client(c.clientArgs(cliUDP, srvUDP, prCleanCount, 5001)...)
			checkPerfPR(t, c, prCleanCount, waitOutput(ctx, t, cli, cliName+" summary", isClientSummary),
				waitOutput(ctx, t, srv, srvName+" summary", isServerSummary))
		})
	}
}

// tsctp sends with each policy to our socket while our UDP socket drops
// 3% of the datagrams carrying tsctp's DATA (seeded): tsctp abandons the
// messages its policy gives up and tells us with FORWARD TSN. The
// association ends with tsctp's shutdown; what we deliver is whole
// messages of tsctp's bytes, in order (their SSNs increase, with gaps
// where messages were abandoned), fewer than sent where the policy gives
// up on lost ones (-P 1, -P 2) and all of them where it does not (-P 3).
func TestPRTsctpToUsLossy(t *testing.T) {
	needNetns(t)
	tsctp := usrsctpProgram(t, "tsctp")
	for _, c := range prCases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			seed := testSeed(t)
			ourUDP, peerUDP := udpPort(), udpPort()
			capOpt, capFile := ourCapture(t)
			n := newNode(t, ourUDP, 5011, capOpt)
			n.listen()
			f := newPRFaults(t, n, udpencap.In, prPermille, seed)
			f.on.Store(true)
			cli := startPeer(t, 40*time.Second, tsctp, c.clientArgs(peerUDP, ourUDP, prCount, 5011)...)
			id := n.accepted(ctx)
			ctrs := f.countersAtShutdown(ctx, t, n, id)
			n.waitState(ctx, id, api.ShutdownComp)
			_ = n.s.Close() // flushes the capture
			checkPRCapture(t, capFile, peerUDP, c.wireTypes()...)
			line := waitOutput(ctx, t, cli, "tsctp client summary", isClientSummary)
			waitExit(ctx, t, cli, "tsctp exit")
			if code := cli.exitCode(); code != 0 {
				t.Errorf("tsctp exit code %d", code)
			}
			cs, err := parseClientSummary(line)
			if err != nil || cs.msgs != prCount {
				t.Fatalf("tsctp summary %q (%v): want %d messages", line, err, prCount)
			}
			got := checkOrderedBs(t, n.received(), id, prLength)
			dropped, fwdIn, _ := f.wire()
			t.Logf("counters usrsctp tsctp %s → gensctp (seed %d, %d of tsctp's DATA datagrams dropped): "+
				"tsctp sent %d messages, abandoned %d (not delivered), FORWARD-TSNs sent %d (that reached us on the wire); "+
				"gensctp delivered %d, FORWARD-TSNs received %d (PrStatus)",
				strings.Join(c.args(), " "), seed, dropped, cs.msgs, cs.msgs-got, fwdIn, got, ctrs.pr.ForwardTSNsReceived)
			if dropped == 0 {
				t.Fatalf("the hook dropped nothing")
			}
			if ctrs.pr.ForwardTSNsReceived != uint64(fwdIn) {
				t.Errorf("we count %d FORWARD TSNs received, %d reached us", ctrs.pr.ForwardTSNsReceived, fwdIn)
			}
			if c.reliable {
				if got != cs.msgs {
					t.Errorf("-P %d: %d of %d messages delivered, want all", c.policy, got, cs.msgs)
				}
				return
			}
			if got >= cs.msgs {
				t.Errorf("-P %d -t %d under loss: all %d messages delivered, want some abandoned", c.policy, c.value, got)
			}
			if ctrs.pr.ForwardTSNsReceived == 0 {
				t.Errorf("-P %d -t %d under loss: no FORWARD TSN received", c.policy, c.value)
			}
		})
	}
}

// checkOrderedBs checks the messages of association id: whole messages of
// length bytes of 'b' (tsctp's), on stream 0, their SSNs increasing (RFC
// 9260 Section 6.5: ordered delivery; abandoned messages leave gaps, RFC
// 3758 Section 3.6), and returns their number.
func checkOrderedBs(t *testing.T, msgs []nodeMsg, id api.AssocID, length int) int {
	t.Helper()
	want := bytes.Repeat([]byte{'b'}, length)
	got := 0
	var last uint16
	for _, m := range msgs {
		if m.id != id {
			continue
		}
		if !bytes.Equal(m.data, want) || m.stream != 0 {
			t.Fatalf("message %d: %d bytes on stream %d, want %d of 'b' on stream 0", got, len(m.data), m.stream, length)
		}
		if got > 0 && int16(m.ssn-last) <= 0 {
			t.Fatalf("message %d: SSN %d after %d: out of order or duplicate", got, m.ssn, last)
		}
		last = m.ssn
		got++
	}
	return got
}

// We send with each policy to tsctp while our UDP socket drops 3% of the
// datagrams carrying our DATA (seeded): our policy abandons messages
// (PrStatus counts them) and we send FORWARD TSN, tsctp follows it, and
// our graceful shutdown completes. tsctp receives whole messages: at
// least those we did not abandon, fewer than sent where the policy gives
// up on lost ones (-P 1, -P 2), all of them where it does not (-P 3).
func TestPRUsToTsctpLossy(t *testing.T) {
	needNetns(t)
	tsctp := usrsctpProgram(t, "tsctp")
	for _, c := range prCases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			seed := testSeed(t)
			ourUDP, peerUDP := udpPort(), udpPort()
			srv := startPeer(t, 40*time.Second, tsctp, "-E", strconv.Itoa(peerUDP), "-p", "5012", "-L", "127.0.0.1")
			waitUDPBound(t, peerUDP, 5*time.Second)
			capOpt, capFile := ourCapture(t)
			n := newNode(t, ourUDP, 40012, api.RemoteUDPPort(peerUDP),
				api.SCTPEvents(api.EventSubscribe{SendFailureEvent: api.False}), capOpt)
			f := newPRFaults(t, n, udpencap.Out, prPermille, seed)
			id := n.connectListening(ctx, 5012)
			f.on.Store(true)
			msg := bytes.Repeat([]byte{'b'}, prLength)
			for i := range prCount {
				if err := n.s.SendInfoContext(ctx, api.SndRcvInfo{AssocID: id, PrInfo: c.prInfo()}, msg); err != nil {
					t.Fatalf("send %d: %v", i, err)
				}
			}
			n.shutdown(id)
			ctrs := f.countersAtShutdown(ctx, t, n, id)
			n.waitState(ctx, id, api.ShutdownComp)
			_ = n.s.Close() // flushes the capture
			checkPRCapture(t, capFile, peerUDP, c.wireTypes()...)
			ss, err := parseServerSummary(waitOutput(ctx, t, srv, "tsctp server summary", isServerSummary))
			if err != nil {
				t.Fatal(err)
			}
			dropped, _, fwdOut := f.wire()
			ab := ctrs.pr.Total()
			t.Logf("counters gensctp %s → usrsctp tsctp (seed %d, %d of our DATA datagrams dropped): "+
				"gensctp sent %d messages, abandoned %d (%d sent, %d unsent; PrStatus), FORWARD-TSNs sent %d (PrStatus; %d on the wire); "+
				"tsctp received %d messages",
				strings.Join(c.args(), " "), seed, dropped, prCount, ab.Sent+ab.Unsent, ab.Sent, ab.Unsent,
				ctrs.pr.ForwardTSNsSent, fwdOut, ss.msgs)
			if dropped == 0 {
				t.Fatalf("the hook dropped nothing")
			}
			if ss.length != prLength || ss.bytes != int64(ss.msgs)*prLength {
				t.Errorf("tsctp received %d bytes in %d messages of %d, want whole messages of %d", ss.bytes, ss.msgs, ss.length, prLength)
			}
			if ss.msgs > prCount || uint64(ss.msgs) < prCount-(ab.Sent+ab.Unsent) {
				t.Errorf("tsctp received %d messages, want %d sent less at most the %d abandoned", ss.msgs, prCount, ab.Sent+ab.Unsent)
			}
			if int(ctrs.pr.ForwardTSNsSent) != fwdOut {
				t.Errorf("we count %d FORWARD TSNs sent, %d went out", ctrs.pr.ForwardTSNsSent, fwdOut)
			}
			if c.reliable {
				if ab != (api.PrStatus{}).Total() || ss.msgs != prCount {
					t.Errorf("-P %d: %d abandoned, tsctp received %d of %d, want none abandoned", c.policy, ab.Sent+ab.Unsent, ss.msgs, prCount)
				}
				return
			}
			if ab.Sent == 0 || ss.msgs >= prCount || ctrs.pr.ForwardTSNsSent == 0 {
				t.Errorf("-P %d -t %d under loss: %d sent messages abandoned, %d FORWARD TSNs sent, tsctp received %d of %d: "+
					"want some abandoned after they were sent, FORWARD TSN, and fewer received",
					c.policy, c.value, ab.Sent, ctrs.pr.ForwardTSNsSent, ss.msgs, prCount)
			}
		})
	}
}

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
	"github.com/gensctp/gensctp/association"
)

// nagleStall bounds the wait for the second message of a pair: well
// below the 200 ms SACK delay (RFC 9260 Section 6.2), which a stall
// would last.
const nagleStall = 50 * time.Millisecond

// usrsctp's client uses Nagle's algorithm (it does not set SCTP_NODELAY)
// and does not ask for immediate SACKs (RFC 7053 I bit): of two lines
// typed at once it sends the first and holds the second until the first
// is acknowledged. A gensctp server that answers only once it has both
// (write-write-read) must acknowledge the first without waiting out its
// SACK delay, or each exchange stalls for 200 ms: the receiver's short
// SACK delay after a packet no other follows (api.LoneSackDelay). With
// it turned off, the stall is there.
func TestUsrsctpNagleClientWriteWriteRead(t *testing.T) {
	needNetns(t)
	waits := nagleClientRounds(t, 12)
	if m := slices.Max(waits); m > nagleStall {
		t.Errorf("a second line came %v after the first was typed: a Nagle stall (all rounds: %v)", m, waits)
	}
	// The first round of each finds the association's first SACK sent
	// at once (RFC 9260 Section 5.1).
	waits = nagleClientRounds(t, 3, api.LoneSackDelay(association.DefaultSACKDelay))
	if m := slices.Min(waits[1:]); m < association.DefaultSACKDelay/2 {
		t.Errorf("without LoneSackDelay, a second line came %v after the first: no stall to show (all rounds: %v)", m, waits)
	}
}

// nagleClientRounds runs usrsctp's client against a gensctp server (with
// opts) for the given number of write-write-read rounds, and returns how
// long the server waited for the second line of each.
func nagleClientRounds(t *testing.T, rounds int, opts ...api.Option) []time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	prog := usrsctpProgram(t, "client")
	ourUDP, peerUDP := udpPort(), udpPort()
	n := newNode(t, ourUDP, 9, opts...)
	n.listen()
	p := startPeerStdin(t, 20*time.Second, prog, "127.0.0.1", "9", "0",
		strconv.Itoa(peerUDP), strconv.Itoa(ourUDP))
	defer p.stop()
	id := n.accepted(ctx)
	waitOutput(ctx, t, p, "client: SCTP_COMM_UP", func(l string) bool { return strings.Contains(l, "SCTP_COMM_UP") })

	waits := make([]time.Duration, rounds)
	for i := range rounds {
		start := time.Now()
		// One write: the client reads both lines at once and sends them
		// one after the other.
		if _, err := fmt.Fprintf(p.stdin, "request %d\nbody %d\n", i, i); err != nil {
			t.Fatalf("client stdin: %v", err)
		}
		n.wait(ctx, fmt.Sprintf("both lines of request %d", i), func() bool { return len(n.msgs) >= 2*(i+1) })
		waits[i] = time.Since(start)
		reply := fmt.Sprintf("reply %d", i)
		n.send(ctx, id, 0, 0, []byte(reply+"\n"))
		waitOutput(ctx, t, p, "client: "+reply, func(l string) bool { return l == reply })
	}
	got := n.received()
	for i := range rounds {
		want := []string{fmt.Sprintf("request %d\n", i), fmt.Sprintf("body %d\n", i)}
		have := []string{string(got[2*i].data), string(got[2*i+1].data)}
		if !slices.Equal(have, want) {
			t.Fatalf("round %d: received %q, want %q", i, have, want)
		}
	}
	sorted := slices.Clone(waits)
	slices.Sort(sorted)
	t.Logf("%d options: wait for both lines: median %v, max %v (%d rounds)", len(opts), sorted[rounds/2], sorted[rounds-1], rounds)
	return waits
}

// The other way round: gensctp uses Nagle-style bundling (sctp_nodelay
// false, gen_sctp's default) and writes twice to usrsctp's discard_server,
// which delays its SACKs (RFC 9260 Section 6.2) and never answers. The
// second message does not wait for the SACK of the first: it goes at once,
// asking for an immediate SACK (RFC 7053 I bit), and both are acknowledged
// within a round trip, not after the peer's 200 ms SACK delay.
func TestNagleToUsrsctpWriteWrite(t *testing.T) {
	needNetns(t)
	prog := usrsctpProgram(t, "discard_server")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	peerUDP := udpPort()
	n := newNode(t, udpPort(), 40009, api.RemoteUDPPort(peerUDP), api.SCTPNodelay(false))
	startPeer(t, 30*time.Second, prog, strconv.Itoa(peerUDP), strconv.Itoa(n.s.UDPPort()))
	waitUDPBound(t, peerUDP, 5*time.Second)
	id := n.connectListening(ctx, 9)

	const rounds = 12
	waits := make([]time.Duration, rounds)
	for i := range rounds {
		start := time.Now()
		n.send(ctx, id, 0, 0, []byte(fmt.Sprintf("request %d", i)))
		n.send(ctx, id, 0, 0, []byte(fmt.Sprintf("body %d", i)))
		for {
			st, err := n.s.Status(id)
			if err != nil {
				t.Fatal(err)
			}
			if st.Unackdata == 0 {
				break
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("round %d: %d DATA chunks still unacknowledged after 5 s", i, st.Unackdata)
			}
			time.Sleep(50 * time.Microsecond)
		}
		waits[i] = time.Since(start)
	}
	sorted := slices.Clone(waits)
	slices.Sort(sorted)
	t.Logf("both acknowledged after: median %v, max %v (%d rounds)", sorted[rounds/2], sorted[rounds-1], rounds)
	if sorted[rounds-1] > nagleStall {
		t.Errorf("a round waited %v for its SACKs: a Nagle stall (all rounds: %v)", sorted[rounds-1], waits)
	}
}

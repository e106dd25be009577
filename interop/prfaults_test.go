//go:build linux

package interop

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/pcap"
	"github.com/gensctp/gensctp/udpencap"
)

// prFaults is the lossy path of the partial reliability runs, a udpencap
// fault hook on our node's UDP socket (api.Socket.SetUDPHook): while on,
// it drops a seeded share of the datagrams that carry DATA in one
// direction (the data's: In when the peer sends, Out when we do), as a
// lossy path would, so that the sender's policy abandons messages and
// FORWARD TSN must flow. It counts the FORWARD TSN chunks we sent (those
// then dropped included) and those that reached us, and the RE-CONFIG
// chunks that passed each way, on the wire, independent of our
// association's counters; and it holds back for a moment the first
// SHUTDOWN or SHUTDOWN ACK we send, so that the test reads the
// association's counters (gone once it ends) after all its data and
// FORWARD TSNs and before its end.
//
// That moment is ours, not the peer's: the hook sees a datagram that
// reaches us when the socket reads it, before the association processed
// it or those read with it or queued before it; the peer's SHUTDOWN at
// the hook says nothing of the FORWARD TSN just before it, and a test
// that read the counters then found one FORWARD TSN fewer than the wire
// under load. Our SHUTDOWN ACK goes out only once the association
// processed the peer's SHUTDOWN, and so everything the peer sent before
// it (an association processes its datagrams in the order read); our
// SHUTDOWN goes out once the peer acknowledged all our data, after every
// FORWARD TSN we sent (counted when produced, written in order).
type prFaults struct {
	dir      udpencap.Direction
	permille int
	on       atomic.Bool

	mu        sync.Mutex // guards what follows
	rnd       *rand.Rand
	dropped   int
	forwards  [2]int // FORWARD TSN chunks we sent (Out), that reached us (In)
	reconfigs [2]int // RE-CONFIG chunks passed, by Direction
	shutdown  chan struct{}
	held      bool
	// frozen: the first SHUTDOWN passed (either way); fwdBefore are the
	// forwards then, those the counters count.
	frozen    bool
	fwdBefore [2]int
}

// shutdownHold is how long prFaults holds our first SHUTDOWN or SHUTDOWN
// ACK back: far shorter than any retransmission timer of the peer's
// SHUTDOWN or our own (RTO.Min is 1 s in usrsctp, pion/sctp and gensctp),
// long enough to read the counters.
const shutdownHold = 300 * time.Millisecond

// newPRFaults installs a prFaults dropping permille of the DATA datagrams
// in direction dir on n's UDP socket, off until the test sets on; the
// hook goes when the test ends.
func newPRFaults(t *testing.T, n *node, dir udpencap.Direction, permille int, seed uint64) *prFaults {
	t.Helper()
	f := &prFaults{dir: dir, permille: permille, rnd: rand.New(rand.NewPCG(seed, 3)), shutdown: make(chan struct{})}
	if err := n.s.SetUDPHook(f.hook); err != nil {
		t.Fatalf("SetUDPHook: %v", err)
	}
	t.Cleanup(func() { _ = n.s.SetUDPHook(nil) })
	return f
}

// hook is the udpencap.Hook.
func (f *prFaults) hook(dir udpencap.Direction, _, _ netip.AddrPort, b []byte) udpencap.Verdict {
	var data, shutdown bool
	var forwards, reconfigs int
	for off := packet.HeaderLen; off+4 <= len(b); {
		n := int(binary.BigEndian.Uint16(b[off+2:]))
		if n < 4 {
			break
		}
		switch chunk.Type(b[off]) {
		case chunk.TypeData:
			data = true
		case chunk.TypeForwardTSN:
			forwards++
		case chunk.TypeReConfig:
			reconfigs++
		case chunk.TypeShutdown, chunk.TypeShutdownAck:
			shutdown = true
		}
		off += (n + 3) &^ 3
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if data && dir == f.dir && f.on.Load() && f.rnd.IntN(1000) < f.permille {
		f.dropped++
		if dir == udpencap.Out {
			f.forwards[dir] += forwards // sent, lost on the way
		}
		return udpencap.Drop
	}
	f.forwards[dir] += forwards
	f.reconfigs[dir] += reconfigs
	if shutdown && !f.frozen {
		f.frozen, f.fwdBefore = true, f.forwards
	}
	if shutdown && dir == udpencap.Out && !f.held {
		f.held = true
		close(f.shutdown)
		return udpencap.Delay(shutdownHold)
	}
	return udpencap.Pass
}

// wire returns the datagrams dropped so far, and the FORWARD TSN chunks
// that reached us and those we sent before the association's first
// SHUTDOWN (ours or the peer's): those the counters read while the hook
// held our SHUTDOWN or SHUTDOWN ACK back count (our association takes no
// FORWARD TSN after the peer's SHUTDOWN, as it takes no DATA then).
func (f *prFaults) wire() (dropped, fwdIn, fwdOut int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropped, f.fwdBefore[udpencap.In], f.fwdBefore[udpencap.Out]
}

// reconfigsSeen returns the RE-CONFIG chunks that passed in and out.
func (f *prFaults) reconfigsSeen() (in, out int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reconfigs[udpencap.In], f.reconfigs[udpencap.Out]
}

// prCounters are our association's partial reliability counters, read
// while our first SHUTDOWN or SHUTDOWN ACK is held back.
type prCounters struct {
	pr    api.PrStatus
	stats api.AssocStats
}

// countersAtShutdown waits until our first SHUTDOWN or SHUTDOWN ACK of
// the association reached the hook, and reads the association's counters
// while the hook holds it back.
func (f *prFaults) countersAtShutdown(ctx context.Context, t *testing.T, n *node, id api.AssocID) prCounters {
	t.Helper()
	select {
	case <-f.shutdown:
	case <-ctx.Done():
		t.Fatalf("no SHUTDOWN: %v; events: %s", ctx.Err(), n.eventSummary())
	}
	pr, err := n.s.PrStatus(id)
	if err != nil {
		t.Fatalf("PrStatus: %v", err)
	}
	return prCounters{pr: pr, stats: n.stats(id)}
}

// ourCapture returns the option that records our socket's packets (api.Capture)
// in a pcap file of the test's, and the capture to decode once the socket
// is closed (Close flushes the file). It needs tshark.
func ourCapture(t *testing.T) (api.Option, *capture) {
	t.Helper()
	c := &capture{tshark: needTool(t, "tshark", "tshark"), file: filepath.Join(t.TempDir(), "ours.pcap")}
	f, err := os.Create(c.file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	w, err := pcap.NewWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	return api.Capture(w), c
}

// pionHeartbeat is the tshark display filter of pion's HEARTBEAT sent to
// our UDP port %d: pion/sctp sends it without its Heartbeat Info, a lone
// 4-byte chunk that tshark calls malformed (TestPionHeartbeatWithoutInfo),
// and does so whenever its PTO timer finds nothing in flight, a matter of
// timing.
const pionHeartbeat = "(udp.dstport == %d && sctp.chunk_type == 4 && sctp.chunk_length == 4 && frame.len == 44)"

// checkPRCapture decodes our capture of a run with the peer on UDP port
// peerUDP: no malformed packet (but pion's HEARTBEAT, pionHeartbeat),
// every CRC32c right, and at least one chunk of each of types (192
// FORWARD TSN, 130 RE-CONFIG, ...). It logs the chunks by type.
func checkPRCapture(t *testing.T, c *capture, peerUDP int, types ...string) {
	t.Helper()
	pionHB := fmt.Sprintf(pionHeartbeat, peerUDP)
	if out := c.decode(t, peerUDP, "(_ws.malformed && !"+pionHB+") || (sctp && sctp.checksum.status != 1)",
		"-o", "sctp.ulp_dissection:FALSE", "-o", "sctp.checksum:CRC 32c"); out != "" {
		t.Errorf("tshark finds malformed packets or bad checksums:\n%s", tail(out))
	}
	if out := c.decode(t, peerUDP, pionHB, "-o", "sctp.ulp_dissection:FALSE"); out != "" {
		t.Logf("pion's HEARTBEATs without Heartbeat Info, which tshark calls malformed:\n%s", tail(out))
	}
	seen := map[string]int{}
	out := c.decode(t, peerUDP, "sctp", "-o", "sctp.ulp_dissection:FALSE", "-T", "fields", "-e", "sctp.chunk_type")
	for _, line := range strings.Fields(out) {
		for _, typ := range strings.Split(line, ",") {
			seen[typ]++
		}
	}
	t.Logf("tshark: chunks by type in our capture: %v", seen)
	for _, typ := range types {
		if seen[typ] == 0 {
			t.Errorf("tshark finds no chunk of type %s in the capture", typ)
		}
	}
}

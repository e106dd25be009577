//go:build linux

package interop

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/pion/sctp"
)

// pion/sctp v1.12.1 negotiates user message interleaving (I-DATA, RFC
// 8260) with WithEnableInterleaving. pion client → gensctp echo server,
// both offering it: a 60 KiB message and small ones on other streams come
// back intact and in order per stream; our capture shows I-DATA chunks
// both ways (type 64) and no DATA chunk (RFC 8260 Section 2.2.1), and
// tshark decodes it without a malformed packet.
func TestPionInterleavingClient(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	capOpt, capFile := ourCapture(t)
	n := newPionNode(t, udpPort(), api.SCTPInterleavingSupported(true), capOpt)
	n.listen()
	n.serveEcho()
	a := pionClient(ctx, t, n, sctp.WithEnableInterleaving(true))
	id := n.accepted(ctx)
	if on, err := api.GetOpt[bool](n.s, api.OptionQuery{Name: "sctp_interleaving_supported", AssocID: id}); err != nil || !on {
		t.Fatalf("I-DATA not negotiated with pion: %v %v", on, err)
	}
	var streams [pionStreams]*sctp.Stream
	for i := range streams {
		s, err := a.OpenStream(uint16(i), sctp.PayloadTypeWebRTCBinary)
		if err != nil {
			t.Fatal(err)
		}
		streams[i] = s
	}
	want := make([][][]byte, pionStreams)
	want[0] = [][]byte{bytes.Repeat([]byte("L"), 60<<10)}
	for k := range 40 {
		want[1+k%2] = append(want[1+k%2], bytes.Repeat([]byte{byte(k)}, 100))
	}
	errs := make(chan error, pionStreams)
	for i, s := range streams {
		go func() { errs <- readEchoes(s, want[i]) }()
	}
	for i, ms := range want {
		for _, m := range ms {
			if _, err := streams[i].WriteSCTP(m, sctp.PayloadTypeWebRTCBinary); err != nil {
				t.Fatalf("pion write: %v", err)
			}
		}
	}
	pionReadersThenShutdown(ctx, t, errs, len(streams), a, n, id)
	port := int(n.addr().Port())
	_ = n.s.Close() // flushes the capture
	checkIDataCapture(t, capFile, port)
}

// gensctp client → pion echo server, both offering I-DATA: the same
// messages come back, and the association negotiated I-DATA.
func TestPionInterleavingServer(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	pionUDP := udpPort()
	capOpt, capFile := ourCapture(t)
	n := newPionNode(t, pionUDP, api.SCTPInterleavingSupported(true), capOpt)
	a, id := pionServer(ctx, t, n, pionUDP, sctp.WithEnableInterleaving(true))
	errs := make(chan error, 16)
	go pionEcho(a, errs)
	if on, err := api.GetOpt[bool](n.s, api.OptionQuery{Name: "sctp_interleaving_supported", AssocID: id}); err != nil || !on {
		t.Fatalf("I-DATA not negotiated with pion: %v %v", on, err)
	}
	large := bytes.Repeat([]byte("L"), 60<<10)
	n.send(ctx, id, 0, uint32(sctp.PayloadTypeWebRTCBinary), large)
	for k := range 20 {
		n.send(ctx, id, 1, uint32(sctp.PayloadTypeWebRTCBinary), bytes.Repeat([]byte{byte(k)}, 100))
	}
	n.wait(ctx, "the echoes", func() bool { return len(n.msgs) >= 21 })
	small := 0
	for _, g := range n.received() {
		switch {
		case g.stream == 0 && bytes.Equal(g.data, large):
		case g.stream == 1 && bytes.Equal(g.data, bytes.Repeat([]byte{byte(small)}, 100)):
			small++
		default:
			t.Fatalf("unexpected echo on stream %d: %d bytes", g.stream, len(g.data))
		}
	}
	n.shutdown(id)
	n.waitState(ctx, id, api.ShutdownComp)
	port := int(n.addr().Port())
	_ = n.s.Close()
	checkIDataCapture(t, capFile, port)
}

// checkIDataCapture decodes our capture of a run on our UDP port: no
// malformed packet (but pion's HEARTBEAT without Heartbeat Info, see
// pionHeartbeat), I-DATA chunks (64) and no DATA chunk (0).
func checkIDataCapture(t *testing.T, c *capture, port int) {
	t.Helper()
	const pionHB = "(sctp.chunk_type == 4 && sctp.chunk_length == 4)"
	if out := c.decode(t, port, "(_ws.malformed && !"+pionHB+") || (sctp && sctp.checksum.status != 1) || sctp.chunk_type == 0",
		"-o", "sctp.ulp_dissection:FALSE", "-o", "sctp.checksum:CRC 32c"); out != "" {
		t.Errorf("tshark finds malformed packets, bad checksums or DATA chunks:\n%s", tail(out))
	}
	if out := c.decode(t, port, "sctp.chunk_type == 64", "-o", "sctp.ulp_dissection:FALSE"); out == "" {
		t.Errorf("tshark finds no I-DATA chunk in the capture")
	}
}

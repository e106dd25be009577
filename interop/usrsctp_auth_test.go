//go:build linux

package interop

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/chunk"
)

// authOpts ask the peer to authenticate DATA and SACK (RFC 4895 Section
// 3.2, SCTP_AUTH_CHUNK) and authenticate ours whether or not it asks
// (Section 6.2), so that usrsctp verifies our HMACs too: it drops a
// packet whose AUTH chunk does not verify.
func authOpts() []api.Option {
	var opts []api.Option
	for _, t := range []chunk.Type{chunk.TypeData, chunk.TypeSACK} {
		opts = append(opts, api.SCTPAuthChunk(uint8(t)), api.SCTPAuthSendChunk(uint8(t)))
	}
	return opts
}

// checkPeerAuthChunks checks that usrsctp negotiated AUTH with its list:
// ASCONF and ASCONF-ACK (RFC 5061 Section 4.1; usrsctp lists them while
// ASCONF is on, its default).
func checkPeerAuthChunks(t *testing.T, n *node, id api.AssocID) {
	t.Helper()
	peer, err := api.GetOpt[api.AuthChunks](n.s, api.OptionQuery{Name: "sctp_peer_auth_chunks", AssocID: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []chunk.Type{chunk.TypeASCONF, chunk.TypeASCONFAck} {
		if !slices.Contains(peer.Chunks, uint8(want)) {
			t.Errorf("usrsctp's CHUNKS %v, want %v in it", peer.Chunks, want)
		}
	}
}

// checkAuthCapture decodes c (SCTP on UDP port port) and checks RFC 4895
// Section 6.2 on both sides' packets: every packet with DATA or SACK has
// an AUTH chunk right before the first of them; and that tshark finds no
// malformed packet and no bad checksum.
func checkAuthCapture(t *testing.T, c *capture, port int) {
	t.Helper()
	authed := map[string]int{}
	for _, pkt := range c.chunkTypes(t, port, "udp.srcport") {
		src, types := pkt.src, pkt.types
		i := slices.IndexFunc(types, func(s string) bool { return s == "0" || s == "3" })
		if i < 0 {
			continue
		}
		if i == 0 || types[i-1] != "15" {
			t.Errorf("a packet from UDP port %s with chunks %v: no AUTH chunk right before its DATA or SACK", src, types)
			continue
		}
		authed[src]++
	}
	t.Logf("packets with AUTH before DATA or SACK, by UDP source port: %v", authed)
	if len(authed) != 2 {
		t.Errorf("AUTH chunks from %d sides, want both", len(authed))
	}
	c.checkNoMalformed(t, port)
}

// gensctp client → usrsctp echo_server with AUTH (issue 15 point 5): both
// offer it in INIT and INIT ACK; usrsctp authenticates its DATA and SACK
// as we asked, we ours, and the echoes come back intact (usrsctp discards
// a packet whose HMAC it cannot verify, we discard DATA without a valid
// AUTH chunk); usrsctp's own list (ASCONF, ASCONF-ACK) is what we read;
// our graceful shutdown completes: usrsctp kept the association.
func TestUsrsctpAuthEchoServer(t *testing.T) {
	needNetns(t)
	prog := usrsctpProgram(t, "echo_server")
	c := startCapture(t, 40*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	peerUDP := udpPort()
	t.Setenv("GENSCTP_UDP_NOGSO", "1") // one SCTP packet per captured datagram (TestCaptureNoMalformed)
	n := newNode(t, udpPort(), 40007, append(authOpts(), api.RemoteUDPPort(peerUDP))...)
	startPeer(t, 30*time.Second, prog, strconv.Itoa(peerUDP), strconv.Itoa(n.s.UDPPort()))
	waitUDPBound(t, peerUDP, 5*time.Second)
	id := n.connectListening(ctx, 7)
	checkPeerAuthChunks(t, n, id)
	start := time.Now()
	r := rand.New(rand.NewPCG(testSeed(t), 0))
	sent := make([][]byte, 50)
	for i := range sent {
		sent[i] = randomMessage(r, 1+r.IntN(usrsctpEchoBuffer)) // echoed whole
		n.send(ctx, id, uint16(i%echoStreams), uint32(i), sent[i])
	}
	if err := n.waitErr(ctx, "50 echoes", func() bool { return len(n.msgs) >= len(sent) }); err != nil {
		c.stop(t)
		t.Log(c.decode(t, peerUDP, "sctp", "-T", "fields", "-e", "frame.time_relative", "-e", "udp.srcport", "-e", "sctp.chunk_type"))
		t.Fatal(err)
	}
	checkEchoes(t, sent, n.received())
	st := n.stats(id)
	t.Logf("%d echoes in %v; our side: %d retransmissions, %d T3 expirations", len(sent), time.Since(start),
		st.Retransmissions, st.T3Expirations)
	n.shutdown(id)
	n.waitState(ctx, id, api.ShutdownComp)
	c.stop(t)
	checkAuthCapture(t, c, peerUDP)
}

// usrsctp's client → gensctp echo server with AUTH: usrsctp's INIT and
// our INIT ACK offer it, the association comes up from a COOKIE ECHO
// whose cookie carries both key vectors (RFC 4895 Section 6.3), and the
// lines the client types come back, its DATA authenticated as we asked
// and ours as we chose; then its shutdown completes.
func TestUsrsctpAuthClient(t *testing.T) {
	needNetns(t)
	prog := usrsctpProgram(t, "client")
	c := startCapture(t, 40*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	t.Setenv("GENSCTP_UDP_NOGSO", "1")
	ourUDP, peerUDP := udpPort(), udpPort()
	n := newNode(t, ourUDP, 7, authOpts()...)
	n.listen()
	n.serveEcho()
	p := startPeerStdin(t, 20*time.Second, prog, "127.0.0.1", "7", "0", strconv.Itoa(peerUDP), strconv.Itoa(ourUDP))
	id := n.accepted(ctx)
	waitOutput(ctx, t, p, "client: SCTP_COMM_UP", func(l string) bool { return strings.Contains(l, "SCTP_COMM_UP") })
	checkPeerAuthChunks(t, n, id)
	typeLines(ctx, t, p, []string{"authenticated", "a second line", strings.Repeat("y", 70)})
	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	n.waitState(ctx, id, api.ShutdownComp)
	waitExit(ctx, t, p, "client exit")
	c.stop(t)
	checkAuthCapture(t, c, peerUDP)
}

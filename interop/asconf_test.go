//go:build linux

package interop

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
)

// ASCONF between two gensctp processes over real sockets (issue 15 point
// 5): this test's socket, bound to 127.0.0.1, sends to `sctp perf -asconf`
// (a receiver), adds 127.0.0.2 halfway (BindxAdd), asks the server to make
// it primary and deletes 127.0.0.1, then ends the association. The server
// counts every message; the capture holds our ASCONF chunks and its
// ASCONF-ACKs, each right after an AUTH chunk (RFC 5061 Section 4.1.1),
// packets from 127.0.0.2, and nothing tshark finds malformed.
func TestASCONFBetweenProcesses(t *testing.T) {
	needNetns(t)
	sctpBinary(t) // build before the clock starts
	c := startCapture(t, 40*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t.Setenv("GENSCTP_UDP_NOGSO", "1") // one SCTP packet per captured datagram (TestCaptureNoMalformed)
	ourUDP, srvUDP := udpPort(), udpPort()
	srv := ourPerf(t, 30*time.Second, "-E", strconv.Itoa(srvUDP), "-p", "5021", "-L", "127.0.0.1", "-asconf")
	waitListening(ctx, t, srv)
	s, err := api.Open(api.IP(loopback), api.LocalUDPPort(ourUDP), api.RemoteUDPPort(srvUDP),
		api.SCTPAsconfSupported(true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ac, err := s.Connect(ctx, loopback, 5021)
	if err != nil {
		t.Fatal(err)
	}
	if on, err := api.GetOpt[bool](s, api.OptionQuery{Name: "sctp_asconf_supported", AssocID: ac.AssocID}); err != nil || !on {
		t.Fatalf("ASCONF not negotiated with sctp perf -asconf: %v %v", on, err)
	}
	lo2 := netip.MustParseAddr("127.0.0.2")
	const n, length = 400, 1000
	msg := make([]byte, length)
	for i := range n {
		if i == n/2 {
			if err := s.BindxAdd(lo2); err != nil {
				t.Fatal(err)
			}
			if err := s.SetOpts(api.SCTPSetPeerPrimaryAddr(api.SetPeerPrim{AssocID: ac.AssocID,
				Addr: netip.AddrPortFrom(lo2, 0)})); err != nil {
				t.Fatal(err)
			}
			if err := s.BindxRemove(loopback); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Send(ac.AssocID, 0, msg); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Eof(ac.AssocID); err != nil {
		t.Fatal(err)
	}
	sum, err := parseServerSummary(waitOutput(ctx, t, srv, "gensctp perf server summary", isServerSummary))
	if err != nil {
		t.Fatal(err)
	}
	if sum.msgs != n || sum.bytes != n*length {
		t.Errorf("the server received %d messages, %d bytes; sent %d, %d", sum.msgs, sum.bytes, n, n*length)
	}
	c.stop(t)
	checkASCONFCapture(t, c, srvUDP)
}

// checkASCONFCapture decodes c (SCTP on UDP port port) and checks that it
// holds ASCONF and ASCONF-ACK chunks, each right after an AUTH chunk,
// packets from 127.0.0.2, and no malformed packet nor bad checksum.
func checkASCONFCapture(t *testing.T, c *capture, port int) {
	t.Helper()
	count := map[string]int{}
	for _, pkt := range c.chunkTypes(t, port, "ip.src") {
		src, types := pkt.src, pkt.types
		if src == "127.0.0.2" {
			count["from 127.0.0.2"]++
		}
		for i, ty := range types {
			if ty != "193" && ty != "128" { // ASCONF, ASCONF-ACK
				continue
			}
			count[ty]++
			if !slices.Contains(types[:i], "15") {
				t.Errorf("a packet from %s with chunks %v: no AUTH chunk before its ASCONF or ASCONF-ACK", src, types)
			}
		}
	}
	t.Logf("ASCONF (193), ASCONF-ACK (128), packets from 127.0.0.2: %v", count)
	if count["193"] == 0 || count["128"] == 0 || count["from 127.0.0.2"] == 0 {
		t.Errorf("the capture lacks ASCONF, ASCONF-ACK or packets from 127.0.0.2: %v", count)
	}
	c.checkNoMalformed(t, port)
}

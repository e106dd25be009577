//go:build linux

package interop

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/pcap"
)

// pion/sctp v1.12.1 sends its HEARTBEAT (Association.ActiveHeartbeat,
// and the one its PTO timer sends for an RTT probe when nothing is in
// flight) without its Heartbeat Info parameter: chunkHeartbeat defines
// Marshal, not the marshal of pion's chunk interface, so the packet
// marshals the embedded chunk header alone, a HEARTBEAT chunk of length
// 4 in a 16-byte packet with a valid CRC32c. tshark calls it malformed
// (RFC 9260 Section 3.3.5: the Heartbeat Info TLV is mandatory), and we
// do not answer it (there is no information to echo back). Our capture
// records it as pion sent it; checkPRCapture knows it as pion's, and the
// association goes on.
func TestPionHeartbeatWithoutInfo(t *testing.T) {
	needNetns(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	capOpt, capFile := ourCapture(t)
	n := newNodeOn(t, []api.Option{api.LocalUDPPort(udpPort()), api.Port(pionPort), api.RemoteUDPPort(udpPort()), capOpt})
	n.listen()
	a := pionClient(ctx, t, n)
	id := n.accepted(ctx)
	a.ActiveHeartbeat()
	shut := make(chan error, 1)
	go func() { shut <- a.Shutdown(ctx) }()
	n.waitState(ctx, id, api.ShutdownComp)
	if err := <-shut; err != nil {
		t.Errorf("pion shutdown: %v", err)
	}
	_ = n.s.Close() // flushes the capture
	checkPRCapture(t, capFile, int(n.addr().Port()), "4")

	pkts, err := pcap.ReadFile(capFile.file)
	if err != nil {
		t.Fatal(err)
	}
	var heartbeats, acks int
	for _, p := range pkts {
		if len(p.Payload) < packet.HeaderLen+4 {
			continue
		}
		switch chunk.Type(p.Payload[packet.HeaderLen]) {
		case chunk.TypeHeartbeat:
			heartbeats++
			size := binary.BigEndian.Uint16(p.Payload[packet.HeaderLen+2:])
			if int(p.DstPort) != int(n.addr().Port()) || len(p.Payload) != 16 || size != 4 {
				t.Errorf("HEARTBEAT to UDP port %d, a %d-byte packet, chunk length %d: want pion's to us, 16 bytes, length 4",
					p.DstPort, len(p.Payload), size)
			}
			if _, err := packet.Parse(p.Payload, packet.Options{}); err != nil {
				t.Errorf("pion's HEARTBEAT packet: %v (want a valid CRC32c)", err)
			}
		case chunk.TypeHeartbeatAck:
			acks++
		}
	}
	if heartbeats != 1 || acks != 0 {
		t.Errorf("%d HEARTBEATs, %d HEARTBEAT ACKs captured: want pion's one, unanswered", heartbeats, acks)
	}
}

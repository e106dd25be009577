//go:build linux

package interop

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/api"
	"github.com/pion/sctp"
)

// pion sends 100-byte messages as fast as it can to a gensctp user that
// reads more slowly, over a lossy path (a proxy drops, duplicates and
// delays a few percent of the datagrams once the association is up):
// every message arrives, once and in order, at about the reader's pace.
// Our receiver advertises the window that chunks of the size arriving
// fill its buffer with (each 100-byte chunk costs 356 bytes of it), pion
// keeps within it (RFC 9260 Section 6.1 rule A), and the room our
// receiver keeps for the holes takes pion's retransmissions without
// reneging on what pion saw acknowledged: pion/sctp v1.12.1 never sends a
// chunk again once a Gap Ack Block reported it (it frees its data,
// payloadQueue.markAsAcked), so a renege would lose it for good.
func TestPionSmallMessagesToSlowReader(t *testing.T) {
	needNetns(t)
	const count, size, rbuf = 20000, 100, 64 << 10
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seed := testSeed(t)
	pionUDP, near, far := udpPort(), udpPort(), udpPort()
	proxy := startLossyProxy(t, near, far, pionUDP, seed)
	n := newNodeOn(t, []api.Option{api.LocalUDPPort(udpPort()), api.Port(pionPort), api.RemoteUDPPort(near),
		api.Recbuf(rbuf)})
	read := 0
	n.mu.Lock()
	n.pace = func() { // 16 messages a millisecond at most
		if read++; read%16 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	n.mu.Unlock()
	a, id := pionServerVia(ctx, t, n, pionUDP, far)
	s, err := a.OpenStream(0, sctp.PayloadTypeWebRTCBinary)
	if err != nil {
		t.Fatal(err)
	}
	proxy.on.Store(true)
	start := time.Now()
	for i := range count {
		if _, err := s.WriteSCTP(pionNumbered(i, size), sctp.PayloadTypeWebRTCBinary); err != nil {
			t.Fatalf("pion write %d: %v", i, err)
		}
	}
	n.wait(ctx, fmt.Sprintf("%d messages", count), func() bool { return len(n.msgs) >= count })
	elapsed := time.Since(start)
	proxy.on.Store(false)
	for i, m := range n.received() {
		if i >= count || !bytes.Equal(m.data, pionNumbered(i, size)) {
			t.Fatalf("message %d of %d: %d bytes, not the one sent", i, count, len(m.data))
		}
	}
	st := n.stats(id)
	t.Logf("%d messages of %d bytes in %v (%.1f MB/s); our side: %d duplicate TSNs received, %d SACKs sent",
		count, size, elapsed, float64(count*size)/elapsed.Seconds()/1e6, st.DuplicateTSNs, st.SACKsSent)
}

// pionNumbered returns message i of size bytes: i in its first four
// bytes, then a pattern of i.
func pionNumbered(i, size int) []byte {
	b := bytes.Repeat([]byte{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24)}, size/4+1)
	return b[:size]
}

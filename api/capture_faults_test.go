package api

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"sync"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/pcap"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// wireLog is a udpencap hook that drops every other datagram carrying
// DATA that the socket receives, among the first 40, and keeps a copy of each datagram it lets
// through, by direction: what the socket really received and sent.
type wireLog struct {
	mu    sync.Mutex
	n     int
	inOut [2][][]byte // by udpencap.Direction
}

func (l *wireLog) hook(dir udpencap.Direction, _, _ netip.AddrPort, b []byte) udpencap.Verdict {
	l.mu.Lock()
	defer l.mu.Unlock()
	if dir == udpencap.In && len(b) > packet.HeaderLen && chunk.Type(b[packet.HeaderLen]) == chunk.TypeData {
		l.n++
		if l.n%2 == 0 && l.n < 40 {
			return udpencap.Drop
		}
	}
	l.inOut[dir] = append(l.inOut[dir], bytes.Clone(b))
	return udpencap.Pass
}

// A capture under a fault hook that drops received datagrams records
// every packet exactly as it was received or sent: each one parses with
// a valid CRC32c, and the capture's packets each way are, in order, the
// datagrams the hook let through that way, but for those the capture
// counts as dropped (a slow writer, pcap.Writer.Dropped).
func TestCaptureUnderDroppingHook(t *testing.T) {
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf)
	require.NoError(t, err)
	srv := server(t, Capture(w))
	var l wireLog
	require.NoError(t, srv.SetUDPHook(l.hook))
	c := clientOf(t, srv)
	ac := connect(t, c, srv)
	up := recvEvent[*AssocChange](t, srv)
	const msgs = 300
	for i := range msgs {
		m := make([]byte, 16+(i%7)*150)
		binary.BigEndian.PutUint32(m, uint32(i))
		require.NoError(t, c.Send(ac.AssocID, 0, m))
	}
	for i := range msgs {
		d := recvData(t, srv)
		require.Equal(t, uint32(i), binary.BigEndian.Uint32(d.Data), "message %d", i)
	}
	require.NoError(t, srv.Eof(up.AssocID))
	recvState(t, srv, ShutdownComp)
	require.NoError(t, srv.SetUDPHook(nil))
	require.NoError(t, srv.Close())
	require.NoError(t, w.Err())

	pkts, err := pcap.Parse(buf.Bytes())
	require.NoError(t, err)
	var got [2][][]byte
	for i, p := range pkts {
		_, err := packet.Parse(p.Payload, packet.Options{})
		require.NoError(t, err, "captured packet %d: % x", i+1, p.Payload)
		dir := udpencap.In
		if int(p.SrcPort) == srv.UDPPort() {
			dir = udpencap.Out
		}
		got[dir] = append(got[dir], p.Payload)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// The capture may leave packets out when its Writer's goroutine falls
	// behind (a loaded machine): each is counted (Dropped), and what it
	// kept is, in order, what the hook let through.
	missing := 0
	for _, dir := range []udpencap.Direction{udpencap.In, udpencap.Out} {
		want := l.inOut[dir]
		j := 0
		for i, p := range got[dir] {
			for j < len(want) && !bytes.Equal(want[j], p) {
				j++
				missing++
			}
			require.Less(t, j, len(want), "captured packet %d, direction %v, is not among the datagrams the hook let through, in order", i+1, dir)
			j++
		}
		missing += len(want) - j
	}
	require.Equal(t, int(w.Dropped()), missing, "packets left out of the capture against those it counts as dropped")
	t.Logf("%d packets in, %d out, %d dropped by the capture", len(got[udpencap.In]), len(got[udpencap.Out]), w.Dropped())
}

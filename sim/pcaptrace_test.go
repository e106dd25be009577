package sim

import (
	"bytes"
	"testing"
	"time"

	"github.com/gensctp/gensctp/pcap"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// The capture holds the datagrams of its kind, with their virtual times,
// addresses and bytes, in a file package pcap reads back; a datagram
// across address families is counted as skipped.
func TestPcapTrace(t *testing.T) {
	for _, at := range []EventKind{EventSent, EventDelivered} {
		var buf bytes.Buffer
		c, err := NewPcapTrace(&buf, at)
		require.NoError(t, err)
		n := New(1)
		n.SetTrace(c.Hook)
		require.NoError(t, n.SetDefault(LinkConfig{Delay: 10 * time.Millisecond}))
		require.NoError(t, n.SetLink(addrB, addrA, LinkConfig{Down: true}))
		n.Send(timer.Time(time.Second), addrA, addrB, payload(1, 40))
		n.Send(timer.Time(time.Second), addrB, addrA, payload(2, 40)) // lost: link down
		n.Send(timer.Time(time.Second), addrA, addrC, payload(3, 40)) // IPv4 to IPv6
		drainAll(t, n)
		require.NoError(t, c.Close())
		pkts, err := pcap.Parse(buf.Bytes())
		require.NoError(t, err)
		want, when := []uint64{1, 2}, time.Second
		if at == EventDelivered {
			want, when = []uint64{1}, time.Second+10*time.Millisecond
		}
		require.Len(t, pkts, len(want), "%v", at)
		for i, p := range pkts {
			require.Equal(t, want[i], idOf(Datagram{Data: p.Payload}))
		}
		require.Equal(t, time.Unix(0, int64(when)).UTC(), pkts[0].Timestamp.UTC())
		require.Equal(t, addrA.Addr(), pkts[0].Src)
		require.Equal(t, addrB.Port(), pkts[0].DstPort)
		require.Equal(t, 1, c.Skipped)
	}
}

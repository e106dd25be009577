package association_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// On a path whose MTU is not a multiple of 4 (1163, the default over
// DTLS), a message that fills a DATA chunk of the largest size goes out:
// the chunk's padding counts (RFC 9260 Section 3.2). Before, a message of
// 1133 to 1135 bytes was held for a packet of its own that could never
// hold it, and the association sent nothing more.
func TestOddMTUFullChunk(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(5)
	cfgA.MTU, cfgZ.MTU = 1163, 1163
	p, c := newScenarioPair(t, 5, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	require.Equal(t, 1132, p.A.Status().FragmentationPoint)
	for _, n := range []int{1131, 1132, 1133, 1134, 1135, 1136, 3000} {
		msg := make([]byte, n)
		msg[n-1] = byte(n)
		require.Equal(t, msg, sendAndDeliver(t, p, msg).Data, "%d bytes", n)
	}
	for _, s := range c.pkts {
		require.LessOrEqual(t, len(s.pkt.Bytes()), 1163)
	}
	p.Run(time.Second)
	require.Zero(t, p.A.Stats().Retransmissions)
}

package stack

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// The counters of a stack sum those of its shards' Muxes, and those of
// an Endpoint those of its endpoint on each shard: out-of-the-blue
// packets from many source ports with many tags (spread over 4 shards) for the
// endpoint's port count at both, those for a port without an endpoint at
// the stack only.
func TestCountersSumShards(t *testing.T) {
	srv, cli := shardedStack(t, 4), shardedStack(t, 1)
	ep, err := srv.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	to := srv.LocalAddrs()[0]
	const n = 32
	for i := range n {
		for _, port := range []uint16{7, 8} {
			var b packet.Builder
			b.Reset(nil, packet.Header{SrcPort: uint16(1000 + i), DstPort: port, VerificationTag: chunk.VerificationTag(1000003 * (i + 1))}, 1<<16)
			b.Add(&chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 1, UserData: []byte("x")})
			require.NoError(t, cli.Conn().WriteTo(b.Finish(), to, loopback))
		}
	}
	var stackOOTB, portOOTB uint64
	require.Eventually(t, func() bool {
		require.NoError(t, srv.Do(func(timer.Time) error {
			c, e := srv.Counters(), ep.Counters()
			stackOOTB, portOOTB = c.OutOfTheBlue(), e.OutOfTheBlue()
			return nil
		}))
		return stackOOTB == 2*n
	}, 10*time.Second, time.Millisecond)
	require.Equal(t, uint64(n), portOOTB)
	shards := 0
	require.NoError(t, srv.Do(func(timer.Time) error {
		for _, x := range ep.all() {
			if c := x.Counters(); c.PacketsIn > 0 {
				shards++
			}
		}
		return nil
	}))
	require.Greater(t, shards, 1, "spread over the shards")
}

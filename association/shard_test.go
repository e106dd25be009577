package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// Config.Validate accepts a shard index below the count, up to MaxShards,
// and the zero value.
func TestConfigShardValidate(t *testing.T) {
	base := associationtest.Config(1, 5000, 5001).WithDefaults()
	for _, s := range []association.Shard{{}, {Index: 0, Count: 1}, {Index: 3, Count: 4},
		{Index: association.MaxShards - 1, Count: association.MaxShards}} {
		c := base
		c.Shard = s
		require.NoError(t, c.Validate(), "%+v", s)
	}
	for _, s := range []association.Shard{{Index: 1}, {Index: -1, Count: 2}, {Index: 2, Count: 2},
		{Count: -1}, {Count: association.MaxShards + 1}} {
		c := base
		c.Shard = s
		require.ErrorIs(t, c.Validate(), association.ErrInvalidConfig, "%+v", s)
	}
}

// inShard reports whether tag is a tag of shard s.
func inShard(tag chunk.VerificationTag, s association.Shard) bool {
	return tag != 0 && int(uint32(tag)%uint32(s.Count)) == s.Index
}

// Every local tag of a sharded association is in its shard's class: the
// Initiate Tag of the INIT (A), of the INIT ACK of the Acceptor (Z), and
// the new tag Z hands a restarting peer in its INIT ACK (RFC 9260 Section
// 5.2.2), even after Reconfigure with a configuration that has no shard.
func TestShardTagsOfHandshakeAndRestart(t *testing.T) {
	const seed = 70
	sa, sz := association.Shard{Index: 2, Count: 3}, association.Shard{Index: 4, Count: 7}
	for k := range uint64(20) {
		cfgA, cfgZ := scenarioConfigs(seed + k)
		cfgA.Shard, cfgZ.Shard = sa, sz
		p, c := newScenarioPair(t, seed+k, cfgA, cfgZ)
		require.NoError(t, p.Handshake())
		a, _ := p.A.Tags()
		z, _ := p.Z.Tags()
		require.True(t, inShard(a, sa), "A's tag %d", a)
		require.True(t, inShard(z, sz), "Z's tag %d", z)
		require.Equal(t, sz, p.Z.Config().Shard)

		plain, _ := scenarioConfigs(seed + k)
		plain.LocalPort, plain.PeerPort = 5001, 5000
		require.NoError(t, p.Z.Reconfigure(p.Now, plain))
		require.Equal(t, sz, p.Z.Config().Shard, "Reconfigure keeps the shard")

		start := p.Now
		restartA(t, p, seed+k+1000)
		require.True(t, p.RunUntil(10*time.Second, p.Established))
		require.Equal(t, 1, c.since(start).count(p.AddrZ, chunk.TypeInitAck))
		newZ, _ := p.Z.Tags()
		require.NotEqual(t, z, newZ)
		require.True(t, inShard(newZ, sz), "Z's tag after the restart %d", newZ)
	}
}

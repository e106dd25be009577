package association

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every tag a shard draws is in its class and not 0, and the tags spread
// over the whole 32-bit range (the class spends only the low log2(Count)
// bits' worth of randomness).
func TestShardTagInClass(t *testing.T) {
	shards := []Shard{{0, 1}, {0, 2}, {1, 2}, {0, 3}, {2, 3}, {4, 5}, {6, 7}, {0, 256}, {255, 256}}
	for k, s := range shards {
		rnd := rand.NewPCG(uint64(k), 1)
		high, seen := 0, map[uint32]bool{}
		const draws = 4096
		for range draws {
			tag := uint32(s.tag(rnd))
			require.NotZero(t, tag)
			require.Equal(t, uint32(s.Index), tag%uint32(s.Count), "shard %+v", s)
			if tag >= 1<<31 {
				high++
			}
			seen[tag] = true
		}
		require.InDelta(t, draws/2, high, draws/8, "shard %+v: tags in the upper half", s)
		require.Greater(t, len(seen), draws-4, "shard %+v: repeated tags", s)
	}
}

// Unsharded, a tag is drawn as before shards existed (randomTag), so that
// the output of every seeded run stays the same.
func TestShardTagUnshardedAsBefore(t *testing.T) {
	for _, s := range []Shard{{}, {0, 1}} {
		a, b := rand.NewPCG(9, 9), rand.NewPCG(9, 9)
		for range 1000 {
			require.Equal(t, randomTag(a), s.tag(b))
		}
	}
}

// seq is a rand.Source returning the values given, then 1s.
type seq []uint64

func (s *seq) Uint64() uint64 {
	if len(*s) == 0 {
		return 1
	}
	x := (*s)[0]
	*s = (*s)[1:]
	return x
}

// A draw that would give tag 0 is drawn again, and so is one in the
// incomplete last round of the 64-bit range (which would favour the low
// tags of a class whose size does not divide 2^64).
func TestShardTagRejects(t *testing.T) {
	s := Shard{Index: 0, Count: 3}
	src := seq{0, math.MaxUint64, 7}
	require.EqualValues(t, 7*3, s.tag(&src), "0 and the incomplete round are drawn again")
	require.Empty(t, src)

	// A class of a power-of-two size rejects nothing but 0.
	s = Shard{Index: 0, Count: 4}
	src = seq{0, math.MaxUint64}
	tag := s.tag(&src)
	require.EqualValues(t, uint64(math.MaxUint32)/4*4, tag)
	require.Empty(t, src)
}

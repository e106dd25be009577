package association

import (
	"math"
	"math/rand/v2"

	"github.com/gensctp/gensctp/chunk"
)

// MaxShards bounds Shard.Count. Each doubling of the count spends one bit
// of the randomness of the local verification tags (see Shard): at
// MaxShards, 24 of their 32 bits stay random.
const MaxShards = 256

// Shard places the local verification tags of an association in one of
// Count classes: an association of shard Index draws only tags with
// tag mod Count == Index, so that whoever receives a packet carrying one
// of them (the common header's Verification Tag, RFC 9260 Section 8.5)
// knows the shard that holds the association without looking it up. The
// event loop of a multi-core stack runs one core per shard; the endpoint
// sets Config.Shard from its own configuration.
//
// It restricts the Initiate Tag of the INIT an association sends (RFC
// 9260 Section 5.1 A), of the INIT ACK it sends in answer to an INIT
// (Sections 5.1 B, 5.2.1 and 5.2.2: a collision or a restart of the
// peer), and so the tags it takes from a State Cookie, which are those of
// an INIT ACK of the same shard. Within the class, a tag is uniformly
// random and never 0 (Section 5.3.1): the class spends log2(Count) of the
// tag's 32 bits of randomness. Tie-Tags (Section 5.2.2) are never used as
// verification tags and are not restricted.
//
// The zero value, like Count 1, means every tag.
type Shard struct {
	Index, Count int
}

// Valid reports whether s is a shard: 0 <= Index < Count <= MaxShards, or
// the zero value.
func (s Shard) Valid() bool {
	n := max(s.Count, 1)
	return s.Count >= 0 && n <= MaxShards && s.Index >= 0 && s.Index < n
}

// tag draws a local verification tag of the shard's class from rnd: a
// uniformly random non-zero tag with tag mod Count == Index. For Count 1
// it draws the tag of each rnd.Uint64 that is not 0 in its low 32 bits,
// as before shards existed, so that unsharded runs keep their output.
func (s Shard) tag(rnd rand.Source) chunk.VerificationTag {
	n, i := uint64(max(s.Count, 1)), uint64(s.Index)
	// The tags of the class are q*n + i for q in [0, size).
	size := (math.MaxUint32-i)/n + 1
	// Draws at or above limit are rejected, so that q = x % size is
	// uniform: limit is the largest multiple of size that fits 2^64, and
	// 0 stands for 2^64 itself (size a power of two: nothing rejected).
	limit := -(-size % size) // 2^64 - (2^64 mod size), modulo 2^64
	for {
		x := rnd.Uint64()
		if limit != 0 && x >= limit {
			continue
		}
		if t := chunk.VerificationTag(x%size*n + i); t != 0 {
			return t
		}
	}
}

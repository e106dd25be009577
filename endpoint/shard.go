package endpoint

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"net/netip"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// Shard is the place of an endpoint among the Count shards that serve one
// UDP port, each a single-threaded core with its own Mux and one Endpoint
// per SCTP port (Config.Shard): the endpoint of shard Index draws only
// local verification tags with tag mod Count == Index (association.Shard:
// this spends log2(Count) bits of each tag's randomness) and assigns only
// association IDs with id mod Count == Index, so that a Router sends every
// packet carrying one of its tags to it and ShardOfAssoc finds it from an
// ID alone. The zero value, like Count 1, is an unsharded endpoint.
//
// What is per socket in gen_sctp is per shard here unless shared: each
// shard's MaxAssociations and Backlog bound its own associations, and
// Config.AssocQuota and Config.BacklogQuota share one count among the
// shards. The INIT rate limit (Config.InitRate) is per shard: a source
// (peer address and SCTP port) always hashes to one shard, but the
// limiter counts INITs per source address, whose SCTP ports may hash to
// up to Count shards; each shard (each core) then spends on a source at
// most what an unsharded endpoint would, and the source gets at most
// Count × InitRate answers in all.
type Shard = association.Shard

// MaxShards bounds Shard.Count.
const MaxShards = association.MaxShards

// ShardOfAssoc returns the shard (0 ≤ shard < n) of the endpoint that
// assigned id, among n shards (see Shard); n < 1 counts as 1.
func ShardOfAssoc(id AssocID, n int) int {
	if n <= 1 {
		return 0
	}
	return int(uint32(id) % uint32(n))
}

// Router routes the datagrams received on one UDP port to the shards that
// serve it (see Shard), reading only the common header and the first
// chunk header of the SCTP packet, none of it verified (the shard checks
// the packet). The zero Router has one shard.
//
//   - A packet whose verification tag is one of ours goes to tag mod n:
//     the tag is not 0 and the first chunk is neither an INIT (which
//     carries tag 0, RFC 9260 Section 8.5.1 A) nor an ABORT or SHUTDOWN
//     COMPLETE with the T bit (which carry the peer's tag, Section 8.5.1
//     B and C). This covers every packet of an association once its
//     handshake started, a COOKIE ECHO included (it carries the Initiate
//     Tag of the INIT ACK, drawn by the shard that answered the INIT), from
//     any address of the peer.
//   - Everything else, INITs, packets with the T bit, packets with tag 0
//     and packets too short to have a chunk, goes to a keyed hash of the
//     source: the IP address (IPv4-mapped addresses unmapped) and the
//     SCTP source port, the key of an association's peer in its endpoint.
//     The UDP port is left out, as the endpoint leaves it out: a NAT may
//     change it (RFC 6951 Section 5.1), and a restart from the new port
//     must find the association. ShardOfPeer is that hash, for Connect.
//
// An association's INITs therefore reach it when they come from the
// primary address it was created with: the peer's INIT answered (the
// source of the COOKIE ECHO's INIT), or the first address given to
// Connect on the shard ShardOfPeer chose. An INIT of a collision or a
// restart (RFC 9260 Section 5.2) from another address of a multihomed peer
// may hash to another shard, which has no association with the peer. RFC
// 9260 Section 5.2.1 would answer it with the association's own tag, and
// Section 5.2.2 with the Tie-Tags (or an ABORT for an INIT adding an
// address); the other shard answers it as a new association would be,
// with a tag of its own. A collision may then set up two associations
// with the peer, one on each shard, and a restart sets up the new one on
// the other shard while the old one lives on until its packets, answered
// by the peer with an ABORT (Section 8.4 rule 8, T bit, from the address
// they reached), or its timers close it. Likewise an ABORT or SHUTDOWN
// COMPLETE with the T bit from another address than the primary may land
// on a shard that treats it as out of the blue and discards it (Section
// 8.4 rules 2 and 6): as if it were lost, which the association survives
// by retransmitting. Peers with one address, and everything with our tag,
// are not affected.
//
// The hash is SipHash-2-4 under a key drawn from a randomness source: a
// peer cannot choose source ports or forged addresses to send the INITs of
// many sources to one shard. A packet with a forged tag does reach the
// shard of its choice, but no other than a flood sent at random would
// reach, and the shard drops it (CRC32c, then tag) without keeping state.
type Router struct {
	n      uint32 // shards; 0 counts as 1
	k0, k1 uint64 // SipHash key
}

// NewRouter returns a Router among n shards (1 ≤ n ≤ MaxShards) whose
// hash key is drawn from rnd: crypto/rand in production (one key per UDP
// port or per process), a seeded source in tests. The error wraps
// ErrInvalidConfig.
func NewRouter(n int, rnd rand.Source) (Router, error) {
	if n < 1 || n > MaxShards {
		return Router{}, fmt.Errorf("%w: shards = %d", ErrInvalidConfig, n)
	}
	return Router{n: uint32(n), k0: rnd.Uint64(), k1: rnd.Uint64()}, nil
}

// Count returns the number of shards.
func (r Router) Count() int { return int(max(r.n, 1)) }

// ShardOf returns the shard (0 ≤ shard < Count) for the SCTP packet b, the
// payload of a UDP datagram from from (see Router). It never fails and
// does not allocate: a malformed packet goes to the shard of its source,
// which drops it.
func (r Router) ShardOf(b []byte, from netip.AddrPort) int {
	if r.n <= 1 {
		return 0
	}
	if len(b) >= packet.HeaderLen+4 {
		tag := binary.BigEndian.Uint32(b[4:8])
		t, flags := chunk.Type(b[packet.HeaderLen]), b[packet.HeaderLen+1]
		reflected := (t == chunk.TypeAbort || t == chunk.TypeShutdownComplete) &&
			chunk.TFlags(flags).Reflected()
		if tag != 0 && t != chunk.TypeInit && !reflected {
			return int(tag % r.n)
		}
	}
	var port uint16
	if len(b) >= 2 {
		port = binary.BigEndian.Uint16(b)
	}
	return r.ShardOfPeer(from.Addr(), port)
}

// ShardOfPeer returns the shard of the INITs and T-bit packets from the
// peer address addr with SCTP port port: the shard on which to Connect to
// that peer, addr being the primary (first) address given to Connect, so
// that the peer's INITs of a collision or a restart find the association
// (RFC 9260 Section 5.2).
func (r Router) ShardOfPeer(addr netip.Addr, port uint16) int {
	if r.n <= 1 {
		return 0
	}
	a := addr.As16() // an IPv4 address as IPv4-mapped: the same either way
	h := sipHash18(r.k0, r.k1, binary.LittleEndian.Uint64(a[:8]), binary.LittleEndian.Uint64(a[8:]), port)
	return int(uint32(h) % r.n)
}

// sipHash18 is SipHash-2-4 (Aumasson and Bernstein, 2012) under the key
// (k0, k1) of the 18-byte message m0, m1 (16 bytes, little-endian words)
// followed by port, big-endian.
func sipHash18(k0, k1, m0, m1 uint64, port uint16) uint64 {
	v0, v1 := k0^0x736f6d6570736575, k1^0x646f72616e646f6d
	v2, v3 := k0^0x6c7967656e657261, k1^0x7465646279746573
	// The last word holds the 2 bytes left and the length in its top byte.
	last := uint64(port>>8) | uint64(port&0xff)<<8 | 18<<56
	for _, m := range [...]uint64{m0, m1, last} {
		v3 ^= m
		v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
		v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
		v0 ^= m
	}
	v2 ^= 0xff
	for range 4 {
		v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
	}
	return v0 ^ v1 ^ v2 ^ v3
}

// sipRound is one SipRound.
func sipRound(v0, v1, v2, v3 uint64) (uint64, uint64, uint64, uint64) {
	v0 += v1
	v1 = bits.RotateLeft64(v1, 13)
	v1 ^= v0
	v0 = bits.RotateLeft64(v0, 32)
	v2 += v3
	v3 = bits.RotateLeft64(v3, 16)
	v3 ^= v2
	v0 += v3
	v3 = bits.RotateLeft64(v3, 21)
	v3 ^= v0
	v2 += v1
	v1 = bits.RotateLeft64(v1, 17)
	v1 ^= v2
	v2 = bits.RotateLeft64(v2, 32)
	return v0, v1, v2, v3
}

package endpoint_test

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/stretchr/testify/require"
)

// newRouter returns a router among n shards keyed from seed.
func newRouter(t testing.TB, n int, seed uint64) endpoint.Router {
	t.Helper()
	r, err := endpoint.NewRouter(n, rand.NewPCG(seed, seed+1))
	require.NoError(t, err)
	return r
}

func TestNewRouterBounds(t *testing.T) {
	for _, n := range []int{0, -1, endpoint.MaxShards + 1} {
		_, err := endpoint.NewRouter(n, rand.NewPCG(1, 2))
		require.ErrorIs(t, err, endpoint.ErrInvalidConfig, "n = %d", n)
	}
	var zero endpoint.Router
	require.Equal(t, 1, zero.Count())
	require.Zero(t, zero.ShardOf(build(5000, 7, 13, dataChunk()), addrC))
	require.Equal(t, endpoint.MaxShards, newRouter(t, endpoint.MaxShards, 1).Count())
}

// A packet goes to the shard of its tag unless the tag is not ours: an
// INIT (tag 0), an ABORT or SHUTDOWN COMPLETE with the T bit (the peer's
// tag), a packet with tag 0 or too short for a chunk go to the shard of
// their source, ShardOfPeer of its address and SCTP port.
func TestShardOfRules(t *testing.T) {
	const n = 7
	r := newRouter(t, n, 3)
	const tag = 1000*n + 5
	for _, tc := range []struct {
		name  string
		b     []byte
		byTag bool
	}{
		{"DATA", build(5000, 7, tag, dataChunk()), true},
		{"COOKIE ECHO", build(5000, 7, tag, &chunk.CookieEcho{Cookie: []byte{1}}), true},
		{"ABORT", build(5000, 7, tag, &chunk.Abort{}), true},
		{"SHUTDOWN COMPLETE", build(5000, 7, tag, &chunk.ShutdownComplete{}), true},
		{"INIT", build(5000, 7, 0, initChunk(tag)), false},
		{"INIT with a tag", build(5000, 7, tag, initChunk(tag)), false},
		{"ABORT T", build(5000, 7, tag, &chunk.Abort{Flags: chunk.FlagT}), false},
		{"SHUTDOWN COMPLETE T", build(5000, 7, tag, &chunk.ShutdownComplete{Flags: chunk.FlagT}), false},
		{"tag 0", build(5000, 7, 0, dataChunk()), false},
		{"header only", build(5000, 7, tag)[:12], false},
	} {
		// Many sources, so that the shard of the source is not the shard
		// of the tag by chance.
		for i := range 64 {
			from := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, 0, byte(i)}), 9899)
			got := r.ShardOf(tc.b, from)
			want := r.ShardOfPeer(from.Addr(), 5000)
			if tc.byTag {
				want = tag % n
			}
			require.Equal(t, want, got, "%s from %v", tc.name, from)
		}
	}
	// Shorter than a header: the source, with SCTP port 0 when unknown.
	require.Equal(t, r.ShardOfPeer(addrC.Addr(), 0), r.ShardOf(nil, addrC))
	require.Equal(t, r.ShardOfPeer(addrC.Addr(), 0x1388), r.ShardOf([]byte{0x13, 0x88, 0}, addrC))
}

// The shard of a source depends on its IP address and SCTP port, not on
// its UDP port (which a NAT may change, RFC 6951 Section 5.1) nor on the
// form of an IPv4 address (plain or IPv4-mapped, as a dual-stack socket
// reports it).
func TestShardOfPeerKey(t *testing.T) {
	r := newRouter(t, 16, 4)
	init := build(5000, 7, 0, initChunk(1))
	byPort := map[int]bool{}
	for i := range 256 {
		v4 := netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})
		mapped := netip.AddrFrom16(v4.As16())
		want := r.ShardOfPeer(v4, 5000)
		require.Equal(t, want, r.ShardOfPeer(mapped, 5000))
		for _, udp := range []uint16{9899, 1, 65535} {
			require.Equal(t, want, r.ShardOf(init, netip.AddrPortFrom(v4, udp)))
			require.Equal(t, want, r.ShardOf(init, netip.AddrPortFrom(mapped, udp)))
		}
		byPort[r.ShardOfPeer(addrC.Addr(), uint16(5000+i))] = true
	}
	require.Len(t, byPort, 16, "the SCTP port is part of the key")
}

// The hash spreads sources evenly, and depends on the key: another key
// puts sources on other shards, so that a peer cannot pick the sources
// that meet on one shard without knowing the key.
func TestShardOfPeerSpreadAndKey(t *testing.T) {
	const n, sources = 8, 80_000
	r1, r2 := newRouter(t, n, 5), newRouter(t, n, 6)
	var count [n]int
	same := 0
	for i := range sources {
		addr := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		s := r1.ShardOfPeer(addr, 5000)
		count[s]++
		if s == r2.ShardOfPeer(addr, 5000) {
			same++
		}
	}
	for s, c := range count {
		// 10,000 expected, standard deviation about 94.
		require.InDelta(t, sources/n, c, 600, "shard %d", s)
	}
	require.InDelta(t, sources/n, same, 600, "two keys agree by chance only")
}

// ShardOfAssoc is the ID modulo the shard count.
func TestShardOfAssoc(t *testing.T) {
	require.Zero(t, endpoint.ShardOfAssoc(17, 1))
	require.Zero(t, endpoint.ShardOfAssoc(17, 0))
	require.Equal(t, 2, endpoint.ShardOfAssoc(17, 5))
	require.Equal(t, 3, endpoint.ShardOfAssoc(0xffffffff, 4))
}

// ShardOf allocates nothing.
func TestShardOfAllocs(t *testing.T) {
	r := newRouter(t, 4, 7)
	data, init := build(5000, 7, 99, dataChunk()), build(5000, 7, 0, initChunk(1))
	from := netip.MustParseAddrPort("[2001:db8::1]:9899")
	allocs := testing.AllocsPerRun(100, func() {
		_ = r.ShardOf(data, from) + r.ShardOf(init, from)
	})
	require.Zero(t, allocs)
}

// FuzzShardOf: any datagram from any source goes to a shard in [0, n),
// without a panic, the same whatever its UDP source port; an INIT goes to
// the shard of its source.
func FuzzShardOf(f *testing.F) {
	f.Add(build(5000, 7, 99, dataChunk()), []byte{10, 0, 0, 1}, uint16(9899), uint8(4), uint64(1))
	f.Add(build(5000, 7, 0, initChunk(1)), []byte(netip.MustParseAddr("2001:db8::1").AsSlice()), uint16(1), uint8(3), uint64(2))
	f.Add(build(5000, 7, 5, &chunk.Abort{Flags: chunk.FlagT}), []byte{}, uint16(0), uint8(255), uint64(3))
	f.Add([]byte{1, 2, 3}, []byte{127, 0, 0, 1}, uint16(5), uint8(0), uint64(4))
	f.Fuzz(func(t *testing.T, b, ip []byte, udp uint16, count uint8, key uint64) {
		n := int(count)%endpoint.MaxShards + 1
		r, err := endpoint.NewRouter(n, rand.NewPCG(key, 0))
		require.NoError(t, err)
		addr, _ := netip.AddrFromSlice(ip) // the zero Addr if neither 4 nor 16 bytes
		from := netip.AddrPortFrom(addr, udp)
		s := r.ShardOf(b, from)
		require.True(t, s >= 0 && s < n, "shard %d of %d", s, n)
		require.Equal(t, s, r.ShardOf(b, netip.AddrPortFrom(addr, udp+1)))
		if len(b) >= 16 && chunk.Type(b[12]) == chunk.TypeInit {
			require.Equal(t, r.ShardOfPeer(addr, binary.BigEndian.Uint16(b)), s)
		}
	})
}

// BenchmarkShardOf: the cost of routing one datagram, by tag (every
// packet of an association) and by a hash of the source (INITs).
func BenchmarkShardOf(b *testing.B) {
	r := newRouter(b, 4, 8)
	from := netip.MustParseAddrPort("[2001:db8::1]:9899")
	for _, bc := range []struct {
		name string
		pkt  []byte
	}{
		{"tag", build(5000, 7, 99, dataChunk())},
		{"source", build(5000, 7, 0, initChunk(1))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			s := 0
			for b.Loop() {
				s += r.ShardOf(bc.pkt, from)
			}
			if s < 0 {
				b.Fatal(s)
			}
		})
	}
}

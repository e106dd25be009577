package endpoint

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// sipHash18 is SipHash-2-4: the reference key 00 01 ... 0f and the
// 18-byte message 00 01 ... 11 give the reference output (the test vector
// of the SipHash paper's implementation, as `openssl mac -macopt
// hexkey:000102030405060708090a0b0c0d0e0f -macopt size:8 SIPHASH` prints
// it: 9CD38D96F0B3C14B, little-endian).
func TestSipHash18(t *testing.T) {
	var key, msg [18]byte
	for i := range msg {
		key[i%16], msg[i] = byte(i%16), byte(i)
	}
	k0, k1 := binary.LittleEndian.Uint64(key[:8]), binary.LittleEndian.Uint64(key[8:16])
	m0, m1 := binary.LittleEndian.Uint64(msg[:8]), binary.LittleEndian.Uint64(msg[8:16])
	got := sipHash18(k0, k1, m0, m1, binary.BigEndian.Uint16(msg[16:]))
	var out [8]byte
	binary.LittleEndian.PutUint64(out[:], got)
	require.Equal(t, []byte{0x9c, 0xd3, 0x8d, 0x96, 0xf0, 0xb3, 0xc1, 0x4b}, out[:])
}

// The IDs of a shard stay in its class across the wrap-around of the
// 32-bit ID space, and are never 0.
func TestNewIDWraps(t *testing.T) {
	for _, tc := range []struct {
		shard        Shard
		last         AssocID
		want1, want2 AssocID
	}{
		// 2^32-1 is a multiple of 5.
		{Shard{Index: 3, Count: 5}, math.MaxUint32 - 7, math.MaxUint32 - 2, 3},
		{Shard{Index: 0, Count: 5}, math.MaxUint32 - 5, math.MaxUint32, 5},
		{Shard{}, math.MaxUint32 - 1, math.MaxUint32, 1},
	} {
		e, err := New(Config{Port: 7, Assoc: assocCfg(), Shard: tc.shard}, 0)
		require.NoError(t, err)
		e.lastID = tc.last
		require.Equal(t, tc.want1, e.newID(), "%+v", tc.shard)
		require.Equal(t, tc.want2, e.newID(), "%+v", tc.shard)
	}
}

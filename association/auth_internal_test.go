package association

import (
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// TestAuthSharedKeyOrder checks the concatenation of RFC 4895 Section
// 6.1: the endpoint-pair key, then the numerically smaller key vector,
// then the larger; vectors equal as numbers but of different lengths go
// shorter first; whichever vector is given first.
func TestAuthSharedKeyOrder(t *testing.T) {
	secret := []byte{0xaa}
	for _, tc := range []struct {
		name        string
		small, big  []byte
		wantCompare int
	}{
		{"by value", []byte{1, 2, 3}, []byte{1, 2, 4}, -1},
		{"by magnitude, not bytes", []byte{2}, []byte{0, 1, 0}, -1},
		{"equal numbers, shorter first", []byte{5}, []byte{0, 5}, -1},
	} {
		require.Equal(t, tc.wantCompare, sign(compareVectors(tc.small, tc.big)), tc.name)
		require.Equal(t, -tc.wantCompare, sign(compareVectors(tc.big, tc.small)), tc.name)
		want := append(append(append([]byte(nil), secret...), tc.small...), tc.big...)
		require.Equal(t, want, sharedKey(secret, tc.small, tc.big), tc.name)
		require.Equal(t, want, sharedKey(secret, tc.big, tc.small), tc.name)
	}
	require.Zero(t, compareVectors([]byte{1, 2}, []byte{1, 2}))
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// TestAuthVectorRefusals checks what makes the peer's AUTH parameters
// unusable (RFC 4895 Section 6.1: "If the Random Number is not 32 bytes,
// the association MUST be aborted"), and that without RANDOM or
// HMAC-ALGO the peer is taken not to offer AUTH.
func TestAuthVectorRefusals(t *testing.T) {
	rnd := &chunk.Random{Random: make([]byte, 32)}
	sha1 := &chunk.RequestedHMACAlgorithm{HMACs: []chunk.HMACIdentifier{chunk.HMACSHA1}}
	for _, tc := range []struct {
		name  string
		ps    []chunk.Param
		empty bool
		bad   bool
	}{
		{"complete", []chunk.Param{rnd, sha1}, false, false},
		{"no RANDOM", []chunk.Param{sha1}, true, false},
		{"no HMAC-ALGO", []chunk.Param{rnd}, true, false},
		{"short RANDOM", []chunk.Param{&chunk.Random{Random: make([]byte, 16)}, sha1}, true, true},
		{"unknown HMACs", []chunk.Param{rnd, &chunk.RequestedHMACAlgorithm{HMACs: []chunk.HMACIdentifier{2, 4}}}, true, true},
		{"long CHUNKS", []chunk.Param{rnd, &chunk.ChunkList{Types: make([]chunk.Type, 500)}, sha1}, true, true},
	} {
		v, cause := authVector(tc.ps, nil)
		require.Equal(t, tc.empty, len(v) == 0, tc.name)
		require.Equal(t, tc.bad, cause != nil, tc.name)
		if cause != nil {
			require.Equal(t, chunk.CauseProtocolViolation, cause.CauseCode(), tc.name)
		}
	}
}

// authBenchState returns an AUTH state that authenticates DATA with
// HMAC-SHA-256 and the null key, and a DATA chunk of 1100 bytes.
func authBenchState() (*authState, *chunk.Data) {
	s := &authState{on: true, sendHMAC: chunk.HMACSHA256, keys: nullKeys,
		localVec: make([]byte, 52), peerVec: make([]byte, 52)}
	s.peerVec[51] = 1
	s.sendChunks.add(chunk.TypeData)
	s.localChunks.add(chunk.TypeData)
	return s, &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 1, UserData: make([]byte, 1100)}
}

// signAndVerify builds a packet of d authenticated by s into buf and
// verifies its AUTH chunk as a receiver does; it reports whether it
// verified.
func signAndVerify(s *authState, d *chunk.Data, buf []byte) bool {
	var b packet.Builder
	b.Reset(buf, packet.Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}, 1452)
	b.Auth = s
	b.Add(d)
	pkt := b.Finish()
	p, err := packet.Parse(pkt, packet.Options{SkipChecksum: true})
	if err != nil {
		return false
	}
	it := p.Chunks()
	r, _ := it.Next()
	var c chunk.Auth
	if _, err := c.Parse(r.Bytes); err != nil {
		return false
	}
	return s.verify(s.hmac(c.SharedKeyID, chunk.HMACIdentifier(c.HMACID)), &r, c.HMAC, pkt[r.Offset+len(r.Bytes):])
}

// TestAuthNoAllocs: signing a packet and verifying it allocate nothing
// once the HMACs of the key are made (the hot path of DATA authenticated
// both ways); a changed byte fails the verification.
func TestAuthNoAllocs(t *testing.T) {
	s, d := authBenchState()
	buf := make([]byte, 0, 1500)
	require.True(t, signAndVerify(s, d, buf))
	require.Zero(t, testing.AllocsPerRun(100, func() { signAndVerify(s, d, buf) }))
	d.UserData[7] ^= 1
	var b packet.Builder
	b.Reset(buf, packet.Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}, 1452)
	b.Auth = s
	b.Add(d)
	pkt := b.Finish()
	pkt[len(pkt)-1] ^= 1 // after signing
	p, err := packet.Parse(pkt, packet.Options{SkipChecksum: true})
	require.NoError(t, err)
	it := p.Chunks()
	r, _ := it.Next()
	var c chunk.Auth
	_, err = c.Parse(r.Bytes)
	require.NoError(t, err)
	require.False(t, s.verify(s.hmac(0, chunk.HMACSHA256), &r, c.HMAC, pkt[r.Offset+len(r.Bytes):]))
}

// BenchmarkAuthSignVerify measures the cost AUTH adds to a full-sized
// DATA packet: signing it with HMAC-SHA-256 and verifying it.
func BenchmarkAuthSignVerify(b *testing.B) {
	s, d := authBenchState()
	buf := make([]byte, 0, 1500)
	b.ReportAllocs()
	b.SetBytes(int64(len(d.UserData)))
	for b.Loop() {
		if !signAndVerify(s, d, buf) {
			b.Fatal("not verified")
		}
	}
}

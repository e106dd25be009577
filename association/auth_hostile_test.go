package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// nextDataOf returns a complete DATA message from A to Z with the TSN
// after the last DATA chunk of the capture: Z would deliver it, with the
// tag, from an off-path attacker who saw one packet of the association.
func nextDataOf(t *testing.T, c *capture, msg string) *chunk.Data {
	t.Helper()
	sps := c.with(associationtest.AddrA, chunk.TypeData)
	require.NotEmpty(t, sps)
	r, _ := sps[len(sps)-1].chunk(chunk.TypeData)
	var d chunk.Data
	parseChunk(t, r, &d)
	return &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: d.TSN + 1, SSN: d.SSN + 1,
		UserData: []byte(msg)}
}

// TestAuthInjection checks RFC 4895 Section 6.3 against an attacker who
// knows the verification tag but no key: a chunk of a type Z asked to be
// authenticated is discarded without an AUTH chunk before it, after one
// with a bad HMAC, a truncated one, or one with a key identifier Z does
// not have; an unsupported HMAC identifier draws an ERROR with the
// Unsupported HMAC Identifier cause (Section 4.1). Z's state is
// unchanged: no message, no ABORT taken, each case counted.
func TestAuthInjection(t *testing.T) {
	p, c := authPair(t, 5, nil, []chunk.Type{chunk.TypeData, chunk.TypeAbort})
	sendAndDeliver(t, p, []byte("real"))
	zTag, _ := p.Z.Tags()
	h := headerAZ(zTag)
	data := nextDataOf(t, c, "forged")
	zeros := func(n int) []byte { return make([]byte, n) }
	for _, tc := range []struct {
		name  string
		cs    []chunk.Chunk
		stats association.AuthStats
	}{
		{"no AUTH", []chunk.Chunk{data}, association.AuthStats{Unauthenticated: 1}},
		{"bad HMAC", []chunk.Chunk{&chunk.Auth{HMACID: uint16(chunk.HMACSHA256), HMAC: zeros(32)}, data},
			association.AuthStats{BadHMAC: 1}},
		{"short HMAC", []chunk.Chunk{&chunk.Auth{HMACID: uint16(chunk.HMACSHA256), HMAC: zeros(20)}, data},
			association.AuthStats{BadHMAC: 1}},
		{"truncated AUTH", []chunk.Chunk{&chunk.Auth{HMACID: uint16(chunk.HMACSHA1)}, data},
			association.AuthStats{BadHMAC: 1}},
		{"unknown key", []chunk.Chunk{&chunk.Auth{SharedKeyID: 7, HMACID: uint16(chunk.HMACSHA1), HMAC: zeros(20)}, data},
			association.AuthStats{UnknownKey: 1}},
		{"unsupported HMAC", []chunk.Chunk{&chunk.Auth{HMACID: 2, HMAC: zeros(32)}, data},
			association.AuthStats{UnsupportedHMAC: 1}},
		{"ABORT", []chunk.Chunk{&chunk.Abort{}}, association.AuthStats{Unauthenticated: 1}},
	} {
		before := p.Z.Stats().Auth
		since := p.Now
		forge(p, p.AddrA, p.AddrZ, h, tc.cs...)
		p.Run(time.Second)
		got := p.Z.Stats().Auth
		got.Unauthenticated -= before.Unauthenticated
		got.BadHMAC -= before.BadHMAC
		got.UnknownKey -= before.UnknownKey
		got.UnsupportedHMAC -= before.UnsupportedHMAC
		require.Equal(t, tc.stats, got, tc.name)
		require.Len(t, messagesOf(p.DeliveredZ), 1, tc.name)
		require.Equal(t, association.StateEstablished, p.Z.State(), tc.name)
		errs := c.since(since).with(associationtest.AddrZ, chunk.TypeError)
		if tc.stats.UnsupportedHMAC > 0 {
			require.Len(t, errs, 1, tc.name)
			cause := soleCause[*chunk.UnsupportedHMACIdentifierCause](t, errs[0], chunk.TypeError)
			require.Equal(t, chunk.HMACIdentifier(2), cause.HMACID)
		} else {
			require.Empty(t, errs, tc.name)
		}
	}
	// The association still works: A's next message (authenticated) comes
	// through, with the TSN the forged one tried to take.
	require.Equal(t, []byte("after"), sendAndDeliver(t, p, []byte("after")).Data)
}

package packet

import (
	"bytes"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// fakeAuth authenticates DATA with an "HMAC" of 4 bytes: the length of
// what it signs, and records what it signed.
type fakeAuth struct{ signed []byte }

func (f *fakeAuth) AuthRequired(t chunk.Type) bool { return t == chunk.TypeData }
func (f *fakeAuth) AuthLen() int                   { return 12 }
func (f *fakeAuth) AppendAuth(b []byte) []byte {
	return append(b, byte(chunk.TypeAuth), 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0)
}
func (f *fakeAuth) Sign(data, mac []byte) {
	f.signed = append([]byte(nil), data...)
	mac[3] = byte(len(data))
}

// TestBuilderAuth checks the placement of RFC 4895 Section 6.2: the AUTH
// chunk goes right before the first chunk to authenticate (after a
// COOKIE ECHO that comes first), once, counted in the budget, and Finish
// signs the AUTH chunk, its HMAC zero, and everything after it.
func TestBuilderAuth(t *testing.T) {
	f := &fakeAuth{}
	var b Builder
	b.Reset(nil, Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}, HeaderLen+8+4+12+20)
	b.Auth = f
	require.Equal(t, b.Remaining()-12, b.RemainingFor(chunk.TypeData))
	require.Equal(t, b.Remaining(), b.RemainingFor(chunk.TypeSACK))
	require.True(t, b.Add(&chunk.CookieEcho{Cookie: []byte{1, 2, 3, 4}}))
	require.True(t, b.Add(&chunk.CookieAck{}))
	d := &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 6, UserData: []byte("x")}
	require.Equal(t, 20, b.RemainingFor(chunk.TypeData))
	require.True(t, b.Add(d))
	require.Equal(t, b.Remaining(), b.RemainingFor(chunk.TypeData), "one AUTH chunk per packet")
	require.False(t, b.Add(d), "over budget")
	pkt := b.Finish()
	p, err := Parse(pkt, Options{})
	require.NoError(t, err)
	var types []chunk.Type
	it := p.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		types = append(types, r.Type)
	}
	require.Equal(t, []chunk.Type{chunk.TypeCookieEcho, chunk.TypeCookieAck, chunk.TypeAuth, chunk.TypeData}, types)
	off := HeaderLen + 8 + 4
	require.Equal(t, pkt[off:], append(f.signed[:8:8], append([]byte{0, 0, 0, byte(len(f.signed))}, f.signed[12:]...)...))
	require.True(t, bytes.Equal(f.signed[8:12], []byte{0, 0, 0, 0}), "signed with the HMAC field zero")
	require.Zero(t, p.Findings)

	// Without a chunk to authenticate, no AUTH chunk.
	b.Reset(nil, Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}, 1500)
	b.Auth = f
	b.Add(&chunk.CookieAck{})
	require.Equal(t, HeaderLen+4, len(b.Finish()))

	// AddOversized makes room for the AUTH chunk.
	b.Reset(nil, Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}, 40)
	b.Auth = f
	big := &chunk.Data{Flags: chunk.FlagBeginning, TSN: 7, UserData: make([]byte, 100)}
	require.True(t, b.AddOversized(big))
	require.Equal(t, HeaderLen+12+big.Len(), len(b.Finish()))
}

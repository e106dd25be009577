package association_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// authPair returns an established pair with AUTH events on, Z asking A to
// authenticate the chunk types zChunks (and A asking Z for aChunks).
func authPair(t *testing.T, seed uint64, aChunks, zChunks []chunk.Type) (*associationtest.Pair, *capture) {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.Auth.Chunks, cfgZ.Auth.Chunks = aChunks, zChunks
	cfgA.Auth.Events, cfgZ.Auth.Events = true, true
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	return p, c
}

// authParamsOf returns the RANDOM, CHUNKS and HMAC-ALGO parameters among
// ps.
func authParamsOf(ps []chunk.Param) (rnd *chunk.Random, chunks *chunk.ChunkList, hmacs *chunk.RequestedHMACAlgorithm) {
	for _, p := range ps {
		switch p := p.(type) {
		case *chunk.Random:
			rnd = p
		case *chunk.ChunkList:
			chunks = p
		case *chunk.RequestedHMACAlgorithm:
			hmacs = p
		}
	}
	return rnd, chunks, hmacs
}

// TestAuthNegotiation checks RFC 4895 Section 6.1: on by default, both
// ends send a 32-byte RANDOM, a CHUNKS parameter listing ASCONF and
// ASCONF-ACK (RFC 5061 Section 4.1) and the types asked for, and an
// HMAC-ALGO listing SHA-256 and SHA-1; AUTH is in use when both offer it.
func TestAuthNegotiation(t *testing.T) {
	p, c := authPair(t, 1, nil, []chunk.Type{chunk.TypeData})
	for _, s := range []struct {
		from sentAddr
		typ  chunk.Type
		list []chunk.Type
	}{
		{associationtest.AddrA, chunk.TypeInit, []chunk.Type{chunk.TypeASCONFAck, chunk.TypeASCONF}},
		{associationtest.AddrZ, chunk.TypeInitAck, []chunk.Type{chunk.TypeData, chunk.TypeASCONFAck, chunk.TypeASCONF}},
	} {
		rnd, chunks, hmacs := authParamsOf(handshakeParams(t, c, s.from, s.typ))
		require.NotNil(t, rnd, "%v", s.typ)
		require.Len(t, rnd.Random, 32)
		require.Equal(t, s.list, chunks.Types)
		require.Equal(t, []chunk.HMACIdentifier{chunk.HMACSHA256, chunk.HMACSHA1}, hmacs.HMACs)
	}
	require.True(t, p.A.AuthActive())
	require.True(t, p.Z.AuthActive())
	require.Equal(t, []chunk.Type{chunk.TypeData, chunk.TypeASCONFAck, chunk.TypeASCONF}, p.A.PeerAuthChunks())
	require.Equal(t, []chunk.Type{chunk.TypeData, chunk.TypeASCONFAck, chunk.TypeASCONF}, p.Z.LocalAuthChunks())
	require.Equal(t, []chunk.Type{chunk.TypeASCONFAck, chunk.TypeASCONF}, p.Z.PeerAuthChunks())
	require.Empty(t, eventsOf[*association.AuthEvent](p.DeliveredA))
}

// TestAuthOffOneSide: with AUTH off on A, the INIT carries none of its
// parameters, neither end uses AUTH, and Z, which offered it, reports
// SCTP_AUTH_NO_AUTH (RFC 6458 Section 6.1.8); the association works.
func TestAuthOffOneSide(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(2)
	cfgA.Auth.Disabled = true
	cfgZ.Auth.Events = true
	cfgZ.Auth.Chunks = []chunk.Type{chunk.TypeData}
	p, c := newScenarioPair(t, 2, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	rnd, _, _ := authParamsOf(handshakeParams(t, c, associationtest.AddrA, chunk.TypeInit))
	require.Nil(t, rnd)
	require.False(t, p.A.AuthActive())
	require.False(t, p.Z.AuthActive())
	require.Nil(t, p.A.LocalAuthChunks())
	ev := eventsOf[*association.AuthEvent](p.DeliveredZ)
	require.Len(t, ev, 1)
	require.Equal(t, association.AuthNoAuth, ev[0].Indication)
	require.Equal(t, []byte("plain"), sendAndDeliver(t, p, []byte("plain")).Data)
	require.Zero(t, c.count(associationtest.AddrA, chunk.TypeAuth))
}

// TestAuthBundling checks RFC 4895 Section 6.2: the AUTH chunk goes
// right before the first chunk the peer asked to be authenticated, and
// its HMAC, computed here from the captured INIT and INIT ACK (Section
// 6.1: the association shared key from both key vectors, the smaller
// first), covers it and every chunk after it, with the HMAC field zero.
func TestAuthBundling(t *testing.T) {
	p, c := authPair(t, 3, []chunk.Type{chunk.TypeSACK}, []chunk.Type{chunk.TypeData})
	require.Equal(t, []byte("authenticated"), sendAndDeliver(t, p, []byte("authenticated")).Data)
	key := sharedKeyFromCapture(t, c)
	for _, s := range []struct {
		from sentAddr
		typ  chunk.Type
	}{{associationtest.AddrA, chunk.TypeData}, {associationtest.AddrZ, chunk.TypeSACK}} {
		sps := c.with(s.from, s.typ)
		require.NotEmpty(t, sps)
		for _, sp := range sps {
			ts := sp.types()
			i := bytes.IndexByte(typeBytes(ts), byte(s.typ))
			require.Positive(t, i, "%v", ts)
			require.Equal(t, chunk.TypeAuth, ts[i-1], "AUTH right before %v: %v", s.typ, ts)
			require.Equal(t, 1, bytes.Count(typeBytes(ts), []byte{byte(chunk.TypeAuth)}))
			r, _ := sp.chunk(chunk.TypeAuth)
			var au chunk.Auth
			parseChunk(t, r, &au)
			require.Equal(t, uint16(chunk.HMACSHA256), au.HMACID)
			require.Zero(t, au.SharedKeyID)
			data := append([]byte(nil), sp.pkt.Bytes()[r.Offset:]...)
			clear(data[8 : 8+len(au.HMAC)])
			m := hmac.New(sha256.New, key)
			m.Write(data)
			require.Equal(t, m.Sum(nil), au.HMAC)
		}
	}
	require.Zero(t, p.Z.Stats().Auth)
	require.Zero(t, p.A.Stats().Auth)
}

// typeBytes returns ts as bytes.
func typeBytes(ts []chunk.Type) []byte {
	b := make([]byte, len(ts))
	for i, t := range ts {
		b[i] = byte(t)
	}
	return b
}

// sharedKeyFromCapture returns the association shared key of the null
// endpoint-pair key (RFC 4895 Section 6.1) of the INIT and INIT ACK of c.
func sharedKeyFromCapture(t *testing.T, c *capture) []byte {
	t.Helper()
	vec := func(from sentAddr, typ chunk.Type) []byte {
		rnd, chunks, hmacs := authParamsOf(handshakeParams(t, c, from, typ))
		var v []byte
		for _, p := range []chunk.Param{rnd, chunks, hmacs} {
			b := p.Append(nil)
			v = append(v, b[:binary.BigEndian.Uint16(b[2:])]...)
		}
		return v
	}
	va, vz := vec(associationtest.AddrA, chunk.TypeInit), vec(associationtest.AddrZ, chunk.TypeInitAck)
	if bytes.Compare(va, vz) > 0 { // the same length: the Random Numbers decide
		va, vz = vz, va
	}
	return append(va, vz...)
}

// TestAuthCookieEcho checks the COOKIE ECHO cases of RFC 4895 Sections
// 6.2 and 6.3: the COOKIE ECHO goes alone unless Z asks for it to be
// authenticated; then the AUTH chunk comes first, and Z, which has no
// association yet, verifies it from the cookie. (The order of a COOKIE
// ECHO and an AUTH chunk for a later chunk: TestBuilderAuth in packet.)
func TestAuthCookieEcho(t *testing.T) {
	for _, tc := range []struct {
		name  string
		z     []chunk.Type
		types []chunk.Type
	}{
		{"DATA", []chunk.Type{chunk.TypeData}, []chunk.Type{chunk.TypeCookieEcho}},
		{"COOKIE ECHO", []chunk.Type{chunk.TypeCookieEcho, chunk.TypeData},
			[]chunk.Type{chunk.TypeAuth, chunk.TypeCookieEcho}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgA, cfgZ := scenarioConfigs(4)
			cfgZ.Auth.Chunks = tc.z
			p, c := newScenarioPair(t, 4, cfgA, cfgZ)
			require.NoError(t, p.Connect())
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("early")))
			require.True(t, p.RunUntil(time.Minute, p.Established))
			sps := c.with(associationtest.AddrA, chunk.TypeCookieEcho)
			require.Len(t, sps, 1)
			require.Equal(t, tc.types, sps[0].types())
			require.True(t, p.RunUntil(time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 1 }))
			require.Equal(t, []byte("early"), messagesOf(p.DeliveredZ)[0].Data)
			require.True(t, p.Z.AuthActive())
		})
	}
}

// TestAuthSendChunks: Config.Auth.SendChunks authenticates DATA that the
// peer did not ask for (RFC 4895 Section 6.2: "The other chunks MAY be
// sent whether or not they have been authenticated"); the peer verifies
// the AUTH chunk and takes the DATA.
func TestAuthSendChunks(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(8)
	cfgA.Auth.SendChunks = []chunk.Type{chunk.TypeData}
	p, c := newScenarioPair(t, 8, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	require.Equal(t, []byte("unasked"), sendAndDeliver(t, p, []byte("unasked")).Data)
	sps := c.with(associationtest.AddrA, chunk.TypeData)
	require.NotEmpty(t, sps)
	for _, sp := range sps {
		require.Equal(t, []chunk.Type{chunk.TypeAuth, chunk.TypeData}, sp.types())
	}
	require.Zero(t, p.Z.Stats().Auth)
	require.Zero(t, c.count(associationtest.AddrZ, chunk.TypeAuth), "Z authenticates nothing unasked")

	cfgA.Auth.SendChunks = []chunk.Type{chunk.TypeCookieEcho}
	cfgA = cfgA.WithDefaults()
	require.ErrorIs(t, cfgA.Validate(), association.ErrInvalidConfig)
}

// TestAuthFullSizedData: with DATA authenticated, a message as large as
// a packet without AUTH would carry, and a larger one fragmented, arrive
// whole, every packet within the PMTU: the AUTH chunk takes its room from
// the user data (a message between the two sizes was never sent).
func TestAuthFullSizedData(t *testing.T) {
	p, c := authPair(t, 9, nil, []chunk.Type{chunk.TypeData})
	mtu := p.A.Paths()[0].MTU
	for _, n := range []int{fullSize(mtu), fullSize(mtu) - 40, 10000} {
		msg := bytes.Repeat([]byte{byte(n)}, n)
		require.Equal(t, msg, sendAndDeliver(t, p, msg).Data, "%d bytes", n)
	}
	for _, sp := range c.with(associationtest.AddrA, chunk.TypeData) {
		require.LessOrEqual(t, len(sp.pkt.Bytes()), mtu)
		require.Equal(t, chunk.TypeAuth, sp.types()[0])
	}
	require.Equal(t, fullSize(mtu)-40, p.A.Status().FragmentationPoint)
}

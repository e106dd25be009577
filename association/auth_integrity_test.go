package association_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// TestAuthCookieKeepsAdvertised: the Acceptor's AUTH configuration
// changes between its INIT ACK and the COOKIE ECHO. The association
// authenticates with what the INIT ACK advertised, which the State Cookie
// carries (RFC 4895 Section 6.3: "using the RANDOM parameters, CHUNKS
// parameters and HMAC_ALGO parameters obtained from the COOKIE-ECHO
// chunk"; Section 6.1: the key vectors are the parameters "sent by each
// endpoint"): it asks for what A was told to authenticate, and its
// association shared key is A's. DATA flows, nothing is discarded.
func TestAuthCookieKeepsAdvertised(t *testing.T) {
	for i, tc := range []struct {
		name          string
		before, after []chunk.Type
		want          []chunk.Type
	}{
		{"DATA dropped", []chunk.Type{chunk.TypeData}, nil,
			[]chunk.Type{chunk.TypeData, chunk.TypeASCONFAck, chunk.TypeASCONF}},
		{"DATA added", nil, []chunk.Type{chunk.TypeData},
			[]chunk.Type{chunk.TypeASCONFAck, chunk.TypeASCONF}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(2100 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.Auth.Chunks = []chunk.Type{chunk.TypeSACK}
			cfgZ.Auth.Chunks = tc.before
			p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
			changed := false
			p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
				if ct, _ := sim.FirstChunkType(d.Data); ct == chunk.TypeCookieEcho && !changed {
					changed = true
					cfg := p.Acceptor.Config()
					cfg.Auth.Chunks = tc.after
					require.NoError(t, p.Acceptor.SetConfig(cfg))
				}
				return sim.Pass
			})
			require.NoError(t, p.Handshake())
			require.True(t, changed)
			require.Equal(t, tc.want, p.Z.LocalAuthChunks())
			require.Equal(t, tc.want, p.A.PeerAuthChunks())
			require.Equal(t, []byte("advertised"), sendAndDeliver(t, p, []byte("advertised")).Data)
			require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("back")))
			require.True(t, p.RunUntil(5*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }),
				"discards %v", p.Discards)
			require.Zero(t, p.Z.Stats().Auth)
			require.Zero(t, p.A.Stats().Auth)
			// A new association gets the new configuration.
			cfg := p.Acceptor.Config()
			require.Equal(t, ourChunks(tc.after), cfg.Auth.LocalChunks())
		})
	}
}

// ourChunks returns the CHUNKS list of a configuration asking for ts.
func ourChunks(ts []chunk.Type) []chunk.Type {
	return (&association.AuthConfig{Chunks: ts}).LocalChunks()
}

// TestAuthBadHMACChangesNothing: a packet with the right tag whose AUTH
// chunk does not verify changes nothing (RFC 4895 Section 6.3), neither
// the UDP port of the path it claims to come from (RFC 6951 Section 5.4
// learns it from verified packets only) nor, in SHUTDOWN-SENT, the
// T2-shutdown timer and error counter that a packet from the peer
// restarts and clears (RFC 9260 Section 9.2). The same packet with a
// valid HMAC does both.
func TestAuthBadHMACChangesNothing(t *testing.T) {
	p, c := authPair(t, 2110, []chunk.Type{chunk.TypeSACK}, []chunk.Type{chunk.TypeData})
	sendAndDeliver(t, p, []byte("real"))
	key := sharedKeyFromCapture(t, c)
	zTag, _ := p.Z.Tags()
	moved := netip.AddrPortFrom(p.AddrA.Addr(), p.AddrA.Port()+1)
	data := nextDataOf(t, c, "forged")
	bad := authPacket(headerAZ(zTag), nil, data)
	require.Error(t, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: moved, To: p.AddrZ.Addr(), Data: bad}))
	require.Equal(t, p.AddrA, p.Z.Paths()[0].Addr, "UDP port learned from a packet failing AUTH")
	require.Equal(t, association.AuthStats{BadHMAC: 1}, p.Z.Stats().Auth)
	good := authPacket(headerAZ(zTag), key, data)
	require.NoError(t, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: moved, To: p.AddrZ.Addr(), Data: good}))
	require.Equal(t, moved, p.Z.Paths()[0].Addr, "the valid packet teaches the port")

	// A in SHUTDOWN-SENT, its SHUTDOWN lost once: T2 expired, error
	// counter 1.
	p2, c2 := authPair(t, 2111, []chunk.Type{chunk.TypeSACK}, []chunk.Type{chunk.TypeData})
	key2 := sharedKeyFromCapture(t, c2)
	aTag, _ := p2.A.Tags()
	p2.Net.AddFilter(func(*sim.Datagram) sim.Verdict { return sim.Drop })
	require.NoError(t, p2.A.Shutdown(p2.Now))
	p2.Run(1500 * time.Millisecond)
	require.Equal(t, association.StateShutdownSent, p2.A.State())
	require.Equal(t, 1, association.ErrorCount(p2.A))
	t2 := association.T2Deadline(p2.A)
	require.NotEqual(t, timer.Never, t2)
	p2.Now = p2.Now.Add(100 * time.Millisecond)
	hb := &chunk.HeartbeatAck{Info: []byte("forged")}
	forged := authPacket(headerZA(aTag), nil, hb)
	require.Error(t, p2.A.HandleDatagram(&association.Datagram{Now: p2.Now, From: p2.AddrZ, To: p2.AddrA.Addr(), Data: forged}))
	require.Equal(t, 1, association.ErrorCount(p2.A), "error counter cleared by a packet failing AUTH")
	require.Equal(t, t2, association.T2Deadline(p2.A), "T2 restarted by a packet failing AUTH")
	valid := authPacket(headerZA(aTag), key2, hb)
	_ = p2.A.HandleDatagram(&association.Datagram{Now: p2.Now, From: p2.AddrZ, To: p2.AddrA.Addr(), Data: valid})
	require.Zero(t, association.ErrorCount(p2.A))
	require.Greater(t, association.T2Deadline(p2.A), t2)
}

// authPacket returns a packet with header h of an AUTH chunk (HMAC-SHA-256,
// the null key) followed by cs, the HMAC computed with the association
// shared key key (RFC 4895 Section 6.2), or left zero with key nil.
func authPacket(h packet.Header, key []byte, cs ...chunk.Chunk) []byte {
	au := &chunk.Auth{HMACID: uint16(chunk.HMACSHA256), HMAC: make([]byte, sha256.Size)}
	b := packetOf(h, append([]chunk.Chunk{au}, cs...)...)
	if key != nil {
		signAt(b, packet.HeaderLen, key)
	}
	return b
}

// signAt fills the HMAC of the AUTH chunk (HMAC-SHA-256) at offset off of
// the packet b, computed over it (its HMAC field zero) and the rest of b
// with key, and the packet's checksum.
func signAt(b []byte, off int, key []byte) {
	clear(b[off+8 : off+8+sha256.Size])
	m := hmac.New(sha256.New, key)
	m.Write(b[off:])
	copy(b[off+8:off+8+sha256.Size], m.Sum(nil))
	packet.SetChecksum(b)
}

// TestAuthOneAUTHPerPacket: a packet with two AUTH chunks, both valid
// (the second covers the DATA, the first the second and the DATA), is
// discarded whole without computing an HMAC: a sender puts one AUTH
// chunk before what it authenticates (RFC 4895 Section 6.2), and each
// more would cost the receiver an HMAC over the rest of the packet. The
// packet with one of them is taken.
func TestAuthOneAUTHPerPacket(t *testing.T) {
	p, c := authPair(t, 2120, nil, []chunk.Type{chunk.TypeData})
	sendAndDeliver(t, p, []byte("real"))
	key := sharedKeyFromCapture(t, c)
	zTag, _ := p.Z.Tags()
	data := nextDataOf(t, c, "twice")
	au := func() *chunk.Auth {
		return &chunk.Auth{HMACID: uint16(chunk.HMACSHA256), HMAC: make([]byte, sha256.Size)}
	}
	two := packetOf(headerAZ(zTag), au(), au(), data)
	second := packet.HeaderLen + au().Len()
	signAt(two, second, key)
	signAt(two, packet.HeaderLen, key)
	err := p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, To: p.AddrZ.Addr(), Data: two})
	require.Error(t, err)
	require.Equal(t, association.AuthStats{ExtraAuth: 1}, p.Z.Stats().Auth)
	p.Exchange()
	require.Len(t, messagesOf(p.DeliveredZ), 1, "DATA after two AUTH chunks taken")

	one := authPacket(headerAZ(zTag), key, data)
	require.NoError(t, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, To: p.AddrZ.Addr(), Data: one}))
	p.Exchange()
	require.Len(t, messagesOf(p.DeliveredZ), 2)
	require.Equal(t, []byte("twice"), messagesOf(p.DeliveredZ)[1].Data)
}

// TestAuthRestartKeepsKeys: A restarts (RFC 9260 Section 5.2.4 action A)
// while both ends authenticate DATA with the endpoint-pair key 1 that
// their users set (the null key deleted on the new A). Z keeps the keys
// and the active key its user set (RFC 6458 Sections 8.3.3 and 8.1.18:
// they are the user's, not the association's), and makes the association
// shared key from the new Random Numbers: data flows both ways after the
// restart.
func TestAuthRestartKeepsKeys(t *testing.T) {
	const seed = 2130
	secret := []byte("endpoint pair secret")
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.Auth.Chunks = []chunk.Type{chunk.TypeData}
	cfgZ.Auth.Chunks = cfgA.Auth.Chunks
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	for _, a := range []*association.Association{p.A, p.Z} {
		require.NoError(t, a.SetAuthKey(1, secret))
		require.NoError(t, a.SetActiveAuthKey(1))
	}
	sendAndDeliver(t, p, []byte("before"))

	cfgA2, _ := scenarioConfigs(seed + 1000)
	cfgA2.Auth.Chunks = cfgA.Auth.Chunks
	cfgA2.Auth.Keys = association.AuthKeys{{ID: 1, Secret: secret}}
	cfgA2.Auth.ActiveKey = 1
	a2, err := association.New(cfgA2, p.Now, p.AddrZ)
	require.NoError(t, err)
	p.A, p.DeliveredA = a2, nil
	zEvents := len(p.DeliveredZ)
	require.NoError(t, a2.Connect(p.Now))
	require.True(t, p.RunUntil(10*time.Second, p.Established))
	require.Equal(t, []association.AssocChangeState{association.Restart}, assocStates(p.DeliveredZ[zEvents:]))

	keys, active, err := p.Z.AuthKeys()
	require.NoError(t, err)
	require.Equal(t, uint16(1), active)
	require.Contains(t, keys, association.AuthKey{ID: 1, Secret: secret})
	require.Equal(t, []byte("after"), sendAndDeliver(t, p, []byte("after")).Data)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("back")))
	require.True(t, p.RunUntil(5*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }),
		"discards %v", p.Discards)
	require.Zero(t, p.Z.Stats().Auth)
	require.Zero(t, p.A.Stats().Auth)
}

// TestAuthOneAUTHPerCookieEcho: the COOKIE ECHO that would create Z
// comes with a second valid AUTH chunk after it (AUTH, COOKIE ECHO,
// AUTH): the Acceptor discards the packet without verifying either (see
// TestAuthOneAUTHPerPacket). A's COOKIE ECHO sent again, as A sent it,
// creates the association, and the DATA arrives once.
func TestAuthOneAUTHPerCookieEcho(t *testing.T) {
	const seed = 2140
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.Auth.Chunks = []chunk.Type{chunk.TypeCookieEcho, chunk.TypeData}
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	rewritten := false
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		pkt, err := packet.Parse(d.Data, packet.Options{})
		if rewritten || err != nil || d.From != p.AddrA {
			return sim.Pass
		}
		var offs []int
		var types []chunk.Type
		it := pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			offs, types = append(offs, r.Offset), append(types, r.Type)
		}
		if len(types) != 2 || types[1] != chunk.TypeCookieEcho {
			return sim.Pass
		}
		rewritten = true
		auth := d.Data[offs[0]:offs[1]]
		out := append(append([]byte(nil), d.Data...), auth...)
		second := len(d.Data)
		key := sharedKeyFromCapture(t, c)
		signAt(out, second, key)
		signAt(out, packet.HeaderLen, key)
		d.Data = out
		return sim.Pass
	})
	require.NoError(t, p.Connect())
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("early")))
	require.True(t, p.RunUntil(time.Minute, p.Established))
	require.True(t, rewritten)
	require.Equal(t, 1, p.Discards["more than one AUTH chunk"], "discards %v", p.Discards)
	require.True(t, p.RunUntil(time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 1 }))
	p.Run(time.Second)
	require.Len(t, messagesOf(p.DeliveredZ), 1)
}

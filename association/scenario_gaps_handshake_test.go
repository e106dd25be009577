package association_test

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Scenario tests of the handshake: Table 12 action C, unexpected INIT
// chunks and their tie-tags, unknown INIT and INIT ACK parameters, the
// signed State Cookie, the Cookie Preservative and path confirmation by
// HEARTBEAT nonce.

// ghInitAck parses the INIT ACK of a captured packet.
func ghInitAck(t *testing.T, sp *sentPacket) *chunk.InitAck {
	t.Helper()
	r, ok := sp.chunk(chunk.TypeInitAck)
	require.True(t, ok, "no INIT ACK in %v", sp.types())
	var ack chunk.InitAck
	parseChunk(t, r, &ack)
	return &ack
}

// ghCookieEcho parses the COOKIE ECHO of a captured packet.
func ghCookieEcho(t *testing.T, sp *sentPacket) []byte {
	t.Helper()
	r, ok := sp.chunk(chunk.TypeCookieEcho)
	require.True(t, ok, "no COOKIE ECHO in %v", sp.types())
	var ce chunk.CookieEcho
	parseChunk(t, r, &ce)
	return ce.Cookie
}

// ghInspect reads the State Cookie cookie, signed with keys.
func ghInspect(t *testing.T, keys *association.CookieKeys, cookie []byte) association.CookieInfo {
	t.Helper()
	ci, err := association.InspectCookie(keys, cookie)
	require.NoError(t, err)
	return ci
}

// ghEditInitParams returns a filter that rewrites the parameters of every
// INIT (typ chunk.TypeInit) or INIT ACK (chunk.TypeInitAck) sent from
// from with edit, recomputing the checksum.
func ghEditInitParams(from netip.AddrPort, typ chunk.Type, edit func([]chunk.Param) []chunk.Param) sim.Filter {
	return func(d *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(d.Data); ct != typ || d.From != from {
			return sim.Pass
		}
		pkt, err := packet.Parse(d.Data, packet.Options{})
		if err != nil {
			return sim.Pass
		}
		it := pkt.Chunks()
		r, _ := it.Next()
		var b packet.Builder
		b.Reset(nil, pkt.Header, 1<<16)
		switch typ {
		case chunk.TypeInit:
			var c chunk.Init
			if _, err := c.Parse(r.Bytes); err != nil {
				return sim.Pass
			}
			c.Params = edit(c.Params)
			b.Add(&c)
		default:
			var c chunk.InitAck
			if _, err := c.Parse(r.Bytes); err != nil {
				return sim.Pass
			}
			c.Params = edit(c.Params)
			b.Add(&c)
		}
		d.Data = b.Finish()
		return sim.Pass
	}
}

// ghInit is an INIT a restarted A could send.
func ghInit(tag chunk.VerificationTag, ps ...chunk.Param) *chunk.Init {
	return &chunk.Init{InitiateTag: tag, ARwnd: 1 << 16, OutboundStreams: 10, InboundStreams: 10,
		InitialTSN: 1000, Params: ps}
}

// RFC 9260 Section 5.2.4, Table 12, row (C): local tag X, peer's tag M,
// both tie-tags 0: "In this case, the local endpoint's cookie has arrived
// late. Before it arrived, the local endpoint sent an INIT chunk and
// received an INIT ACK chunk and finally sent a COOKIE ECHO chunk with the
// peer's same tag but a new tag of its own. The cookie SHOULD be silently
// discarded. The endpoint SHOULD NOT change states and SHOULD leave any
// timers running."
//
// The scenario: Z's endpoint answers A's INIT statelessly (cookie with a
// tag Z1 of its own and no tie-tags); A's COOKIE ECHO is held up on the
// link; meanwhile Z's user connects to A with a new tag Z2, A (in
// COOKIE-ECHOED) answers with its unchanged tag, and the association comes
// up by action B at A. Then A's first COOKIE ECHO arrives at Z.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.4
func TestScenarioLateCookieEchoActionC(t *testing.T) {
	const seed = 300
	cfgA, cfgZ := scenarioConfigs(seed)
	keys := association.NewCookieKeys(associationtest.Config(seed, 0, 0).Rand, 0)
	cfgZ.Cookies = keys // shared by Z's Acceptor and Z's own association
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	held := false
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(d.Data); ct == chunk.TypeCookieEcho && d.From == p.AddrA && !held {
			held = true
			return sim.Delay(300 * time.Millisecond)
		}
		return sim.Pass
	})
	require.NoError(t, p.Connect())
	require.True(t, p.RunUntil(time.Second, func() bool { return p.A.State() == association.StateCookieEchoed }))
	require.Nil(t, p.Z, "the Acceptor keeps no state for A's INIT")

	// Z's user connects to A.
	cfgZ2, _ := scenarioConfigs(seed + 1)
	cfgZ2.LocalPort, cfgZ2.PeerPort = 5001, 5000
	cfgZ2.Cookies = keys
	z, err := association.New(cfgZ2, p.Now, p.AddrA)
	require.NoError(t, err)
	p.Z = z
	require.NoError(t, z.Connect(p.Now))
	require.True(t, p.RunUntil(time.Second, p.Established), "seed %d: A %v Z %v", seed, p.A.State(), z.State())
	localZ, peerZ := z.Tags()
	localA, peerA := p.A.Tags()
	require.Equal(t, localZ, peerA, "A took Z's new tag (action B)")
	require.Equal(t, localA, peerZ)
	eventsZ := len(p.DeliveredZ)
	deadlineZ := z.NextDeadline()
	require.Equal(t, 0, p.Discards["late cookie (action C)"])

	// The late COOKIE ECHO arrives.
	require.True(t, p.RunUntil(time.Second, func() bool { return p.Discards["late cookie (action C)"] == 1 }),
		"seed %d: discards %v", seed, p.Discards)
	echoes := c.with(p.AddrA, chunk.TypeCookieEcho)
	require.Len(t, echoes, 1, "A sent one COOKIE ECHO: the held one")
	late := ghInspect(t, keys, ghCookieEcho(t, echoes[0]))
	// The row of Table 12: local tag X, peer's tag M, tie-tags 0.
	require.NotEqual(t, localZ, late.LocalTag)
	require.Equal(t, peerZ, late.PeerTag)
	require.Zero(t, late.LocalTieTag)
	require.Zero(t, late.PeerTieTag)
	require.Equal(t, late.LocalTag, echoes[0].pkt.VerificationTag, "the packet matches its cookie")

	// Silently discarded: no COOKIE ACK, no state or tag change, no event,
	// timers left as they were.
	require.Zero(t, c.count(p.AddrZ, chunk.TypeCookieAck))
	require.Equal(t, association.StateEstablished, z.State())
	l, pe := z.Tags()
	require.Equal(t, [2]chunk.VerificationTag{localZ, peerZ}, [2]chunk.VerificationTag{l, pe})
	require.Len(t, p.DeliveredZ, eventsZ)
	require.Equal(t, deadlineZ, z.NextDeadline())
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ))
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA))

	// The association works both ways.
	m := sendAndDeliver(t, p, []byte("to Z"))
	require.Equal(t, []byte("to Z"), m.Data)
	require.NoError(t, z.Send(p.Now, association.SendInfo{}, []byte("to A")))
	require.True(t, p.RunUntil(5*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }),
		"seed %d: Z's message not delivered; discards %v", seed, p.Discards)
	require.Equal(t, []byte("to A"), messagesOf(p.DeliveredA)[0].Data)
}

// ghZInState brings an established pair's Z into state (ESTABLISHED or
// one of the shutdown states), with the link Z -> A cut where needed so
// that it stays there.
func ghZInState(t *testing.T, p *associationtest.Pair, state association.State) {
	t.Helper()
	pending := func() {
		p.Net.SetDown(p.AddrZ, p.AddrA, true)
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("outstanding")))
		p.Exchange()
	}
	switch state {
	case association.StateShutdownPending:
		pending()
		require.NoError(t, p.Z.Shutdown(p.Now))
	case association.StateShutdownSent:
		p.Net.SetDown(p.AddrZ, p.AddrA, true)
		require.NoError(t, p.Z.Shutdown(p.Now))
	case association.StateShutdownReceived:
		pending()
		require.NoError(t, p.A.Shutdown(p.Now))
	case association.StateShutdownAckSent:
		p.Net.SetDown(p.AddrZ, p.AddrA, true)
		require.NoError(t, p.A.Shutdown(p.Now))
	}
	p.Run(100 * time.Millisecond)
	require.Equal(t, state, p.Z.State())
}

// RFC 9260 Section 5.2.2: "upon receipt of an unexpected INIT chunk for
// this association, the endpoint MUST generate an INIT ACK chunk with a
// State Cookie. ... the endpoint MUST copy its current Tie-Tags to a
// reserved place within the State Cookie and the association's TCB. ...
// The outbound SCTP packet containing this INIT ACK chunk MUST carry a
// Verification Tag value equal to the Initiate Tag found in the unexpected
// INIT chunk. And the INIT ACK chunk MUST contain a new Initiate Tag" and
// "After sending the INIT ACK or ABORT chunk, the endpoint MUST take no
// further actions". Section 1.3 defines the Tie-Tags: "Two 32-bit random
// numbers that together make a 64-bit nonce. These tags are used within a
// State Cookie and TCB so that a newly restarting association can be
// linked to the original association within the endpoint that did not
// restart and yet not reveal the true Verification Tags of an existing
// association." In SHUTDOWN-ACK-SENT, Section 9.2 applies instead: "the
// endpoint MUST discard the INIT chunk and retransmit the SHUTDOWN ACK
// chunk."
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.2
func TestScenarioUnexpectedInitTieTags(t *testing.T) {
	states := []association.State{association.StateEstablished, association.StateShutdownPending,
		association.StateShutdownSent, association.StateShutdownReceived, association.StateShutdownAckSent}
	for i, state := range states {
		t.Run(state.String(), func(t *testing.T) {
			seed := uint64(310 + i)
			p, c := establishedPair(t, seed)
			ghZInState(t, p, state)
			localZ, peerZ := p.Z.Tags()
			eventsZ := len(p.DeliveredZ)
			keys := association.CookieKeysOf(p.Z)

			// Two INITs of a restarting A (the second a retransmission).
			var cookies []association.CookieInfo
			for k, tag := range []chunk.VerificationTag{0x0badcafe, 0x0badcafe} {
				start := p.Now
				forge(p, p.AddrA, p.AddrZ, headerAZ(0), ghInit(tag))
				p.Run(20 * time.Millisecond)
				acks := c.since(start).with(p.AddrZ, chunk.TypeInitAck)
				if state == association.StateShutdownAckSent {
					require.Empty(t, acks, "no INIT ACK in SHUTDOWN-ACK-SENT")
					require.Equal(t, 1, c.since(start).count(p.AddrZ, chunk.TypeShutdownAck),
						"the SHUTDOWN ACK is retransmitted")
					continue
				}
				require.Len(t, acks, 1, "INIT %d", k)
				sp := acks[0]
				require.Equal(t, []chunk.Type{chunk.TypeInitAck}, sp.types())
				require.Equal(t, tag, sp.pkt.VerificationTag, "the INIT's Initiate Tag as Verification Tag")
				require.Equal(t, p.AddrA, sp.to, "sent to the source of the INIT")
				ack := ghInitAck(t, sp)
				require.NotZero(t, ack.InitiateTag)
				require.NotEqual(t, localZ, ack.InitiateTag, "a new Initiate Tag")
				ci := ghInspect(t, keys, ack.StateCookie().Cookie)
				require.Equal(t, ack.InitiateTag, ci.LocalTag)
				require.Equal(t, tag, ci.PeerTag)
				cookies = append(cookies, ci)
			}
			if state != association.StateShutdownAckSent {
				lt, pt := association.TieTagsOf(p.Z)
				for _, ci := range cookies {
					// The cookie's tie-tags are those of the TCB, a nonce:
					// non-zero and not the verification tags.
					require.NotZero(t, ci.LocalTieTag)
					require.NotZero(t, ci.PeerTieTag)
					require.Equal(t, [2]chunk.VerificationTag{lt, pt},
						[2]chunk.VerificationTag{ci.LocalTieTag, ci.PeerTieTag})
					for _, tag := range []chunk.VerificationTag{localZ, peerZ} {
						require.NotEqual(t, tag, ci.LocalTieTag, "the tie-tags reveal a verification tag")
						require.NotEqual(t, tag, ci.PeerTieTag, "the tie-tags reveal a verification tag")
					}
				}
			}
			// The existing association is unchanged.
			require.Equal(t, state, p.Z.State())
			l, pe := p.Z.Tags()
			require.Equal(t, [2]chunk.VerificationTag{localZ, peerZ}, [2]chunk.VerificationTag{l, pe})
			require.Len(t, p.DeliveredZ, eventsZ, "no event")
		})
	}
}

// RFC 9260 Section 5.2.4 action A with the tie-tags of Section 5.2.2:
// the cookie of either INIT ACK sent to a restarting peer (its INIT was
// retransmitted, and it echoes the first cookie) links the restart to the
// association: "Tie-Tags in Cookie_Z match Tie-Tags in TCB, Tags do not
// match, i.e., case X X M M above, Announce Restart to ULP and reset
// association" (Figure 5).
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.4.1
func TestScenarioRestartWithFirstCookie(t *testing.T) {
	const seed = 320
	p, c := establishedPair(t, seed)
	oldZ, _ := p.Z.Tags()
	zEvents := len(p.DeliveredZ)
	// A restarts; its first COOKIE ECHO (for the first INIT ACK) is held
	// back until after its INIT was retransmitted and answered.
	p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeInitAck, 0))
	start := p.Now
	restartA(t, p, seed+1000)
	p.Run(1500 * time.Millisecond) // two INITs, two INIT ACKs dropped
	acks := c.since(start).with(p.AddrZ, chunk.TypeInitAck)
	require.Len(t, acks, 2)
	first := append([]byte(nil), ghInitAck(t, acks[0]).StateCookie().Cookie...)
	firstTag := ghInitAck(t, acks[0]).InitiateTag
	_, aPeer := p.A.Tags()
	require.Zero(t, aPeer, "A got no INIT ACK")
	// A echoes the first cookie (as if the first INIT ACK had arrived).
	local, _ := p.A.Tags()
	forge(p, p.AddrA, p.AddrZ, headerAZ(firstTag), &chunk.CookieEcho{Cookie: first})
	p.Run(20 * time.Millisecond)
	evZ := p.DeliveredZ[zEvents:]
	require.Equal(t, []association.AssocChangeState{association.Restart}, assocStates(evZ), "seed %d", seed)
	newZ, peerOfZ := p.Z.Tags()
	require.NotEqual(t, oldZ, newZ)
	require.Equal(t, firstTag, newZ, "the restarted TCB takes the first cookie's tag")
	require.Equal(t, local, peerOfZ)
}

// RFC 9260 Section 5.2.2: "Before responding, the endpoint MUST check to
// see if the unexpected INIT chunk adds new addresses to the association.
// If new addresses are added to the association, the endpoint MUST
// respond with an ABORT chunk, copying the 'Initiate Tag' of the
// unexpected INIT chunk into the 'Verification Tag' of the outbound packet
// carrying the ABORT chunk. In the ABORT chunk, the error cause MAY be set
// to "Restart of an Association with New Addresses". The error SHOULD
// list the addresses that were added to the restarting association."
// Section 5.2.1, in COOKIE-ECHOED: "If the INIT chunk indicates that a new
// address has been added to the association, then the entire INIT chunk
// MUST be discarded, and the state of the existing association SHOULD NOT
// be changed. An ABORT chunk SHOULD be sent". Section 3.3.10.11: "Each New
// Address TLV is an exact copy of the TLV that was found in the INIT chunk
// that was new". Section 5.1.2 C: the receiver "MUST derive and record
// all the transport addresses from the received chunk AND the source IP
// address that sent the INIT or INIT ACK chunk", so a new source address
// is a new address too.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.2
func TestScenarioRestartWithNewAddresses(t *testing.T) {
	newAddr := netip.MustParseAddr("10.0.0.9")
	newSrc := netip.MustParseAddrPort("10.0.0.7:9899")
	cases := []struct {
		name        string
		cookieEchod bool // the receiver is A in COOKIE-ECHOED, else Z established
		src         bool // the INIT comes from newSrc
		params      []chunk.Param
		newTLVs     []chunk.Param // expected in the cause
	}{
		{"established/new-param", false, false,
			[]chunk.Param{chunk.AddressParam(associationtest.AddrA.Addr()), chunk.AddressParam(newAddr)},
			[]chunk.Param{chunk.AddressParam(newAddr)}},
		{"established/new-source", false, true, nil, []chunk.Param{chunk.AddressParam(newSrc.Addr())}},
		{"cookie-echoed/new-param", true, false,
			[]chunk.Param{chunk.AddressParam(newAddr)}, []chunk.Param{chunk.AddressParam(newAddr)}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(330 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			p, c := newScenarioPair(t, seed, cfgA, cfgZ)
			recv, peer := &p.Z, p.AddrA
			if tc.cookieEchod {
				p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeCookieEcho, 0))
				require.NoError(t, p.Connect())
				p.Run(100 * time.Millisecond)
				require.Equal(t, association.StateCookieEchoed, p.A.State())
				recv, peer = &p.A, p.AddrZ
			} else {
				require.NoError(t, p.Handshake())
			}
			a := *recv
			state := a.State()
			local, remote := a.Tags()
			src := peer
			if tc.src {
				src = newSrc
			}
			h := headerAZ(0)
			dst := p.AddrZ
			if tc.cookieEchod {
				h, dst = headerZA(0), p.AddrA
			}
			const tag = chunk.VerificationTag(0x5eed1e55)
			start := p.Now
			forge(p, src, dst, h, ghInit(tag, tc.params...))
			p.Run(20 * time.Millisecond)

			out := c.since(start).with(dst, chunk.TypeAbort)
			require.Len(t, out, 1, "seed %d", seed)
			require.Zero(t, c.since(start).count(dst, chunk.TypeInitAck), "no INIT ACK")
			sp := out[0]
			require.Equal(t, tag, sp.pkt.VerificationTag, "the INIT's Initiate Tag")
			require.Equal(t, src, sp.to, "the ABORT answers the source of the INIT")
			r, _ := sp.chunk(chunk.TypeAbort)
			var ab chunk.Abort
			parseChunk(t, r, &ab)
			require.False(t, ab.Flags.Reflected(), "T bit clear: the tag is the INIT's")
			require.Len(t, ab.Causes, 1)
			cause, ok := ab.Causes[0].(*chunk.RestartWithNewAddressesCause)
			require.True(t, ok, "cause %T", ab.Causes[0])
			require.Equal(t, chunk.CauseRestartWithNewAddresses, cause.CauseCode())
			var want []byte
			for _, prm := range tc.newTLVs {
				want = prm.Append(want)
			}
			require.Equal(t, want, cause.Addresses, "the new addresses, exactly")

			// The existing association is unchanged and still works.
			require.Equal(t, state, a.State())
			l, pe := a.Tags()
			require.Equal(t, [2]chunk.VerificationTag{local, remote}, [2]chunk.VerificationTag{l, pe})
			if !tc.cookieEchod {
				m := sendAndDeliver(t, p, []byte("still up"))
				require.Equal(t, []byte("still up"), m.Data)
				require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ))
			}
		})
	}
}

// RFC 9260 Section 3.2.1, Table 3: the two high bits of an unrecognized
// parameter type say "00 Stop processing this parameter and do not
// process any further parameters within this chunk. 01 Stop processing
// this parameter, do not process any further parameters within this
// chunk, and report the unrecognized parameter, as described in Section
// 3.2.2. 10 Skip this parameter and continue processing. 11 Skip this
// parameter and continue processing, but report the unrecognized
// parameter". "Please note that, when an INIT or INIT ACK chunk is
// received, in all four cases, an INIT ACK or COOKIE ECHO chunk is sent in
// response, respectively. In the 00 or 01 case, the processing of the
// parameters after the unknown parameter is canceled, but no processing
// already done is rolled back." Section 3.2.2: the receiver of an INIT "MUST
// put the "Unrecognized Parameter" parameter(s) in the INIT ACK chunk"; the
// receiver of an INIT ACK "SHOULD bundle the ERROR chunk containing the
// "Unrecognized Parameters" error cause with the chunk sent in response
// (e.g., COOKIE ECHO)" — "Any time a COOKIE ECHO chunk is sent in a
// packet, it MUST be the first chunk."
//
// The INIT (or INIT ACK) gets [unknown, Adaptation Layer Indication,
// second unknown (11)] in front of its parameters: the Adaptation Layer
// Indication reaches the user only when processing went on past the first
// unknown parameter, and the second unknown one is reported only then.
// https://www.rfc-editor.org/rfc/rfc9260#section-3.2.1
func TestScenarioUnknownInitParameters(t *testing.T) {
	const indication = 0xa1b2c3d4
	actions := []struct {
		name         string
		typ          chunk.ParamType
		stop, report bool
	}{
		{"00", 0x3f01, true, false},
		{"01", 0x7f01, true, true},
		{"10", 0xbf01, false, false},
		{"11", 0xff01, false, true},
	}
	second := &chunk.UnknownParam{Type: 0xff02, Value: []byte{9, 9, 9, 9}}
	for j, in := range []chunk.Type{chunk.TypeInit, chunk.TypeInitAck} {
		for i, act := range actions {
			t.Run(in.String()+"/"+act.name, func(t *testing.T) {
				seed := uint64(340 + 10*j + i)
				require.False(t, act.typ.Known())
				require.Equal(t, act.stop, act.typ.Action().Stop())
				require.Equal(t, act.report, act.typ.Action().Report())
				cfgA, cfgZ := scenarioConfigs(seed)
				p, c := newScenarioPair(t, seed, cfgA, cfgZ)
				unknown := &chunk.UnknownParam{Type: act.typ, Value: []byte{1, 2, 3, 4, 5}}
				sender := p.AddrA
				if in == chunk.TypeInitAck {
					sender = p.AddrZ
				}
				p.Net.AddFilter(ghEditInitParams(sender, in, func(ps []chunk.Param) []chunk.Param {
					return append([]chunk.Param{unknown,
						&chunk.AdaptationLayerIndication{Indication: indication}, second}, ps...)
				}))
				require.NoError(t, p.Handshake(), "seed %d", seed)

				// What must be reported: the TLVs, padding included.
				var want []byte
				if act.report {
					want = unknown.Append(want)
				}
				if !act.stop {
					want = second.Append(want)
				}
				receiverEvents := p.DeliveredZ
				if in == chunk.TypeInitAck {
					receiverEvents = p.DeliveredA
				}
				switch in {
				case chunk.TypeInit:
					acks := c.with(p.AddrZ, chunk.TypeInitAck)
					require.Len(t, acks, 1)
					var got []byte
					for _, prm := range ghInitAck(t, acks[0]).Params {
						if u, ok := prm.(*chunk.UnrecognizedParameter); ok {
							got = append(got, u.Param...)
						}
					}
					require.Equal(t, want, got, "Unrecognized Parameter parameters in the INIT ACK")
				case chunk.TypeInitAck:
					echoes := c.with(p.AddrA, chunk.TypeCookieEcho)
					require.Len(t, echoes, 1)
					types := echoes[0].types()
					require.Equal(t, chunk.TypeCookieEcho, types[0], "COOKIE ECHO first")
					if want == nil {
						require.Equal(t, []chunk.Type{chunk.TypeCookieEcho}, types)
						require.Empty(t, eventsOf[*association.RemoteError](p.DeliveredZ))
						break
					}
					require.Equal(t, []chunk.Type{chunk.TypeCookieEcho, chunk.TypeError}, types)
					r, _ := echoes[0].chunk(chunk.TypeError)
					var oe chunk.OperationError
					parseChunk(t, r, &oe)
					require.Len(t, oe.Causes, 1)
					cause, ok := oe.Causes[0].(*chunk.UnrecognizedParametersCause)
					require.True(t, ok, "cause %T", oe.Causes[0])
					require.Equal(t, want, cause.Params)
					errs := eventsOf[*association.RemoteError](p.DeliveredZ)
					require.Len(t, errs, 1, "Z reports the ERROR")
					require.Equal(t, chunk.CauseUnrecognizedParameters, errs[0].Error)
				}
				// Parameters after a "stop" one are not processed.
				ad := eventsOf[*association.AdaptationEvent](receiverEvents)
				if act.stop {
					require.Empty(t, ad, "the Adaptation Layer Indication after the stop was processed")
				} else {
					require.Len(t, ad, 1)
					require.Equal(t, uint32(indication), ad[0].Indication)
				}
				m := sendAndDeliver(t, p, []byte("up"))
				require.Equal(t, []byte("up"), m.Data)
			})
		}
	}
}

// RFC 9260 Section 5.1.3: "Inside this State Cookie, the sender MUST
// include a MAC ... to provide integrity protection on the State Cookie."
// Section 5.1.5 steps 1 and 2: "Compute a MAC using the information
// carried in the State Cookie and the secret key." ... "Authenticate the
// State Cookie as one that it previously generated by comparing the
// computed MAC against the one carried in the State Cookie. If this
// comparison fails, the SCTP packet, including the COOKIE ECHO chunk and
// any DATA chunks, MUST be silently discarded." Every single-bit change
// anywhere in a genuine cookie, in its signed part or in its MAC, is
// refused by the Acceptor: no association, no reply.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.1.5
func TestScenarioTamperedCookieRejected(t *testing.T) {
	const seed = 350
	cfg := associationtest.Config(seed, 5001, 5000)
	acc, err := association.NewAcceptor(cfg)
	require.NoError(t, err)
	now := timer.Time(0)
	h := packet.Header{SrcPort: 5000, DstPort: 5001}
	reply := acc.HandleInit(now, h, ghInit(0x1234abcd, chunk.AddressParam(associationtest.AddrA.Addr())), nil)
	require.NotNil(t, reply)
	pkt, err := packet.Parse(reply, packet.Options{})
	require.NoError(t, err)
	it := pkt.Chunks()
	r, _ := it.Next()
	var ack chunk.InitAck
	parseChunk(t, r, &ack)
	genuine := append([]byte(nil), ack.StateCookie().Cookie...)
	ci := ghInspect(t, acc.Cookies(), genuine)
	require.Equal(t, ack.InitiateTag, ci.LocalTag)

	echo := func(cookie []byte) (*association.Association, []byte, error) {
		var b packet.Builder
		b.Reset(nil, packet.Header{SrcPort: 5000, DstPort: 5001, VerificationTag: ack.InitiateTag}, 1<<16)
		b.Add(&chunk.CookieEcho{Cookie: cookie})
		b.Add(&chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 1000, UserData: []byte("bundled")})
		p, err := packet.Parse(b.Finish(), packet.Options{})
		require.NoError(t, err)
		d := association.Datagram{Now: now.Add(time.Millisecond), From: associationtest.AddrA, Data: p.Bytes()}
		return acc.HandleCookieEcho(&d, &p, nil)
	}
	for i := range genuine {
		for bit := range 8 {
			bad := append([]byte(nil), genuine...)
			bad[i] ^= 1 << bit
			a, out, err := echo(bad)
			require.Nil(t, a, "byte %d bit %d: association created from a tampered cookie", i, bit)
			require.Nil(t, out, "byte %d bit %d: the packet is discarded silently", i, bit)
			var de *association.DiscardError
			require.True(t, errors.As(err, &de), "byte %d bit %d: %v", i, bit, err)
			require.Equal(t, chunk.TypeCookieEcho, de.Chunk)
		}
	}
	// Truncated or extended cookies are refused too.
	for _, bad := range [][]byte{genuine[:len(genuine)-1], genuine[1:], append(append([]byte(nil), genuine...), 0)} {
		a, out, err := echo(bad)
		require.Nil(t, a)
		require.Nil(t, out)
		require.Error(t, err)
	}
	// The genuine cookie is accepted, with its bundled DATA.
	a, _, err := echo(genuine)
	require.NoError(t, err)
	require.NotNil(t, a)
	require.Equal(t, association.StateEstablished, a.State())
	var msgs []association.Message
	for d, ok := a.Poll(); ok; d, ok = a.Poll() {
		if d.Event == nil {
			msgs = append(msgs, d.Message)
		}
	}
	require.Len(t, msgs, 1)
	require.Equal(t, []byte("bundled"), msgs[0].Data)
}

// RFC 9260 Section 5.2.4 steps 1 and 2 apply the same check to a COOKIE
// ECHO for an existing association: a restart cookie with one bit changed
// is discarded, and the association is not restarted.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.4
func TestScenarioTamperedRestartCookie(t *testing.T) {
	const seed = 351
	p, c := establishedPair(t, seed)
	oldZ, oldPeer := p.Z.Tags()
	zEvents := len(p.DeliveredZ)
	p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeInitAck, 0))
	start := p.Now
	restartA(t, p, seed+1000)
	p.Run(500 * time.Millisecond)
	acks := c.since(start).with(p.AddrZ, chunk.TypeInitAck)
	require.Len(t, acks, 1)
	ack := ghInitAck(t, acks[0])
	genuine := ack.StateCookie().Cookie
	for _, i := range []int{0, 5, 20, 40, len(genuine) / 2, len(genuine) - 33, len(genuine) - 1} {
		bad := append([]byte(nil), genuine...)
		bad[i] ^= 0x10
		forge(p, p.AddrA, p.AddrZ, headerAZ(ack.InitiateTag), &chunk.CookieEcho{Cookie: bad})
		p.Run(20 * time.Millisecond)
		require.Equal(t, association.StateEstablished, p.Z.State())
		l, pe := p.Z.Tags()
		require.Equal(t, [2]chunk.VerificationTag{oldZ, oldPeer}, [2]chunk.VerificationTag{l, pe}, "byte %d", i)
		require.Len(t, p.DeliveredZ, zEvents, "byte %d: no restart", i)
	}
	require.Equal(t, 7, p.Discards["bad cookie"])
	require.Zero(t, c.since(start).count(p.AddrZ, chunk.TypeCookieAck))
	// The genuine one restarts the association.
	forge(p, p.AddrA, p.AddrZ, headerAZ(ack.InitiateTag), &chunk.CookieEcho{Cookie: genuine})
	p.Run(20 * time.Millisecond)
	require.Equal(t, []association.AssocChangeState{association.Restart}, assocStates(p.DeliveredZ[zEvents:]))
}

// RFC 9260 Section 5.2.6 alternative 3: "Send a new INIT chunk to the
// endpoint, adding a Cookie Preservative parameter requesting an extension
// to the life time of the State Cookie." Section 3.3.2.1.3: the parameter
// "indicates to the receiver how much increment in milliseconds the sender
// wishes the receiver to add to its default cookie life span" (the
// receiver "MAY choose to ignore the suggested cookie life span increase
// for its own security reasons"; gensctp's Acceptor grants at most one
// more Valid.Cookie.Life). The second cookie lives longer, and a COOKIE
// ECHO that the first cookie's life would have made stale is accepted.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.6
func TestScenarioCookiePreservativeHonoured(t *testing.T) {
	const seed = 360
	const life = 100 * time.Millisecond
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.CookieLife = life
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	// The first COOKIE ECHO is 200 ms late, the second 150 ms: both are
	// older than one cookie life when they arrive.
	n := 0
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(d.Data); ct != chunk.TypeCookieEcho {
			return sim.Pass
		}
		n++
		switch n {
		case 1:
			return sim.Delay(200 * time.Millisecond)
		case 2:
			return sim.Delay(150 * time.Millisecond)
		}
		return sim.Pass
	})
	require.NoError(t, p.Handshake(), "seed %d", seed)
	require.Equal(t, 1, c.count(p.AddrZ, chunk.TypeError), "one Stale Cookie error")
	require.Equal(t, 2, c.count(p.AddrA, chunk.TypeInit))

	acks := c.with(p.AddrZ, chunk.TypeInitAck)
	require.Len(t, acks, 2)
	keys := p.Acceptor.Cookies()
	first := ghInspect(t, keys, ghInitAck(t, acks[0]).StateCookie().Cookie)
	second := ghInspect(t, keys, ghInitAck(t, acks[1]).StateCookie().Cookie)
	require.Equal(t, life, first.Lifetime)
	require.Equal(t, 2*life, second.Lifetime, "the suggested increment, capped at one cookie life")

	echoes := c.with(p.AddrA, chunk.TypeCookieEcho)
	require.Len(t, echoes, 2)
	arrival := echoes[1].at.Add(scenarioLink.Delay + 150*time.Millisecond)
	age := arrival.Sub(second.Created)
	require.Greater(t, age, first.Lifetime, "the first cookie's life would have made it stale")
	require.LessOrEqual(t, age, second.Lifetime)
	require.Equal(t, 1, c.count(p.AddrZ, chunk.TypeCookieAck))
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ))
}

// RFC 9260 Section 5.2.6 lets the endpoint that gets a Stale Cookie error
// in COOKIE-ECHOED "1) Send a new INIT chunk ... 2) Discard the TCB and
// report to the upper layer the inability to set up the association. 3)
// Send a new INIT chunk ... adding a Cookie Preservative". Retrying
// without bound loops forever against a peer whose cookies always go stale
// (here a Valid.Cookie.Life of 1 ms over a 20 ms round trip, which the
// capped Cookie Preservative cannot cover): gensctp retries at most
// Max.Init.Retransmits times (Section 5.1.6: "This is repeated
// 'Max.Init.Retransmits' times before "A" considers "Z" unreachable and
// reports the failure to its upper layer"), then reports CantAssoc.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.2.6
func TestScenarioStaleCookieRetriesBounded(t *testing.T) {
	const seed = 365
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.MaxInitRetransmits = 3
	cfgZ.CookieLife = time.Millisecond
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Connect())
	require.True(t, p.RunUntil(time.Minute, func() bool { return p.A.State() == association.StateClosed }),
		"seed %d: still %v after %d INITs", seed, p.A.State(), c.count(p.AddrA, chunk.TypeInit))
	require.Equal(t, 4, c.count(p.AddrA, chunk.TypeInit), "the INIT and three retries")
	require.Equal(t, 4, c.count(p.AddrZ, chunk.TypeError), "each cookie was stale")
	require.Equal(t, 4, c.count(p.AddrA, chunk.TypeCookieEcho))
	ev := eventsOf[*association.AssocChange](p.DeliveredA)
	require.Len(t, ev, 1)
	require.Equal(t, association.CantAssoc, ev[0].State)
	require.Equal(t, chunk.CauseStaleCookie, ev[0].Error)
	require.Equal(t, timer.Never, p.A.NextDeadline(), "no timer left running")
	require.Nil(t, p.Z, "no association on Z")
	p.Run(10 * time.Second)
	require.Equal(t, 4, c.count(p.AddrA, chunk.TypeInit), "nothing more is sent")
}

// RFC 9260 Section 5.4: "Upon receipt of the HEARTBEAT ACK chunk, a
// verification is made that the nonce included in the Heartbeat Info
// parameter is the one sent to the address indicated inside the Heartbeat
// Info parameter. When this match occurs, the address that the original
// HEARTBEAT was sent to is now considered CONFIRMED and available for
// normal data transfer." Section 3.3.5: "When a HEARTBEAT chunk is being
// used for path verification purposes, it MUST include a random nonce of
// length 64 bits or longer". A HEARTBEAT ACK whose nonce was changed
// confirms nothing.
// https://www.rfc-editor.org/rfc/rfc9260#section-5.4
func TestScenarioHeartbeatAckWrongNonce(t *testing.T) {
	const seed = 370
	za := netip.MustParseAddrPort("10.0.0.2:9899")
	zb := netip.MustParseAddrPort("10.0.5.2:9899")
	cfgA, cfgZ := scenarioConfigs(seed)
	logSeedOnFailure(t, seed)
	p, err := associationtest.NewMultihomedPair(seed, cfgA, cfgZ, scenarioLink,
		[]netip.AddrPort{associationtest.AddrA}, []netip.AddrPort{za, zb})
	require.NoError(t, err)
	c := capturePackets(p)
	// Change the nonce (bytes 4 to 11 of gensctp's heartbeat information)
	// of every HEARTBEAT ACK Z sends from its second address.
	tamper := true
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(d.Data); ct != chunk.TypeHeartbeatAck || !tamper {
			return sim.Pass
		}
		pkt, err := packet.Parse(d.Data, packet.Options{})
		if err != nil {
			return sim.Pass
		}
		it := pkt.Chunks()
		r, _ := it.Next()
		var hb chunk.HeartbeatAck
		if _, err := hb.Parse(r.Bytes); err != nil || len(hb.Info) < 12 {
			return sim.Pass
		}
		info := append([]byte(nil), hb.Info...)
		binary.BigEndian.PutUint64(info[4:], binary.BigEndian.Uint64(info[4:])^0xffff)
		var b packet.Builder
		b.Reset(nil, pkt.Header, 1<<16)
		b.Add(&chunk.HeartbeatAck{Info: info})
		d.Data = b.Finish()
		return sim.Pass
	})
	require.NoError(t, p.Handshake())
	state := func() association.PathState {
		for _, pi := range p.A.Paths() {
			if pi.Addr.Addr() == zb.Addr() {
				return pi.State
			}
		}
		t.Fatalf("no path to %v", zb)
		return 0
	}
	require.Equal(t, association.PathUnconfirmed, state())
	p.Run(10 * time.Second)
	// A probed the unconfirmed address and got answers, none with its
	// nonce.
	require.GreaterOrEqual(t, c.count(p.AddrA, chunk.TypeHeartbeat), 3)
	require.GreaterOrEqual(t, c.count(za, chunk.TypeHeartbeatAck)+c.count(zb, chunk.TypeHeartbeatAck), 3)
	require.Equal(t, association.PathUnconfirmed, state(), "a HEARTBEAT ACK with a wrong nonce confirmed the path")
	require.GreaterOrEqual(t, p.Discards["stale heartbeat nonce"], 3)
	for _, e := range eventsOf[*association.PaddrChange](p.DeliveredA) {
		require.NotEqual(t, association.AddrConfirmed, e.State)
	}
	// With the nonce intact, the next probe confirms it.
	tamper = false
	require.True(t, p.RunUntil(time.Minute, func() bool { return state() == association.PathActive }))
	var confirmed []netip.AddrPort
	for _, e := range eventsOf[*association.PaddrChange](p.DeliveredA) {
		if e.State == association.AddrConfirmed {
			confirmed = append(confirmed, e.Addr)
		}
	}
	require.Len(t, confirmed, 1)
	require.Equal(t, zb.Addr(), confirmed[0].Addr())
}

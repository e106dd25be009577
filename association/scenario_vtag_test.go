package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// rewriteFirstData installs a one-shot filter that rebuilds the first
// packet from A carrying DATA with edit, which may change the header and
// the chunks (each chunk is kept as a raw chunk.Unknown that re-encodes to
// the same bytes); the checksum is recomputed.
func rewriteFirstData(p *associationtest.Pair, edit func(h *packet.Header, cs []chunk.Chunk) []chunk.Chunk) {
	done := false
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if done || d.From != p.AddrA {
			return sim.Pass
		}
		pkt, err := packet.Parse(d.Data, packet.Options{})
		if err != nil {
			return sim.Pass
		}
		var cs []chunk.Chunk
		hasData := false
		it := pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			hasData = hasData || r.Type == chunk.TypeData
			cs = append(cs, &chunk.Unknown{ChunkType: r.Type, Flags: r.Flags, Value: append([]byte(nil), r.Value()...)})
		}
		if !hasData {
			return sim.Pass
		}
		done = true
		h := pkt.Header
		cs = edit(&h, cs)
		var b packet.Builder
		b.Reset(nil, h, 1<<16)
		for _, c := range cs {
			b.Add(c)
		}
		d.Data = b.Finish()
		return sim.Pass
	})
}

// RFC 9260 Section 3.2: "00 - Stop processing this SCTP packet; discard
// the unrecognized chunk and all further chunks. 01 - Stop processing this
// SCTP packet, discard the unrecognized chunk and all further chunks, and
// report the unrecognized chunk in an ERROR chunk using the 'Unrecognized
// Chunk Type' error cause. 10 - Skip this chunk and continue processing.
// 11 - Skip this chunk and continue processing, but report it in an ERROR
// chunk using the 'Unrecognized Chunk Type' error cause."
//
// The unknown chunk is inserted in front of the DATA chunk of a packet A
// sends. When the rest of the packet is discarded, the DATA arrives only
// with A's T3-rtx retransmission.
// https://www.rfc-editor.org/rfc/rfc9260#section-3.2
func TestScenarioUnrecognizedChunk(t *testing.T) {
	cases := []struct {
		typ             chunk.Type
		deliver, report bool
	}{
		{0x3e, false, false}, // 00
		{0x7e, false, true},  // 01
		{0xbe, true, false},  // 10
		{0xfe, true, true},   // 11
	}
	for i, tc := range cases {
		t.Run(tc.typ.Action().String(), func(t *testing.T) {
			seed := uint64(120 + i)
			p, c := establishedPair(t, seed)
			sendAndDeliver(t, p, []byte("first"))
			p.Run(time.Second)
			unknown := &chunk.Unknown{ChunkType: tc.typ, Flags: 0x55, Value: []byte{1, 2, 3, 4, 5}}
			rewriteFirstData(p, func(_ *packet.Header, cs []chunk.Chunk) []chunk.Chunk {
				return append([]chunk.Chunk{unknown}, cs...)
			})
			start := p.Now
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("after the unknown chunk")))
			p.Run(500 * time.Millisecond) // less than the RTO

			got := len(messagesOf(p.DeliveredZ))
			errs := c.since(start).with(p.AddrZ, chunk.TypeError)
			remote := eventsOf[*association.RemoteError](p.DeliveredA)
			if tc.deliver {
				require.Equal(t, 2, got, "seed %d: the DATA after the chunk is processed", seed)
				require.Len(t, c.since(start).with(p.AddrZ, chunk.TypeSACK), 1)
			} else {
				require.Equal(t, 1, got, "seed %d: the rest of the packet is discarded", seed)
				require.Empty(t, c.since(start).with(p.AddrZ, chunk.TypeSACK))
			}
			if tc.report {
				require.Len(t, errs, 1, "seed %d", seed)
				r, _ := errs[0].chunk(chunk.TypeError)
				var oe chunk.OperationError
				parseChunk(t, r, &oe)
				require.Len(t, oe.Causes, 1)
				uc, ok := oe.Causes[0].(*chunk.UnrecognizedChunkTypeCause)
				require.True(t, ok, "cause %T", oe.Causes[0])
				// The cause carries the whole chunk: type, flags, length
				// and value.
				require.Equal(t, unknown.Append(nil)[:4+len(unknown.Value)], uc.Chunk)
				require.Len(t, remote, 1)
				require.Equal(t, chunk.CauseUnrecognizedChunkType, remote[0].Error)
			} else {
				require.Empty(t, errs)
				require.Empty(t, remote)
			}
			// Either way the message arrives exactly once, and the
			// association carries on.
			p.Run(5 * time.Second)
			require.Len(t, messagesOf(p.DeliveredZ), 2, "seed %d", seed)
			wantSends := 1
			if !tc.deliver {
				wantSends = 2 // the T3-rtx retransmission
			}
			require.Len(t, c.since(start).with(p.AddrA, chunk.TypeData), wantSends)
			require.Equal(t, association.StateEstablished, p.A.State())
			require.Equal(t, association.StateEstablished, p.Z.State())
		})
	}
}

// RFC 9260 Section 8.5: "If the received Verification Tag value does not
// match the receiver's own tag value, the receiver MUST silently discard
// the packet and MUST NOT process it any further".
// https://www.rfc-editor.org/rfc/rfc9260#section-8.5
func TestScenarioWrongVerificationTag(t *testing.T) {
	for i, wrong := range []func(chunk.VerificationTag) chunk.VerificationTag{
		func(tag chunk.VerificationTag) chunk.VerificationTag { return tag + 1 },
		func(chunk.VerificationTag) chunk.VerificationTag { return 0 },
		func(tag chunk.VerificationTag) chunk.VerificationTag { return ^tag },
	} {
		seed := uint64(130 + i)
		p, c := establishedPair(t, seed)
		sendAndDeliver(t, p, []byte("first"))
		p.Run(time.Second)
		local, _ := p.Z.Tags()
		rewriteFirstData(p, func(h *packet.Header, cs []chunk.Chunk) []chunk.Chunk {
			h.VerificationTag = wrong(h.VerificationTag)
			return cs
		})
		start := p.Now
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("second")))
		forge(p, p.AddrA, p.AddrZ, headerAZ(wrong(local)), &chunk.Heartbeat{Info: []byte("ping")})
		p.Run(500 * time.Millisecond)
		require.Len(t, messagesOf(p.DeliveredZ), 1, "seed %d: the DATA is discarded", seed)
		require.Empty(t, c.since(start).with(p.AddrZ, chunk.TypeSACK), "seed %d: nothing acknowledged", seed)
		require.Empty(t, c.since(start).with(p.AddrZ, chunk.TypeHeartbeatAck), "seed %d: nothing answered", seed)
		// The retransmission, with the right tag, is delivered.
		p.Run(5 * time.Second)
		require.Len(t, messagesOf(p.DeliveredZ), 2, "seed %d", seed)
		require.Equal(t, []byte("second"), messagesOf(p.DeliveredZ)[1].Data)
		require.Equal(t, uint64(1), p.A.Stats().Retransmissions, "seed %d", seed)
	}
}

// RFC 9260 Section 8.5.1 E: "If the receiver is in COOKIE-ECHOED or
// COOKIE-WAIT state, the procedures in Section 8.4 SHOULD be followed; in
// other words, it is treated as an OOTB packet." Section 8.4 rule 5: "When
// sending the SHUTDOWN COMPLETE chunk, the receiver of the OOTB packet MUST
// fill in the Verification Tag field of the outbound packet with the
// Verification Tag received in the SHUTDOWN ACK chunk and set the T bit in
// the Chunk Flags to indicate that the Verification Tag is reflected."
// Section 9.2: "The sender of the INIT chunk lets T1-init continue running
// and remains in the COOKIE-WAIT or COOKIE-ECHOED state."
// https://www.rfc-editor.org/rfc/rfc9260#section-8.5.1
func TestScenarioShutdownAckDuringHandshake(t *testing.T) {
	cases := []struct {
		name  string
		state association.State
		// tag of the forged SHUTDOWN ACK, from A's local tag.
		tag func(local chunk.VerificationTag) chunk.VerificationTag
	}{
		{"cookie-wait/stale-tag", association.StateCookieWait, func(l chunk.VerificationTag) chunk.VerificationTag { return l ^ 0xdead }},
		{"cookie-wait/own-tag", association.StateCookieWait, func(l chunk.VerificationTag) chunk.VerificationTag { return l }},
		{"cookie-echoed/stale-tag", association.StateCookieEchoed, func(l chunk.VerificationTag) chunk.VerificationTag { return l ^ 0xbeef }},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(131 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			p, c := newScenarioPair(t, seed, cfgA, cfgZ)
			// Hold the handshake at the wanted state: drop every INIT, or
			// every COOKIE ECHO.
			held := chunk.TypeInit
			if tc.state == association.StateCookieEchoed {
				held = chunk.TypeCookieEcho
			}
			remove := p.Net.AddFilter(sim.DropFirstChunk(held, 0))
			require.NoError(t, p.Connect())
			require.True(t, p.RunUntil(time.Second, func() bool { return p.A.State() == tc.state }))
			p.Run(100 * time.Millisecond)
			local, _ := p.A.Tags()
			tag := tc.tag(local)
			start := p.Now
			// A forged ERROR(Stale Cookie) rides along: it must not be
			// processed, the packet being out of the blue.
			stale := &chunk.StaleCookieCause{}
			stale.SetDuration(time.Second)
			forge(p, p.AddrZ, p.AddrA, headerZA(tag), &chunk.ShutdownAck{},
				&chunk.OperationError{Causes: []chunk.Cause{stale}})
			p.Run(10 * time.Millisecond)

			scs := c.since(start).with(p.AddrA, chunk.TypeShutdownComplete)
			require.Len(t, scs, 1, "seed %d", seed)
			require.Equal(t, []chunk.Type{chunk.TypeShutdownComplete}, scs[0].types(), "stand-alone")
			require.Equal(t, tag, scs[0].pkt.VerificationTag, "the received tag")
			r, _ := scs[0].chunk(chunk.TypeShutdownComplete)
			require.True(t, chunk.TFlags(r.Flags).Reflected(), "T bit")
			require.Equal(t, tc.state, p.A.State(), "A stays in its state")
			require.Empty(t, c.since(start).with(p.AddrA, chunk.TypeInit), "the ERROR was not processed")

			// T1 goes on and the association still comes up.
			remove()
			require.True(t, p.RunUntil(time.Minute, p.Established), "seed %d", seed)
			require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredA))
		})
	}
}

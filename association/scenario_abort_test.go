package association_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// RFC 9260 Section 9.1: "If an endpoint decides to abort an existing
// association, it MUST send an ABORT chunk to its peer endpoint." ... "Upon
// receipt of the ABORT chunk, the receiving endpoint MUST NOT send any SCTP
// packets in response ... it MUST delete the TCB, and it SHOULD report the
// termination to its upper layer". Section 3.3.10.12: the "User-Initiated
// Abort" cause carries "the Upper Layer Abort Reason". Section 10.1 ABORT:
// "Any pending data or queued data can be delivered" back to the user.
// https://www.rfc-editor.org/rfc/rfc9260#section-9.1
func TestScenarioUserAbort(t *testing.T) {
	const seed, n, size = 70, 20, 1200
	p, c := establishedPair(t, seed)
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = numbered(i, size)
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1, PPID: 99, Context: uint32(i)}, msgs[i]))
	}
	p.Exchange() // the first DATA packets are on the wire, the rest queued
	require.Positive(t, p.A.Outstanding())
	require.Positive(t, p.A.Buffered())
	reason := []byte("operator said so")
	abortAt := p.Now
	p.A.Abort(p.Now, reason)
	require.Equal(t, association.StateClosed, p.A.State())
	require.ErrorIs(t, p.A.Send(p.Now, association.SendInfo{}, []byte("x")), association.ErrClosed)
	p.Run(10 * time.Second)

	// A: every message comes back, in order, the sent ones marked so, then
	// CommLost with the User-Initiated Abort code.
	failed := eventsOf[*association.SendFailed](p.DeliveredA)
	require.Len(t, failed, n)
	sawUnsent := false
	for i, f := range failed {
		require.Equal(t, msgs[i], f.Data, "message %d", i)
		require.Equal(t, uint32(i), f.Info.Context)
		require.Equal(t, chunk.PPID(99), f.Info.PPID)
		if !f.Sent {
			sawUnsent = true
		}
		require.False(t, sawUnsent && f.Sent, "a sent message after an unsent one")
	}
	require.True(t, failed[0].Sent)
	require.True(t, sawUnsent)
	evA := eventsOf[*association.AssocChange](p.DeliveredA)
	require.Equal(t, association.CommLost, evA[len(evA)-1].State)
	require.Equal(t, chunk.CauseUserInitiatedAbort, evA[len(evA)-1].Error)

	// Z: CommLost with the cause and the reason bytes.
	require.Equal(t, association.StateClosed, p.Z.State())
	evZ := eventsOf[*association.AssocChange](p.DeliveredZ)
	require.Equal(t, []association.AssocChangeState{association.CommUp, association.CommLost}, assocStates(p.DeliveredZ))
	lost := evZ[1]
	require.Equal(t, chunk.CauseUserInitiatedAbort, lost.Error)
	require.Len(t, lost.Causes, 1)
	uia, ok := lost.Causes[0].(*chunk.UserInitiatedAbortCause)
	require.True(t, ok, "cause %T", lost.Causes[0])
	require.Equal(t, reason, uia.Reason)

	// On the wire: one ABORT from A, nothing from Z after it arrived.
	// What Z had sent before is out of the blue for the closed A, which
	// answers it (RFC 9260 Section 8.4 rule 8) with ABORTs with the T bit,
	// sent before Z's last packets could have seen the first ABORT.
	aborts := c.with(p.AddrA, chunk.TypeAbort)
	require.NotEmpty(t, aborts)
	_, peer := p.A.Tags()
	require.Equal(t, peer, aborts[0].pkt.VerificationTag)
	r, _ := aborts[0].chunk(chunk.TypeAbort)
	require.False(t, chunk.TFlags(r.Flags).Reflected())
	for _, ab := range aborts[1:] {
		r, _ := ab.chunk(chunk.TypeAbort)
		require.True(t, chunk.TFlags(r.Flags).Reflected(), "an out-of-the-blue answer")
		require.LessOrEqual(t, ab.at, abortAt.Add(2*scenarioLink.Delay), "answers only what Z sent before the ABORT arrived")
	}
	require.Zero(t, c.count(p.AddrZ, chunk.TypeAbort)+c.count(p.AddrZ, chunk.TypeError), "Z answered the ABORT")
	for _, sp := range c.since(abortAt.Add(scenarioLink.Delay + 1)).pkts {
		require.NotEqual(t, p.AddrZ, sp.from, "Z sent %v after the ABORT", sp.types())
	}
}

// RFC 9260 Section 8.5.1 B: "The receiver of an ABORT chunk MUST accept
// the packet if the Verification Tag field of the packet matches its own
// tag and the T bit is not set OR if it is set to its Peer's Tag and the T
// bit is set in the Chunk Flags. Otherwise, the receiver MUST silently
// discard the packet and take no further action."
// https://www.rfc-editor.org/rfc/rfc9260#section-8.5.1
func TestScenarioAbortVerificationTag(t *testing.T) {
	cases := []struct {
		name   string
		tag    func(local, peer chunk.VerificationTag) chunk.VerificationTag
		t      bool
		accept bool
	}{
		{"own-tag", func(l, _ chunk.VerificationTag) chunk.VerificationTag { return l }, false, true},
		{"peer-tag-reflected", func(_, pt chunk.VerificationTag) chunk.VerificationTag { return pt }, true, true},
		{"wrong-tag", func(l, _ chunk.VerificationTag) chunk.VerificationTag { return l ^ 0x5a5a }, false, false},
		{"own-tag-but-T-bit", func(l, _ chunk.VerificationTag) chunk.VerificationTag { return l }, true, false},
		{"peer-tag-without-T-bit", func(_, pt chunk.VerificationTag) chunk.VerificationTag { return pt }, false, false},
		{"zero-tag", func(_, _ chunk.VerificationTag) chunk.VerificationTag { return 0 }, true, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(71 + i)
			p, _ := establishedPair(t, seed)
			local, peer := p.Z.Tags()
			ab := &chunk.Abort{Causes: []chunk.Cause{&chunk.UserInitiatedAbortCause{Reason: []byte("forged")}}}
			if tc.t {
				ab.Flags = chunk.FlagT
			}
			forge(p, p.AddrA, p.AddrZ, headerAZ(tc.tag(local, peer)), ab)
			p.Run(time.Second)
			if !tc.accept {
				require.Equal(t, association.StateEstablished, p.Z.State(), "seed %d", seed)
				require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ))
				m := sendAndDeliver(t, p, []byte("still up"))
				require.Equal(t, []byte("still up"), m.Data)
				return
			}
			require.Equal(t, association.StateClosed, p.Z.State(), "seed %d", seed)
			require.Equal(t, []association.AssocChangeState{association.CommUp, association.CommLost}, assocStates(p.DeliveredZ))
		})
	}
}

// RFC 9260 Section 8.5.1 B holds for an ABORT that is not the first chunk
// of its packet: after a HEARTBEAT under Z's own tag, an ABORT with the T
// bit set (which claims the peer's tag) is not accepted; one without it is.
func TestScenarioAbortBundledVerificationTag(t *testing.T) {
	for i, reflected := range []bool{true, false} {
		t.Run(fmt.Sprintf("T=%v", reflected), func(t *testing.T) {
			seed := uint64(81 + i)
			p, _ := establishedPair(t, seed)
			local, _ := p.Z.Tags()
			ab := &chunk.Abort{}
			if reflected {
				ab.Flags = chunk.FlagT
			}
			hb := &chunk.Heartbeat{Info: []byte("probe")}
			forge(p, p.AddrA, p.AddrZ, headerAZ(local), hb, ab)
			p.Run(time.Second)
			if reflected {
				require.Equal(t, association.StateEstablished, p.Z.State(), "seed %d", seed)
				m := sendAndDeliver(t, p, []byte("still up"))
				require.Equal(t, []byte("still up"), m.Data)
				return
			}
			require.Equal(t, association.StateClosed, p.Z.State(), "seed %d", seed)
		})
	}
}

// RFC 9260 Section 3.3.7: "If an endpoint receives an ABORT chunk with a
// format error or no TCB is found, it MUST silently discard it." An ABORT
// whose error cause claims 20 bytes in a chunk of 8 is malformed: the
// association stays up.
// https://www.rfc-editor.org/rfc/rfc9260#section-3.3.7
func TestScenarioAbortMalformedCauseDiscarded(t *testing.T) {
	p, _ := establishedPair(t, 311)
	zTag, _ := p.Z.Tags()
	// Cause code 12 (User-Initiated Abort), Cause Length 20, no more.
	forge(p, p.AddrA, p.AddrZ, headerAZ(zTag), &chunk.Unknown{ChunkType: chunk.TypeAbort, Value: []byte{0, 12, 0, 20}})
	p.Run(time.Second)
	require.Equal(t, association.StateEstablished, p.Z.State())
	require.Equal(t, []association.AssocChangeState{association.CommUp}, assocStates(p.DeliveredZ))
	require.Equal(t, []byte("still up"), sendAndDeliver(t, p, []byte("still up")).Data)
}

// RFC 9260 Section 9.1: "Upon receipt of the ABORT chunk, the receiving
// endpoint MUST NOT send any SCTP packets in response". A packet [DATA,
// ABORT] (the DATA asking for an immediate SACK) ends the association and
// draws nothing, not even the SACK the DATA would have had.
// https://www.rfc-editor.org/rfc/rfc9260#section-9.1
func TestScenarioAbortAfterDataSendsNothing(t *testing.T) {
	p, c := establishedPair(t, 312)
	m := sendAndDeliver(t, p, []byte("first"))
	p.Run(time.Second)
	zTag, _ := p.Z.Tags()
	start := p.Now
	forge(p, p.AddrA, p.AddrZ, headerAZ(zTag),
		&chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd | chunk.FlagImmediate, TSN: m.TSN + 1, SSN: m.SSN + 1, UserData: []byte("last")},
		&chunk.Abort{})
	p.Run(time.Second)
	require.Equal(t, association.StateClosed, p.Z.State())
	require.Equal(t, []byte("last"), messagesOf(p.DeliveredZ)[1].Data, "the DATA was processed")
	for _, sp := range c.since(start).pkts {
		require.NotEqual(t, p.AddrZ, sp.from, "Z sent %v", sp.types())
	}
}

// RFC 9260 Section 6.2: a DATA chunk without user data gets "an ABORT
// chunk with a "No User Data" error cause", whose TSN field "contains the
// TSN of the DATA chunk received with no User Data field" (Section
// 3.3.10.9).
// https://www.rfc-editor.org/rfc/rfc9260#section-3.3.10.9
func TestScenarioAbortNoUserDataTSN(t *testing.T) {
	p, c := establishedPair(t, 313)
	m := sendAndDeliver(t, p, []byte("first"))
	p.Run(time.Second)
	zTag, _ := p.Z.Tags()
	tsn := m.TSN + 1
	forge(p, p.AddrA, p.AddrZ, headerAZ(zTag), &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: tsn})
	p.Run(time.Second)
	require.Equal(t, association.StateClosed, p.Z.State())
	aborts := c.with(p.AddrZ, chunk.TypeAbort)
	require.Len(t, aborts, 1)
	require.Equal(t, tsn, soleCause[*chunk.NoUserDataCause](t, aborts[0], chunk.TypeAbort).TSN)
}

// The reason of a user abort may be of any size, but the ABORT must fit
// the PMTU (RFC 9260 Section 6.10): the Upper Layer Abort Reason (Section
// 3.3.10.12) is cut to fit, and the peer learns of the abort.
func TestScenarioUserAbortLongReason(t *testing.T) {
	p, c := establishedPair(t, 314)
	reason := bytes.Repeat([]byte("why "), 25000)
	p.A.Abort(p.Now, reason)
	p.Run(time.Second)
	require.Equal(t, association.StateClosed, p.Z.State())
	aborts := c.with(p.AddrA, chunk.TypeAbort)
	require.Len(t, aborts, 1)
	require.LessOrEqual(t, len(aborts[0].pkt.Bytes()), p.A.Config().MTU)
	evZ := eventsOf[*association.AssocChange](p.DeliveredZ)
	require.Equal(t, chunk.CauseUserInitiatedAbort, evZ[len(evZ)-1].Error)
	ua, ok := evZ[len(evZ)-1].Causes[0].(*chunk.UserInitiatedAbortCause)
	require.True(t, ok)
	require.True(t, bytes.HasPrefix(reason, ua.Reason))
	require.NotEmpty(t, ua.Reason)
}

// sentAfter drains what a sends now and returns the chunk types of each
// packet.
func sentAfter(t *testing.T, a *association.Association, now timer.Time) [][]chunk.Type {
	var pkts [][]chunk.Type
	for {
		out, ok := a.AppendPacket(now, nil)
		if !ok {
			return pkts
		}
		pp, err := packet.Parse(out.Data, packet.Options{})
		require.NoError(t, err)
		var types []chunk.Type
		it := pp.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			types = append(types, r.Type)
		}
		pkts = append(pkts, types)
	}
}

// sackDueAtZ returns an established pair whose Z owes A a SACK at once: it
// got DATA with the I bit and has sent nothing since. It returns Z's tag.
func sackDueAtZ(t *testing.T, seed uint64) (*associationtest.Pair, chunk.VerificationTag) {
	p, _ := establishedPair(t, seed)
	m := sendAndDeliver(t, p, []byte("first"))
	p.Run(time.Second)
	zTag, _ := p.Z.Tags()
	d := packetOf(headerAZ(zTag), &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd | chunk.FlagImmediate,
		TSN: m.TSN + 1, SSN: m.SSN + 1, UserData: []byte("last")})
	require.NoError(t, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: d}))
	return p, zTag
}

// RFC 9260 Section 9.1: after an ABORT "the receiving endpoint MUST NOT
// send any SCTP packets in response". The stack handles a batch of
// datagrams (recvmmsg) before it drains the output: a SACK due for DATA in
// one datagram is not sent once an ABORT in the next closed the
// association.
func TestScenarioAbortAfterDataAcrossDatagrams(t *testing.T) {
	p, zTag := sackDueAtZ(t, 315)
	require.NoError(t, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: packetOf(headerAZ(zTag), &chunk.Abort{})}))
	require.Equal(t, association.StateClosed, p.Z.State())
	require.Empty(t, sentAfter(t, p.Z, p.Now))
}

// RFC 9260 Section 3.3.7: control chunks bundled with an ABORT "MUST be
// placed before the ABORT chunk". A user abort while a SACK is due sends
// the ABORT alone, not [ABORT, SACK].
func TestScenarioUserAbortWithSACKDue(t *testing.T) {
	p, _ := sackDueAtZ(t, 316)
	p.Z.Abort(p.Now, []byte("bye"))
	require.Equal(t, [][]chunk.Type{{chunk.TypeAbort}}, sentAfter(t, p.Z, p.Now))
}

// Fail, when the packet transport below is gone: the association closes
// at once and sends nothing (no ABORT could reach the peer); its messages
// come back as SendFailed and CommLost carries the error. During the
// handshake it is CantAssoc.
func TestScenarioFail(t *testing.T) {
	const seed, n = 71, 5
	p, _ := establishedPair(t, seed)
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, numbered(i, 1200)))
	}
	gone := errors.New("transport gone")
	sent := p.PacketsA
	p.A.Fail(p.Now, gone)
	require.Equal(t, association.StateClosed, p.A.State())
	p.Run(10 * time.Second)
	require.Equal(t, sent, p.PacketsA, "nothing sent after Fail")
	require.Len(t, eventsOf[*association.SendFailed](p.DeliveredA), n)
	evA := eventsOf[*association.AssocChange](p.DeliveredA)
	require.Equal(t, association.CommLost, evA[len(evA)-1].State)
	require.ErrorIs(t, evA[len(evA)-1].Err, gone)
	require.Equal(t, association.StateEstablished, p.Z.State(), "the peer heard nothing")

	p.A.Fail(p.Now, errors.New("again"))
	require.Len(t, eventsOf[*association.AssocChange](p.DeliveredA), len(evA), "a closed association is left as it is")

	q, err := associationtest.NewDefaultPair(seed)
	require.NoError(t, err)
	require.NoError(t, q.Connect())
	q.A.Fail(q.Now, gone)
	q.Run(time.Second)
	ev := eventsOf[*association.AssocChange](q.DeliveredA)
	require.Len(t, ev, 1)
	require.Equal(t, association.CantAssoc, ev[0].State)
	require.ErrorIs(t, ev[0].Err, gone)
}

package association_test

import (
	"fmt"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// Our SSN/TSN Reset Request (RFC 6525 Sections 5.1.4 and 5.2.7 H5).

// twoWayPair is hostilePair after Z sent a message back too: it returns
// the first request sequence number of A and of Z (their Initial TSNs,
// the TSNs of their first DATA chunks).
func twoWayPair(t *testing.T, seed uint64, tweak func(a, z *association.Config)) (p *associationtest.Pair, aFirst, zFirst chunk.TSN) {
	t.Helper()
	p, aFirst = hostilePair(t, seed, tweak)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("back")))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }))
	p.Run(time.Second)
	return p, aFirst, messagesOf(p.DeliveredA)[0].TSN
}

// reconfSent returns the parameters of the RE-CONFIG chunks from from.
func reconfSent(t *testing.T, c *capture, from sentAddr) []chunk.Param {
	t.Helper()
	var out []chunk.Param
	for _, sp := range c.with(from, chunk.TypeReConfig) {
		r, _ := sp.chunk(chunk.TypeReConfig)
		var rc chunk.ReConfig
		parseChunk(t, r, &rc)
		out = append(out, rc.Params...)
	}
	return out
}

// dataSent returns the DATA chunks from from, in the order sent.
func dataSent(t *testing.T, c *capture, from sentAddr) []chunk.Data {
	t.Helper()
	var out []chunk.Data
	for _, sp := range c.with(from, chunk.TypeData) {
		out = append(out, dataOf(t, sp)...)
	}
	return out
}

// assocResets returns the AssocResetEvents of ds.
func assocResets(ds []association.Delivery) []*association.AssocResetEvent {
	return eventsOf[*association.AssocResetEvent](ds)
}

// ResetAssoc against a forged answer: the request is an SSN/TSN Reset
// Request alone with our next request number; meanwhile Send queues and
// no DATA goes; on "Performed" our next TSN is the Receiver's Next TSN
// and the queued message goes with it at SSN 0, and the peer's DATA from
// its Sender's Next TSN with SSN 0 is delivered (its stream expected SSN
// 1 before).
func TestReconfigResetAssocForged(t *testing.T) {
	p, aFirst, zFirst := twoWayPair(t, 1811, nil)
	c := capturePackets(p)
	p.Net.AddFilter(dropFrom(p.AddrA))
	require.NoError(t, p.A.ResetAssoc(p.Now))
	require.ErrorIs(t, p.A.ResetAssoc(p.Now), association.ErrReconfigInProgress)
	require.ErrorIs(t, p.A.ResetStreams(p.Now, nil), association.ErrReconfigInProgress)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, []byte("queued")))
	p.Run(500 * time.Millisecond)
	require.Empty(t, dataSent(t, c, p.AddrA), "no new TSN while the request waits")
	require.Equal(t, []chunk.Param{&chunk.SSNTSNResetRequest{ReqSeq: uint32(aFirst)}}, reconfSent(t, c, p.AddrA))
	local, remote := aFirst+1<<31, zFirst+100
	hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(aFirst),
		Result: chunk.ReconfigSuccessPerformed, HasTSNs: true, SenderNextTSN: remote, ReceiverNextTSN: local}}})
	p.Exchange()
	require.Equal(t, []*association.AssocResetEvent{{LocalTSN: local, RemoteTSN: remote}}, assocResets(p.DeliveredA))
	p.Run(time.Second)
	ds := dataSent(t, c, p.AddrA)
	require.NotEmpty(t, ds)
	for _, d := range ds {
		require.Equal(t, local, d.TSN, "sent and retransmitted, not acknowledged through the filter")
	}
	require.Equal(t, chunk.SSN(0), ds[0].SSN)
	require.Equal(t, "queued", string(ds[0].UserData))
	hand(p, p.A, &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: remote, UserData: []byte("new")})
	p.Exchange()
	ms := messagesOf(p.DeliveredA)
	require.Len(t, ms, 2)
	require.Equal(t, "new", string(ms[1].Data))
	require.Equal(t, chunk.SSN(0), ms[1].SSN)
	require.Equal(t, remote, ms[1].TSN)
	require.Equal(t, association.StateEstablished, p.A.State())
	// RFC 6525 Section 5.1.4: "Only one SSN/TSN Reset Request SHOULD be
	// sent within 30 seconds".
	require.ErrorIs(t, p.A.ResetAssoc(p.Now), association.ErrResetAssocTooSoon)
	p.Run(30 * time.Second)
	require.NoError(t, p.A.ResetAssoc(p.Now))
}

// A success without the TSNs (RFC 6525 Section 5.1.7 D3, D4), a denial
// and an error end the request flagged ReconfigFailed, ReconfigDenied
// and ReconfigFailed: nothing is reset, and the queued message goes on
// in the old sequence (its TSN the next one, stream 0's SSN 1).
func TestReconfigResetAssocNotPerformed(t *testing.T) {
	for _, tc := range []struct {
		resp chunk.ReconfigResponse
		flag association.ReconfigFlags
	}{
		{chunk.ReconfigResponse{Result: chunk.ReconfigSuccessPerformed}, association.ReconfigFailed},
		{chunk.ReconfigResponse{Result: chunk.ReconfigDenied}, association.ReconfigDenied},
		{chunk.ReconfigResponse{Result: chunk.ReconfigErrorRequestAlreadyInProgress}, association.ReconfigFailed},
	} {
		p, aFirst, zFirst := twoWayPair(t, 1812, nil)
		c := capturePackets(p)
		p.Net.AddFilter(dropFrom(p.AddrA))
		require.NoError(t, p.A.ResetAssoc(p.Now))
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("queued")))
		p.Exchange()
		r := tc.resp
		r.RespSeq = uint32(aFirst)
		hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&r}})
		p.Exchange()
		require.Equal(t, []*association.AssocResetEvent{{Flags: tc.flag, LocalTSN: aFirst + 1, RemoteTSN: zFirst + 1}},
			assocResets(p.DeliveredA))
		p.Run(time.Second)
		ds := dataSent(t, c, p.AddrA)
		require.NotEmpty(t, ds)
		require.Equal(t, aFirst+1, ds[0].TSN)
		require.Equal(t, chunk.SSN(1), ds[0].SSN)
	}
}

// The request waits for every TSN sent to be acknowledged (RFC 6525
// Section 5.1.4 C2), and no new TSN is assigned meanwhile: with Z's
// SACKs lost, no RE-CONFIG goes; once they pass, it goes, Z (configured
// to deny SSN/TSN resets, RFC 6525 Section 6.3.1) denies it, and the
// message queued meanwhile goes on in the old sequence.
func TestReconfigResetAssocWaitsForOutstanding(t *testing.T) {
	p, aFirst := hostilePair(t, 1813, func(_, z *association.Config) {
		z.ResetRequestsDenied = association.ResetAssocRequests
	})
	c := capturePackets(p)
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	for _, m := range []string{"m1", "m2", "m3"} {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte(m)))
	}
	p.Exchange()
	require.NoError(t, p.A.ResetAssoc(p.Now))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("after")))
	p.Run(5 * time.Second)
	require.Zero(t, c.count(p.AddrA, chunk.TypeReConfig), "TSNs outstanding")
	for _, d := range dataSent(t, c, p.AddrA) {
		require.True(t, d.TSN.LE(aFirst+3), "only the outstanding TSNs again, not %d", d.TSN)
	}
	remove()
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(assocResets(p.DeliveredA)) == 1 }))
	require.Equal(t, association.ReconfigDenied, assocResets(p.DeliveredA)[0].Flags)
	require.Equal(t, aFirst+4, assocResets(p.DeliveredA)[0].LocalTSN)
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 5 }))
	require.Equal(t, []string{"first@0", "m1@1", "m2@2", "m3@3", "after@4"}, onStream(p.DeliveredZ, 0))
	require.Empty(t, assocResets(p.DeliveredZ))
}

// ResetAssoc before the handshake completes, without RE-CONFIG
// negotiated, or on an association shutting down fails with a typed
// error.
func TestReconfigResetAssocErrors(t *testing.T) {
	p, _ := hostilePair(t, 1814, func(_, z *association.Config) { z.ReconfigDisabled = true })
	require.ErrorIs(t, p.A.ResetAssoc(p.Now), association.ErrReconfigNotSupported)
	q, _ := hostilePair(t, 1815, nil)
	require.NoError(t, q.A.Shutdown(q.Now))
	require.ErrorIs(t, q.A.ResetAssoc(q.Now), association.ErrNotEstablished)
	cfgA, cfgZ := scenarioConfigs(1816)
	r, err := associationtest.NewPair(1816, cfgA, cfgZ, scenarioLink)
	require.NoError(t, err)
	require.ErrorIs(t, r.A.ResetAssoc(r.Now), association.ErrNotEstablished)
}

// A peer restart (RFC 9260 Section 5.2.4 action A) while Z's SSN/TSN
// reset waits for its TSNs, and while Z's addition of streams waits for
// its answer: each ends flagged ReconfigFailed, and Z takes new requests
// and sends again.
func TestReconfigRequestsPeerRestart(t *testing.T) {
	for i, start := range []func(p *associationtest.Pair) error{
		func(p *associationtest.Pair) error { return p.Z.ResetAssoc(p.Now) },
		func(p *associationtest.Pair) error { return p.Z.AddStreams(p.Now, 1, 1) },
	} {
		p, _ := establishedPair(t, 1817)
		remove := p.Net.AddFilter(dropFrom(p.AddrZ))
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("lost")))
		p.Exchange()
		require.NoError(t, start(p))
		remove()
		restartA(t, p, 1818)
		require.True(t, p.RunUntil(time.Minute, p.Established))
		p.Exchange()
		if i == 0 {
			require.Len(t, assocResets(p.DeliveredZ), 1)
			require.Equal(t, association.ReconfigFailed, assocResets(p.DeliveredZ)[0].Flags)
		} else {
			require.Len(t, streamChanges(p.DeliveredZ), 1)
			require.Equal(t, association.ReconfigFailed, streamChanges(p.DeliveredZ)[0].Flags)
		}
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("after")))
		require.True(t, p.RunUntil(time.Minute, func() bool { return len(onStream(p.DeliveredA, 1)) == 1 }))
		require.Equal(t, []string{"after@0"}, onStream(p.DeliveredA, 1))
		require.NoError(t, p.Z.AddStreams(p.Now, 1, 0), "no request left in progress")
	}
}

// A resets the association while both ends send, over a lossy link
// (requests, answers and data lost, seeded): Z performs it once its own
// data is through (RFC 6525 Section 5.2.4), both ends report the same
// new TSNs crosswise, every message before the reset arrives in order,
// and each end's next message starts at SSN 0 at the TSN the other
// expects. Each seed runs the same way twice.
func TestReconfigResetAssocLossy(t *testing.T) {
	requests := runTwice(t, 1850, 1856, resetAssocRun)
	require.Greater(t, requests, 6, "some requests or answers were lost and the request sent again")
}

// resetAssocRun runs TestReconfigResetAssocLossy with seed and returns
// the events and what was delivered, and the number of RE-CONFIG
// chunks A sent.
func resetAssocRun(t *testing.T, seed uint64) ([]string, int) {
	t.Helper()
	p, c := lossyPair(t, seed)
	for i := range 4 {
		for _, a := range []*association.Association{p.A, p.Z} {
			require.NoError(t, a.Send(p.Now, association.SendInfo{}, fmt.Appendf(nil, "old%d", i)))
		}
	}
	p.Exchange()
	require.NoError(t, p.A.ResetAssoc(p.Now))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("new")))
	require.True(t, p.RunUntil(5*time.Minute, func() bool {
		return len(assocResets(p.DeliveredA)) == 1 && len(assocResets(p.DeliveredZ)) == 1
	}))
	ea, ez := assocResets(p.DeliveredA)[0], assocResets(p.DeliveredZ)[0]
	require.Zero(t, ea.Flags)
	require.Zero(t, ez.Flags)
	require.Equal(t, [2]chunk.TSN{ea.LocalTSN, ea.RemoteTSN}, [2]chunk.TSN{ez.RemoteTSN, ez.LocalTSN})
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("new")))
	require.True(t, p.RunUntil(5*time.Minute, func() bool {
		return len(messagesOf(p.DeliveredA)) == 5 && len(messagesOf(p.DeliveredZ)) == 5
	}))
	want := []string{"old0@0", "old1@1", "old2@2", "old3@3", "new@0"}
	require.Equal(t, want, onStream(p.DeliveredA, 0))
	require.Equal(t, want, onStream(p.DeliveredZ, 0))
	require.Equal(t, ea.LocalTSN, messagesOf(p.DeliveredZ)[4].TSN)
	require.Equal(t, ea.RemoteTSN, messagesOf(p.DeliveredA)[4].TSN)
	return []string{fmt.Sprint(*ea, *ez, p.Now)}, c.count(p.AddrA, chunk.TypeReConfig)
}

// dropFirstWith returns a filter that drops the first packet from from
// that carries a chunk of type typ.
func dropFirstWith(from sentAddr, typ chunk.Type) sim.Filter {
	return firstWith(from, typ, sim.Drop)
}

// firstWith returns a filter that gives the first packet from from that
// carries a chunk of type typ the verdict v.
func firstWith(from sentAddr, typ chunk.Type, v sim.Verdict) sim.Filter {
	done := false
	return func(d *sim.Datagram) sim.Verdict {
		if done || d.From != from {
			return sim.Pass
		}
		pkt, err := packet.Parse(d.Data, packet.Options{})
		if err != nil {
			return sim.Pass
		}
		it := pkt.Chunks()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			if c.Type == typ {
				done = true
				return v
			}
		}
		return sim.Pass
	}
}

// Z performs A's SSN/TSN Reset Request, but its answer is lost, and a
// SACK of Z in the new TSN sequence (here for an old DATA chunk arriving
// again) reaches A first: its Cumulative TSN Ack, 2^31 past A's, is not
// a TSN A never sent but Z's side of the reset, so A discards it rather
// than abort the association (RFC 9260 Section 12.4), retransmits the
// request, and takes Z's repeated answer (RFC 6525 Section 5.2.1).
func TestReconfigResetAssocNewSequenceSACKFirst(t *testing.T) {
	p, aFirst, _ := twoWayPair(t, 1866, nil)
	p.Net.AddFilter(dropFirstWith(p.AddrZ, chunk.TypeReConfig))
	require.NoError(t, p.A.ResetAssoc(p.Now))
	require.True(t, p.RunUntil(time.Second, func() bool { return len(assocResets(p.DeliveredZ)) == 1 }), "Z performed the request")
	require.Empty(t, assocResets(p.DeliveredA), "its answer was lost")
	hand(p, p.Z, &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd | chunk.FlagImmediate, TSN: aFirst, UserData: []byte("first")})
	p.Exchange()
	require.Equal(t, association.StateEstablished, p.A.State())
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(assocResets(p.DeliveredA)) == 1 }))
	ea, ez := assocResets(p.DeliveredA)[0], assocResets(p.DeliveredZ)[0]
	require.Zero(t, ea.Flags)
	require.Equal(t, [2]chunk.TSN{ea.LocalTSN, ea.RemoteTSN}, [2]chunk.TSN{ez.RemoteTSN, ez.LocalTSN})
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("new")))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == 2 }))
	require.Equal(t, []string{"first@0", "new@0"}, onStream(p.DeliveredZ, 0))
	require.Equal(t, association.StateEstablished, p.A.State())
}

// After the SSN/TSN reset of A's request, a SACK and a SHUTDOWN of Z from
// before it, delayed, acknowledge a TSN of the old sequence, 2^31 from
// the new one: stale, they are discarded, and A stays up (not the
// "acknowledges a TSN not sent" abort of RFC 9260 Section 12.4).
func TestReconfigResetAssocOldSequenceAckStale(t *testing.T) {
	p, aFirst, _ := twoWayPair(t, 1867, nil)
	require.NoError(t, p.A.ResetAssoc(p.Now))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(assocResets(p.DeliveredA)) == 1 }))
	require.NotEqual(t, aFirst+1, assocResets(p.DeliveredA)[0].LocalTSN, "a new sequence")
	hand(p, p.A, &chunk.SACK{CumTSNAck: aFirst, ARwnd: 1 << 16})
	hand(p, p.A, &chunk.SACK{CumTSNAck: aFirst - 1, ARwnd: 1 << 16})
	p.Exchange()
	require.Equal(t, association.StateEstablished, p.A.State())
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("new")))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == 2 }))
	require.Equal(t, []string{"first@0", "new@0"}, onStream(p.DeliveredZ, 0))
	hand(p, p.A, &chunk.Shutdown{CumTSNAck: aFirst})
	p.Exchange()
	require.NotEqual(t, association.StateClosed, p.A.State(), "a SHUTDOWN, not an abort")
}

// Z abandons a message whose DATA chunk is lost and its FORWARD TSNs are
// lost too; then A restarts (RFC 9260 Section 5.2.4 action A): Z's new
// sequence starts at its new Initial TSN, and its Advanced.Peer.Ack.Point
// of the old one (RFC 3758 Section 3.5) goes with it: no FORWARD TSN
// after the restart carries an old TSN, and Z's next message arrives.
func TestPRRestartForgetsAdvancedPoint(t *testing.T) {
	p, _ := establishedPair(t, 1868)
	c := capturePackets(p)
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1, PRPolicy: association.PRRetransmit}, []byte("lost")))
	p.Run(5 * time.Second)
	require.NotEmpty(t, c.with(p.AddrZ, chunk.TypeForwardTSN), "abandoned, forwarded (and lost)")
	remove()
	restartA(t, p, 1869)
	require.True(t, p.RunUntil(time.Minute, p.Established))
	c.pkts = nil
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("after")))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(onStream(p.DeliveredA, 1)) == 1 }))
	p.Run(5 * time.Second)
	ds := dataSent(t, c, p.AddrZ)
	require.NotEmpty(t, ds)
	for _, sp := range c.with(p.AddrZ, chunk.TypeForwardTSN) {
		raw, _ := sp.chunk(chunk.TypeForwardTSN)
		var f chunk.ForwardTSN
		parseChunk(t, raw, &f)
		require.True(t, f.NewCumTSN.Sub(ds[0].TSN-1) < 1<<16, "FORWARD TSN %d in the new sequence from %d", f.NewCumTSN, ds[0].TSN)
	}
	require.Equal(t, []string{"after@0"}, onStream(p.DeliveredA, 1))
}

// The peer's DATA of the new sequence arrives before its answer to our
// SSN/TSN Reset Request (the first answer lost): its Sender's Next TSN
// follows the TSNs it sent before (RFC 6525 Section 5.2.4 G2), so the
// DATA is in sequence, and its SSNs (MIDs) start at 0 (G5). It is held,
// acknowledged, until the answer says where the new sequence begins:
// on stream 0, which delivered a message before the reset, its SSN 0
// is not taken for one delivered already (it aborted the association
// as a protocol violation), and on stream 3, which delivered nothing,
// the reset does not make the stream expect SSN 0 again after its
// messages (FuzzStates input reset-assoc-peer-data-before-answer). The
// messages come once, in order, after the AssocResetEvent, whose
// RemoteTSN is the peer's first TSN of the new sequence.
func TestReconfigResetAssocPeerDataBeforeAnswer(t *testing.T) {
	eachDataKind(t, func(t *testing.T, tweak func(a, z *association.Config)) {
		p, _, _ := twoWayPair(t, 1815, tweak)
		before := answerLostThenData(t, p)
		require.Len(t, assocResets(p.DeliveredZ), 1)
		first := assocResets(p.DeliveredZ)[0].LocalTSN
		p.Run(50 * time.Millisecond)
		require.Len(t, p.DeliveredA, before, "held until the answer")
		require.True(t, p.RunUntil(10*time.Second, func() bool { return len(assocResets(p.DeliveredA)) == 1 }))
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 3}, []byte{3}))
		require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredA[before:])) == 4 }))
		p.Run(time.Second)
		evs := p.DeliveredA[before:]
		require.NotNil(t, evs[0].Event, "the event before the new sequence's messages")
		require.Equal(t, first, assocResets(evs)[0].RemoteTSN)
		ms := messagesOf(evs)
		require.Len(t, ms, 4)
		for i, want := range []struct {
			sid chunk.StreamID
			ssn chunk.SSN
		}{{0, 0}, {3, 0}, {0, 1}, {3, 1}} {
			require.Equal(t, []byte{byte(i)}, ms[i].Data, "message %d", i)
			require.Equal(t, want.sid, ms[i].Stream, "message %d", i)
			if tweak == nil {
				require.Equal(t, want.ssn, ms[i].SSN, "message %d", i)
			} else {
				require.Equal(t, chunk.MID(want.ssn), ms[i].MID, "message %d", i)
			}
		}
		require.Equal(t, first, ms[0].TSN)
		require.Equal(t, association.StateEstablished, p.A.State())
	})
}

package association_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// Our Incoming SSN Reset Request (RFC 6525 Section 5.1.3), alone and with
// an Outgoing one.

// An Incoming SSN Reset Request against forged answers: the peer resets
// its stream 1 with an Outgoing SSN Reset Request whose Response
// Sequence Number is our request's (Section 5.1.2 A4), which A performs
// (a StreamResetEvent with StreamResetIncoming) and takes as the answer:
// no retransmission, the next request allowed. Sends are not held.
func TestReconfigResetIncomingStreamsForged(t *testing.T) {
	p, aFirst, zFirst := twoWayPair(t, 1840, nil)
	c := capturePackets(p)
	p.Net.AddFilter(dropFrom(p.AddrA))
	require.NoError(t, p.A.ResetStreamsDir(p.Now, association.StreamResetIncoming, []chunk.StreamID{1}))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, []byte("not held")))
	p.Exchange()
	require.Equal(t, []chunk.Param{&chunk.IncomingSSNResetRequest{ReqSeq: uint32(aFirst), Streams: []chunk.StreamID{1}}},
		reconfSent(t, c, p.AddrA))
	c.pkts = nil
	hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.OutgoingSSNResetRequest{
		ReqSeq: uint32(zFirst), RespSeq: uint32(aFirst), SenderLastTSN: zFirst, Streams: []chunk.StreamID{1}}}})
	p.Exchange()
	require.Equal(t, []*association.StreamResetEvent{{Flags: association.StreamResetIncoming, Streams: []chunk.StreamID{1}}},
		resetEvents(p.DeliveredA))
	p.Run(10 * time.Second)
	require.Equal(t, []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(zFirst), Result: chunk.ReconfigSuccessPerformed}},
		reconfSent(t, c, p.AddrA), "the answer to Z's request, and no request again")
	require.NotEmpty(t, dataSent(t, c, p.AddrA))
	require.NoError(t, p.A.ResetStreams(p.Now, nil), "the request is over")
}

// Both directions at once: one RE-CONFIG chunk with an Outgoing SSN
// Reset Request X and an Incoming one X+1 (RFC 6525 Section 3.1,
// Appendix A); the response to X resets our outgoing streams, the
// peer's Outgoing SSN Reset Request answering X+1 our incoming ones;
// the Incoming request is retransmitted alone until answered.
func TestReconfigResetBothForged(t *testing.T) {
	p, aFirst, zFirst := twoWayPair(t, 1841, nil)
	c := capturePackets(p)
	p.Net.AddFilter(dropFrom(p.AddrA))
	require.NoError(t, p.A.ResetStreamsDir(p.Now, association.StreamResetOutgoing|association.StreamResetIncoming, nil))
	require.ErrorIs(t, p.A.Send(p.Now, association.SendInfo{}, []byte("x")), association.ErrStreamResetting)
	p.Exchange()
	out := &chunk.OutgoingSSNResetRequest{ReqSeq: uint32(aFirst), RespSeq: uint32(zFirst) - 1, SenderLastTSN: aFirst}
	in := &chunk.IncomingSSNResetRequest{ReqSeq: uint32(aFirst) + 1}
	require.Equal(t, []chunk.Param{out, in}, reconfSent(t, c, p.AddrA))
	hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(aFirst), Result: chunk.ReconfigSuccessPerformed}}})
	p.Exchange()
	require.Equal(t, []*association.StreamResetEvent{{Flags: association.StreamResetOutgoing}}, resetEvents(p.DeliveredA))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("after")))
	c.pkts = nil
	p.Run(1500 * time.Millisecond)
	require.Equal(t, []chunk.Param{in}, reconfSent(t, c, p.AddrA), "the Incoming request again, alone")
	hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.OutgoingSSNResetRequest{
		ReqSeq: uint32(zFirst), RespSeq: uint32(aFirst) + 1, SenderLastTSN: zFirst}}})
	p.Exchange()
	require.Len(t, resetEvents(p.DeliveredA), 2)
	require.Equal(t, association.StreamResetIncoming, resetEvents(p.DeliveredA)[1].Flags)
	require.NoError(t, p.A.AddStreams(p.Now, 1, 0), "the request is over")
	ds := dataSent(t, c, p.AddrA)
	require.NotEmpty(t, ds)
	require.Equal(t, chunk.SSN(0), ds[0].SSN, "stream 0 sent 'first' before its reset")
}

// Z denies incoming resets (RFC 6525 Section 6.3.1), over a lossy link:
// A's StreamResetEvent carries StreamResetIncoming and StreamResetDenied,
// the streams are not reset (Z's next message on stream 0 has SSN 1).
func TestReconfigResetIncomingDenied(t *testing.T) {
	for seed := uint64(1842); seed < 1846; seed++ {
		logSeedOnFailure(t, seed)
		p, _, _ := twoWayPair(t, seed, func(_, z *association.Config) {
			z.ResetRequestsDenied = association.ResetStreamRequests
		})
		p.Net.SetLink(p.AddrA, p.AddrZ, lossy(0.3))
		p.Net.SetLink(p.AddrZ, p.AddrA, lossy(0.3))
		require.NoError(t, p.A.ResetStreamsDir(p.Now, association.StreamResetIncoming, []chunk.StreamID{0, 2}))
		require.True(t, p.RunUntil(2*time.Minute, func() bool { return len(resetEvents(p.DeliveredA)) == 1 }))
		require.Equal(t, &association.StreamResetEvent{Flags: association.StreamResetIncoming | association.StreamResetDenied,
			Streams: []chunk.StreamID{0, 2}}, resetEvents(p.DeliveredA)[0])
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("again")))
		require.True(t, p.RunUntil(2*time.Minute, func() bool { return len(messagesOf(p.DeliveredA)) == 2 }))
		require.Equal(t, []string{"back@0", "again@1"}, onStream(p.DeliveredA, 0))
	}
}

// ResetStreamsDir errors: no direction or an unknown flag, a stream
// beyond the incoming ones.
func TestReconfigResetStreamsDirErrors(t *testing.T) {
	p, _ := hostilePair(t, 1846, nil)
	require.ErrorIs(t, p.A.ResetStreamsDir(p.Now, 0, nil), association.ErrInvalidResetFlags)
	require.ErrorIs(t, p.A.ResetStreamsDir(p.Now, association.StreamResetDenied, nil), association.ErrInvalidResetFlags)
	_, in := p.A.Streams()
	require.ErrorIs(t, p.A.ResetStreamsDir(p.Now, association.StreamResetIncoming, []chunk.StreamID{chunk.StreamID(in)}),
		association.ErrInvalidStream)
	require.NoError(t, p.A.ResetStreamsDir(p.Now, association.StreamResetIncoming, nil))
}

// Resets of listed streams on an association that never sent (no send
// queue yet) go at once, in either direction.
func TestReconfigResetStreamsBeforeAnySend(t *testing.T) {
	for _, dir := range []association.StreamResetFlags{association.StreamResetOutgoing, association.StreamResetIncoming | association.StreamResetOutgoing} {
		p, _ := establishedPair(t, 1847)
		require.NoError(t, p.A.ResetStreamsDir(p.Now, dir, []chunk.StreamID{1}))
		require.True(t, p.RunUntil(time.Minute, func() bool { return len(resetEvents(p.DeliveredA)) > 0 }))
		require.Equal(t, association.StreamResetOutgoing, resetEvents(p.DeliveredA)[0].Flags)
	}
}

// A asks Z to reset its outgoing streams 1 (Incoming SSN Reset Request,
// RFC 6525 Section 5.1.3), then both directions of every stream, over a
// lossy link (seeded): Z resets them with its own Outgoing SSN Reset
// Request once the messages it queued are out; A gets the incoming
// StreamResetEvents (and the outgoing one of the second request), Z the
// outgoing ones, and Z's next message on stream 1 arrives with SSN 0
// after every message before the reset. Each seed runs the same way
// twice.
func TestReconfigResetIncomingLossy(t *testing.T) {
	runTwice(t, 1870, 1876, resetIncomingRun)
}

// resetIncomingRun runs TestReconfigResetIncomingLossy with seed and
// returns the events of both ends with the time of the last.
func resetIncomingRun(t *testing.T, seed uint64) ([]string, int) {
	t.Helper()
	p, _ := lossyPair(t, seed)
	for _, m := range []string{"old0", "old1", "old2"} {
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte(m)))
	}
	require.NoError(t, p.A.ResetStreamsDir(p.Now, association.StreamResetIncoming, []chunk.StreamID{1}))
	require.True(t, p.RunUntil(5*time.Minute, func() bool {
		return len(resetEvents(p.DeliveredA)) == 1 && len(resetEvents(p.DeliveredZ)) == 1
	}))
	ids := []chunk.StreamID{1}
	require.Equal(t, &association.StreamResetEvent{Flags: association.StreamResetIncoming, Streams: ids}, resetEvents(p.DeliveredA)[0])
	require.Equal(t, &association.StreamResetEvent{Flags: association.StreamResetOutgoing, Streams: ids}, resetEvents(p.DeliveredZ)[0])
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("new")))
	require.True(t, p.RunUntil(5*time.Minute, func() bool { return len(onStream(p.DeliveredA, 1)) == 4 }))
	require.Equal(t, []string{"old0@0", "old1@1", "old2@2", "new@0"}, onStream(p.DeliveredA, 1))
	require.NoError(t, p.A.ResetStreamsDir(p.Now, association.StreamResetIncoming|association.StreamResetOutgoing, nil))
	require.True(t, p.RunUntil(5*time.Minute, func() bool {
		return len(resetEvents(p.DeliveredA)) == 3 && len(resetEvents(p.DeliveredZ)) == 3
	}))
	var flagsA, flagsZ association.StreamResetFlags
	for i := 1; i < 3; i++ {
		flagsA |= resetEvents(p.DeliveredA)[i].Flags
		flagsZ |= resetEvents(p.DeliveredZ)[i].Flags
	}
	both := association.StreamResetIncoming | association.StreamResetOutgoing
	require.Equal(t, both, flagsA)
	require.Equal(t, both, flagsZ)
	return []string{fmt.Sprint(values(resetEvents(p.DeliveredA)), values(resetEvents(p.DeliveredZ)), p.Now)}, 0
}

// The peer's Outgoing SSN Reset Request answers our Incoming one only if
// it resets the streams ours asked for and is the peer's next request:
// its Response Sequence Number alone cannot tell, since an unrelated
// request of the peer's carries "the next expected Re-configuration
// Request Sequence Number minus 1" (RFC 6525 Section 4.1), ours once the
// peer received it. An unrelated reset of stream 2 and an out of
// sequence request leave ours in flight (retransmitted, no new request
// allowed); the reset of stream 1 ends it.
func TestReconfigResetIncomingUnrelatedOutgoing(t *testing.T) {
	p, aFirst, zFirst := twoWayPair(t, 1842, nil)
	c := capturePackets(p)
	p.Net.AddFilter(dropFrom(p.AddrA))
	require.NoError(t, p.A.ResetStreamsDir(p.Now, association.StreamResetIncoming, []chunk.StreamID{1}))
	p.Exchange()
	outReq := func(seq chunk.TSN, ids ...chunk.StreamID) *chunk.ReConfig {
		return &chunk.ReConfig{Params: []chunk.Param{&chunk.OutgoingSSNResetRequest{
			ReqSeq: uint32(seq), RespSeq: uint32(aFirst), SenderLastTSN: zFirst, Streams: ids}}}
	}
	hand(p, p.A, outReq(zFirst, 2))
	hand(p, p.A, outReq(zFirst+5, 1))
	p.Exchange()
	require.ErrorIs(t, p.A.AddStreams(p.Now, 1, 0), association.ErrReconfigInProgress, "ours still in flight")
	c.pkts = nil
	p.Run(10 * time.Second)
	require.Contains(t, reconfSent(t, c, p.AddrA),
		chunk.Param(&chunk.IncomingSSNResetRequest{ReqSeq: uint32(aFirst), Streams: []chunk.StreamID{1}}), "retransmitted")
	hand(p, p.A, outReq(zFirst+1, 1))
	p.Exchange()
	require.NoError(t, p.A.AddStreams(p.Now, 1, 0), "the request is over")
}

// Config.ResetRequestsDenied denies the peer's own requests, not the
// Outgoing SSN Reset Request that performs our Incoming one: with
// ResetStreamRequests denied, A's incoming reset of stream 1 is still
// performed (Z's next message on it has SSN 0) and A's user told.
func TestReconfigResetIncomingAnswerNotDenied(t *testing.T) {
	p, _, _ := twoWayPair(t, 1843, func(a, _ *association.Config) {
		a.ResetRequestsDenied = association.ResetStreamRequests
	})
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("old")))
	p.Run(time.Second)
	require.NoError(t, p.A.ResetStreamsDir(p.Now, association.StreamResetIncoming, []chunk.StreamID{1}))
	require.True(t, p.RunUntil(time.Minute, func() bool {
		return len(resetEvents(p.DeliveredA)) > 0 && len(resetEvents(p.DeliveredZ)) > 0
	}))
	require.Equal(t, []*association.StreamResetEvent{{Flags: association.StreamResetIncoming, Streams: []chunk.StreamID{1}}},
		resetEvents(p.DeliveredA))
	require.Equal(t, []*association.StreamResetEvent{{Flags: association.StreamResetOutgoing, Streams: []chunk.StreamID{1}}},
		resetEvents(p.DeliveredZ))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("new")))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(onStream(p.DeliveredA, 1)) == 2 }))
	require.Equal(t, []string{"old@0", "new@0"}, onStream(p.DeliveredA, 1))
}

// The peer's Outgoing SSN Reset Request that performs our Incoming one
// waits for TSNs not yet arrived (RFC 6525 Section 5.2.2 E2), then the
// peer restarts (RFC 9260 Section 5.2.4 action A), which resets every
// stream: the user who asked gets its StreamResetEvent, once. It got
// none, its request over (found by FuzzStates, input a98cbc56e8678161).
func TestReconfigResetIncomingDeferredPeerRestart(t *testing.T) {
	p, aFirst, zFirst := twoWayPair(t, 1844, nil)
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	require.NoError(t, p.Z.ResetStreamsDir(p.Now, association.StreamResetIncoming, []chunk.StreamID{1}))
	p.Exchange()
	hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{&chunk.OutgoingSSNResetRequest{
		ReqSeq: uint32(aFirst), RespSeq: uint32(zFirst), SenderLastTSN: aFirst + 3, Streams: []chunk.StreamID{1}}}})
	p.Exchange()
	require.Empty(t, resetEvents(p.DeliveredZ), "deferred")
	remove()
	restartA(t, p, 1845)
	require.True(t, p.RunUntil(time.Minute, p.Established))
	p.Exchange()
	require.Equal(t, []*association.StreamResetEvent{{Flags: association.StreamResetIncoming, Streams: []chunk.StreamID{1}}},
		resetEvents(p.DeliveredZ))
}

// A stream reset whose RE-CONFIG chunk cannot fit in one packet of the
// path MTU (it is never fragmented) is refused with ErrResetTooLarge and
// leaves no request in flight: queued, it would never be sent, and its
// retransmissions would fail the association.
func TestReconfigResetStreamsTooLarge(t *testing.T) {
	p, _ := hostilePair(t, 1848, func(a, z *association.Config) {
		a.OutboundStreams, a.MaxInboundStreams = 2000, 2000
		z.OutboundStreams, z.MaxInboundStreams = 2000, 2000
	})
	out, _ := p.A.Streams()
	require.GreaterOrEqual(t, int(out), 1000)
	ids := make([]chunk.StreamID, 1000)
	for i := range ids {
		ids[i] = chunk.StreamID(i)
	}
	for _, dir := range []association.StreamResetFlags{association.StreamResetOutgoing, association.StreamResetIncoming,
		association.StreamResetIncoming | association.StreamResetOutgoing} {
		require.ErrorIs(t, p.A.ResetStreamsDir(p.Now, dir, ids), association.ErrResetTooLarge)
	}
	require.NoError(t, p.A.ResetStreamsDir(p.Now, association.StreamResetOutgoing, ids[:100]))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(resetEvents(p.DeliveredA)) > 0 }))
	ev := resetEvents(p.DeliveredA)[0]
	require.Equal(t, association.StreamResetOutgoing, ev.Flags)
	require.Len(t, ev.Streams, 100)
}

// The peer answers our Incoming SSN Reset Request "Performed", and
// restarts (RFC 9260 Section 5.2.4 action A) before its Outgoing SSN
// Reset Request, which brings the event, arrives: the restart resets
// every stream, and the user who asked gets its StreamResetEvent, once.
// It got none (FuzzStates input 01d8f352f775bb94).
func TestReconfigResetIncomingAnsweredPeerRestart(t *testing.T) {
	p, _, zFirst := twoWayPair(t, 1870, nil)
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	require.NoError(t, p.Z.ResetStreamsDir(p.Now, association.StreamResetIncoming, []chunk.StreamID{1}))
	p.Exchange()
	hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{&chunk.ReconfigResponse{
		RespSeq: uint32(zFirst), Result: chunk.ReconfigSuccessPerformed}}})
	p.Exchange()
	require.Empty(t, resetEvents(p.DeliveredZ), "the peer's request brings the event")
	remove()
	restartA(t, p, 1871)
	require.True(t, p.RunUntil(time.Minute, p.Established))
	p.Run(10 * time.Second)
	require.Equal(t, []*association.StreamResetEvent{{Flags: association.StreamResetIncoming, Streams: []chunk.StreamID{1}}},
		resetEvents(p.DeliveredZ))
}

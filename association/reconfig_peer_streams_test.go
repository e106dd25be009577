package association_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// The peer's requests about our outgoing streams (RFC 6525 Sections
// 5.2.3 and 5.2.6), forged from A to Z on hostilePair; Z's answer and
// its own request then go to A, whose receiver side performs the
// request.

// reconfParams returns the RE-CONFIG parameters sent from from in the
// packets c captured, in order, and forgets those packets.
func reconfParams(t *testing.T, c *capture, from netip.AddrPort) []chunk.Param {
	t.Helper()
	var out []chunk.Param
	for _, sp := range c.pkts {
		if sp.from != from {
			continue
		}
		it := sp.pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			if r.Type != chunk.TypeReConfig {
				continue
			}
			var rc chunk.ReConfig
			parseChunk(t, r, &rc)
			out = append(out, rc.Params...)
		}
	}
	c.pkts = nil
	return out
}

// inReset is the peer's Incoming SSN Reset Request seq for streams ids
// (none: all).
func inReset(seq chunk.TSN, ids ...chunk.StreamID) *chunk.ReConfig {
	return &chunk.ReConfig{Params: []chunk.Param{&chunk.IncomingSSNResetRequest{ReqSeq: uint32(seq), Streams: ids}}}
}

// The peer's Incoming SSN Reset Request for stream 1 is answered
// "Success - Performed" and performed by an Outgoing SSN Reset Request of
// Z's for stream 1 (F1), which answers the peer's request number (the
// Re-configuration Response Sequence Number) and goes once the message
// queued on the stream is handed out; sends to the stream fail with
// ErrStreamResetting meanwhile. A performs it: Z's user gets an outgoing
// stream reset event, A's an incoming one, and Z's next message on
// stream 1 has SSN 0 again. The request retransmitted gets its answer
// again and is not performed twice.
func TestReconfigIncomingResetPerformed(t *testing.T) {
	p, cum := hostilePair(t, 1621, nil)
	c := capturePackets(p)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("z0")))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("z1")))
	hand(p, p.Z, inReset(cum, 1))
	require.ErrorIs(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("x")), association.ErrStreamResetting)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 2}, []byte("other")))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(resetEvents(p.DeliveredZ)) == 1 }))
	params := reconfParams(t, c, p.AddrZ)
	require.Len(t, params, 2)
	require.Equal(t, &chunk.ReconfigResponse{RespSeq: uint32(cum), Result: chunk.ReconfigSuccessPerformed}, params[0])
	req, ok := params[1].(*chunk.OutgoingSSNResetRequest)
	require.True(t, ok, "%T", params[1])
	require.Equal(t, uint32(cum), req.RespSeq, "it answers the peer's request")
	require.Equal(t, []chunk.StreamID{1}, req.Streams)
	ev := resetEvents(p.DeliveredZ)[0]
	require.Equal(t, association.StreamResetOutgoing, ev.Flags)
	require.Equal(t, []chunk.StreamID{1}, ev.Streams)
	evA := resetEvents(p.DeliveredA)
	require.Len(t, evA, 1)
	require.Equal(t, association.StreamResetIncoming, evA[0].Flags)

	hand(p, p.Z, inReset(cum, 1))
	p.Run(time.Second)
	require.Equal(t, []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(cum), Result: chunk.ReconfigSuccessPerformed}},
		reconfParams(t, c, p.AddrZ), "answered again, not performed again")
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("new")))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(onStream(p.DeliveredA, 1)) == 3 }))
	require.Equal(t, []string{"z0@0", "z1@1", "new@0"}, onStream(p.DeliveredA, 1))
	require.Len(t, resetEvents(p.DeliveredZ), 1)
	require.Equal(t, association.StateEstablished, p.Z.State())
	require.Equal(t, association.StateEstablished, p.A.State())
}

// With an Outgoing SSN Reset Request of Z's in flight (its packets lost),
// the peer's Incoming SSN Reset Request is answered "Success - Nothing to
// do" when ours covers its streams, and "Error - Request already in
// progress" otherwise (one request in flight, RFC 6525 Section 5.1.1); a
// stream Z does not have is denied, as is every Incoming SSN Reset
// Request when Config.ResetRequestsDenied has ResetStreamRequests, and a
// request number out of sequence is "Error - Bad Sequence Number".
// Nothing of it starts a request of Z's.
func TestReconfigIncomingResetAnswers(t *testing.T) {
	p, cum := hostilePair(t, 1622, nil)
	c := capturePackets(p)
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	require.NoError(t, p.Z.ResetStreams(p.Now, []chunk.StreamID{1, 2}))
	p.Exchange()
	c.pkts = nil
	hand(p, p.Z, inReset(cum, 2))
	hand(p, p.Z, inReset(cum+1, 0))
	hand(p, p.Z, inReset(cum+2))
	hand(p, p.Z, inReset(cum+5, 1))
	require.Equal(t, []chunk.ReconfigResponse{
		resp(cum, chunk.ReconfigSuccessNothingToDo), resp(cum+1, chunk.ReconfigErrorRequestAlreadyInProgress),
		resp(cum+2, chunk.ReconfigErrorRequestAlreadyInProgress), resp(cum+5, chunk.ReconfigErrorBadSequenceNumber),
	}, reconfAnswers(t, p, c))
	remove()
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(resetEvents(p.DeliveredZ)) == 1 }))
	outbound, _ := p.Z.Streams()
	c.pkts = nil
	hand(p, p.Z, inReset(cum+3, 0, chunk.StreamID(outbound)))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum+3, chunk.ReconfigDenied)}, reconfAnswers(t, p, c))

	p, cum = hostilePair(t, 1623, func(_, z *association.Config) { z.ResetRequestsDenied = association.ResetStreamRequests })
	c = capturePackets(p)
	hand(p, p.Z, inReset(cum, 1))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigDenied)}, reconfAnswers(t, p, c))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("free")))
	require.Empty(t, resetEvents(p.DeliveredZ))
}

// The peer's Add Incoming Streams Request for 3 streams is answered
// "Success - Performed" and performed by an Add Outgoing Streams Request
// of Z's (RFC 6525 Section 5.2.6); the streams are Z's only once A
// acknowledged it (H6): until then sends to them fail. Both users get a
// stream change event with the new counts, and Z's message on a new
// stream reaches A. The request retransmitted gets its answer again and
// adds nothing more.
func TestReconfigAddIncomingPerformed(t *testing.T) {
	p, cum := hostilePair(t, 1624, func(a, _ *association.Config) { a.MaxInboundStreams = 65535 })
	c := capturePackets(p)
	out, in := p.Z.Streams()
	add := &chunk.ReConfig{Params: []chunk.Param{&chunk.AddIncomingStreams{ReqSeq: uint32(cum), NumNewStreams: 3}}}
	hand(p, p.Z, add)
	require.ErrorIs(t, p.Z.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(out)}, []byte("early")), association.ErrInvalidStream)
	require.True(t, p.RunUntil(10*time.Second, func() bool {
		return len(eventsOf[*association.StreamChangeEvent](p.DeliveredZ)) == 1
	}))
	params := reconfParams(t, c, p.AddrZ)
	require.Len(t, params, 2)
	require.Equal(t, &chunk.ReconfigResponse{RespSeq: uint32(cum), Result: chunk.ReconfigSuccessPerformed}, params[0])
	require.Equal(t, uint16(3), params[1].(*chunk.AddOutgoingStreams).NumNewStreams)
	require.Equal(t, []*association.StreamChangeEvent{{InStreams: in, OutStreams: out + 3}},
		eventsOf[*association.StreamChangeEvent](p.DeliveredZ))
	require.Equal(t, []*association.StreamChangeEvent{{InStreams: out + 3, OutStreams: in}},
		eventsOf[*association.StreamChangeEvent](p.DeliveredA))
	gotOut, _ := p.Z.Streams()
	require.Equal(t, out+3, gotOut)

	hand(p, p.Z, add)
	p.Run(time.Second)
	require.Equal(t, []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(cum), Result: chunk.ReconfigSuccessPerformed}},
		reconfParams(t, c, p.AddrZ))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(out + 2)}, []byte("added")))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(onStream(p.DeliveredA, chunk.StreamID(out+2))) == 1 }))
	gotOut, _ = p.Z.Streams()
	require.Equal(t, out+3, gotOut)
}

// An Add Incoming Streams Request is denied beyond 65535 streams, with
// none, and when Config.ResetRequestsDenied has ChangeAssocRequests;
// "Error - Request already in progress" while a request of Z's is in
// flight. When A denies Z's Add Outgoing Streams Request (beyond its
// MaxInboundStreams), Z's user gets a stream change event with
// ReconfigDenied and the counts unchanged.
func TestReconfigAddIncomingDenied(t *testing.T) {
	p, cum := hostilePair(t, 1625, func(a, z *association.Config) { a.MaxInboundStreams, z.OutboundStreams = 10, 10 })
	c := capturePackets(p)
	addIn := func(seq chunk.TSN, n uint16) *chunk.ReConfig {
		return &chunk.ReConfig{Params: []chunk.Param{&chunk.AddIncomingStreams{ReqSeq: uint32(seq), NumNewStreams: n}}}
	}
	out, in := p.Z.Streams()
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	hand(p, p.Z, addIn(cum, 65535-out+1))
	hand(p, p.Z, addIn(cum+1, 0))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigDenied), resp(cum+1, chunk.ReconfigDenied)},
		reconfAnswers(t, p, c))
	require.NoError(t, p.Z.ResetStreams(p.Now, nil))
	p.Exchange()
	c.pkts = nil
	hand(p, p.Z, addIn(cum+2, 1))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum+2, chunk.ReconfigErrorRequestAlreadyInProgress)},
		reconfAnswers(t, p, c))
	remove()
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(resetEvents(p.DeliveredZ)) == 1 }))
	hand(p, p.Z, addIn(cum+3, 1))
	require.True(t, p.RunUntil(10*time.Second, func() bool {
		return len(eventsOf[*association.StreamChangeEvent](p.DeliveredZ)) == 1
	}))
	require.Equal(t, []*association.StreamChangeEvent{{Flags: association.ReconfigDenied, InStreams: in, OutStreams: out}},
		eventsOf[*association.StreamChangeEvent](p.DeliveredZ), "A's MaxInboundStreams denies it")

	p, cum = hostilePair(t, 1626, func(_, z *association.Config) { z.ResetRequestsDenied = association.ChangeAssocRequests })
	c = capturePackets(p)
	hand(p, p.Z, addIn(cum, 1))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigDenied)}, reconfAnswers(t, p, c))
}

// Over a lossy link (seeded), the peer's Incoming SSN Reset Request and
// Add Incoming Streams Request are performed although Z's requests and
// A's answers are lost on the way: Z's requests are retransmitted on the
// Re-configuration Timer until answered. Stream 1 starts again at SSN 0
// after every message of the old sequence, and the added stream carries
// a message. Each seed runs the same way twice (deterministic).
func TestReconfigPeerStreamsLossy(t *testing.T) {
	requests := runTwice(t, 1640, 1648, peerStreamsRun)
	require.Greater(t, requests, 4*8, "some requests or answers were lost and the request sent again (4 a run without loss: two answers, two requests)")
}

// peerStreamsRun runs TestReconfigPeerStreamsLossy with seed and returns
// what A delivered on streams 1 and 10, and the number of RE-CONFIG
// chunks Z sent.
func peerStreamsRun(t *testing.T, seed uint64) ([]string, int) {
	t.Helper()
	logSeedOnFailure(t, seed)
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.OutboundStreams = 10
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, lossy(0.2))
	require.NoError(t, err)
	c := capturePackets(p)
	require.NoError(t, p.HandshakeWithin(time.Minute))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("first")))
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == 1 }))
	seq := messagesOf(p.DeliveredZ)[0].TSN
	for i := range 4 {
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte(fmt.Sprint("old", i))))
	}
	hand(p, p.Z, inReset(seq, 1))
	require.True(t, p.RunUntil(2*time.Minute, func() bool { return len(resetEvents(p.DeliveredZ)) == 1 }))
	require.Equal(t, association.StreamResetOutgoing, resetEvents(p.DeliveredZ)[0].Flags)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("new")))
	hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{&chunk.AddIncomingStreams{ReqSeq: uint32(seq + 1), NumNewStreams: 1}}})
	require.True(t, p.RunUntil(2*time.Minute, func() bool {
		return len(eventsOf[*association.StreamChangeEvent](p.DeliveredZ)) == 1
	}))
	require.Equal(t, association.ReconfigFlags(0), eventsOf[*association.StreamChangeEvent](p.DeliveredZ)[0].Flags)
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 10}, []byte("added")))
	require.True(t, p.RunUntil(2*time.Minute, func() bool {
		return len(onStream(p.DeliveredA, 1)) == 5 && len(onStream(p.DeliveredA, 10)) == 1
	}))
	require.Equal(t, []string{"old0@0", "old1@1", "old2@2", "old3@3", "new@0"}, onStream(p.DeliveredA, 1))
	return append(onStream(p.DeliveredA, 1), onStream(p.DeliveredA, 10)...), c.count(p.AddrZ, chunk.TypeReConfig)
}

// A restart of the peer (RFC 9260 Section 5.2.4 action A) ends Z's Add
// Outgoing Streams Request, made for the old peer's Add Incoming Streams
// Request and lost: no stream reset event for it, no stream added, and
// no request left in progress.
func TestReconfigAddIncomingPeerRestart(t *testing.T) {
	p, cum := hostilePair(t, 1627, nil)
	out, _ := p.Z.Streams()
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{&chunk.AddIncomingStreams{ReqSeq: uint32(cum), NumNewStreams: 2}}})
	p.Exchange()
	remove()
	restartA(t, p, 1628)
	require.True(t, p.RunUntil(time.Minute, p.Established))
	p.Exchange()
	require.Empty(t, resetEvents(p.DeliveredZ))
	require.Empty(t, eventsOf[*association.StreamChangeEvent](p.DeliveredZ))
	got, _ := p.Z.Streams()
	require.Equal(t, out, got)
	require.NoError(t, p.Z.ResetStreams(p.Now, nil), "no request left in progress")
}

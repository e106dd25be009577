package association_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// The receiver side of stream reconfiguration (RFC 6525 Section 5.2),
// with RE-CONFIG chunks forged from A to Z on a pair that negotiated it
// (hostilePair: A sent "first" on stream 0, SSN 0, at TSN cum, its
// Initial TSN and so its first Re-configuration Request Sequence Number).
// Z's answers are captured and kept from A (reconfAnswers), as a lost
// response would be.

// reconfAnswers runs p with Z's packets dropped and returns the
// Re-configuration Responses Z sent since the capture c began, checking
// that each RE-CONFIG went with a SACK (RFC 6525 Section 5.2.1).
func reconfAnswers(t *testing.T, p *associationtest.Pair, c *capture) []chunk.ReconfigResponse {
	t.Helper()
	lastSACKOfZ(t, p, c)
	var out []chunk.ReconfigResponse
	for _, sp := range c.with(p.AddrZ, chunk.TypeReConfig) {
		require.True(t, sp.has(chunk.TypeSACK), "a SACK goes with the answer")
		it := sp.pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			if r.Type != chunk.TypeReConfig {
				continue
			}
			var rc chunk.ReConfig
			parseChunk(t, r, &rc)
			for _, prm := range rc.Params {
				resp, ok := prm.(*chunk.ReconfigResponse)
				require.True(t, ok, "only responses: %T", prm)
				out = append(out, *resp)
			}
		}
	}
	c.pkts = nil
	return out
}

// resp is a Re-configuration Response without TSNs.
func resp(seq chunk.TSN, res chunk.ReconfigResult) chunk.ReconfigResponse {
	return chunk.ReconfigResponse{RespSeq: uint32(seq), Result: res}
}

// outReset is the peer's Outgoing SSN Reset Request seq for streams ids
// (none: all) with last as its Sender's Last Assigned TSN.
func outReset(seq, last chunk.TSN, ids ...chunk.StreamID) *chunk.ReConfig {
	return &chunk.ReConfig{Params: []chunk.Param{&chunk.OutgoingSSNResetRequest{
		ReqSeq: uint32(seq), RespSeq: uint32(seq) - 1, SenderLastTSN: last, Streams: ids}}}
}

// RE-CONFIG is negotiated by default, and an Outgoing SSN Reset Request
// whose TSNs have all arrived is performed at once: "Success -
// Performed", a stream reset event for the incoming stream, and the
// peer's next message on it, with SSN 0 again, is delivered (without the
// reset it would be an SSN already delivered, a protocol violation).
func TestReconfigResetIncomingPerformed(t *testing.T) {
	p, cum := hostilePair(t, 1601, nil)
	require.True(t, p.A.StreamReconfig())
	require.True(t, p.Z.StreamReconfig())
	c := capturePackets(p)
	hand(p, p.Z, outReset(cum, cum, 0))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigSuccessPerformed)}, reconfAnswers(t, p, c))
	evs := eventsOf[*association.StreamResetEvent](p.DeliveredZ)
	require.Len(t, evs, 1)
	require.Equal(t, association.StreamResetIncoming, evs[0].Flags)
	require.Equal(t, []chunk.StreamID{0}, evs[0].Streams)
	hand(p, p.Z, ordered(cum+1, 0, be|chunk.FlagImmediate, "again"))
	lastSACKOfZ(t, p, c)
	require.Equal(t, []string{"first", "again"}, texts(p.DeliveredZ))
	require.Equal(t, association.StateEstablished, p.Z.State())
}

// A reset whose Sender's Last Assigned TSN has not all arrived is
// deferred (RFC 6525 Section 5.2.2 E2): answered "In progress", and the
// retransmitted request (its response lost, or the peer waiting) gets
// "In progress" again. Data of the new sequence on the stream that
// arrives meanwhile is held, acknowledged (a Gap Ack Block) but not
// delivered. Once the missing TSN arrives the reset is performed, after
// the messages before it, and the held data is delivered after the
// event, with its SSN of the new sequence (E4); the retransmitted
// request then gets "Success - Performed", and the held data sent again
// is a duplicate, not delivered twice.
func TestReconfigResetDeferredUntilLastTSN(t *testing.T) {
	p, cum := hostilePair(t, 1602, nil)
	c := capturePackets(p)
	hand(p, p.Z, ordered(cum+2, 2, be, "two"))
	hand(p, p.Z, outReset(cum, cum+2, 0))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigInProgress)}, reconfAnswers(t, p, c))
	hand(p, p.Z, ordered(cum+3, 0, be, "new"))
	sack := lastSACKOfZ(t, p, c)
	require.Equal(t, cum, sack.CumTSNAck)
	require.Equal(t, []chunk.GapBlock{{Start: 2, End: 3}}, sack.GapBlocks, "the held chunk is acknowledged")
	hand(p, p.Z, outReset(cum, cum+2, 0))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigInProgress)}, reconfAnswers(t, p, c))
	require.Empty(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ))
	require.Equal(t, []string{"first"}, texts(p.DeliveredZ))

	hand(p, p.Z, ordered(cum+1, 1, be, "one"))
	require.Equal(t, cum+3, lastSACKOfZ(t, p, c).CumTSNAck)
	require.Len(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ), 1)
	ev := slices.IndexFunc(p.DeliveredZ, func(d association.Delivery) bool {
		_, ok := d.Event.(*association.StreamResetEvent)
		return ok
	})
	require.Equal(t, []string{"first", "one", "two"}, texts(p.DeliveredZ[:ev]), "the event follows the messages of the old sequence")
	require.Equal(t, []string{"new@0"}, onStream(p.DeliveredZ[ev:], 0), "the held message follows it")
	hand(p, p.Z, outReset(cum, cum+2, 0))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigSuccessPerformed)}, reconfAnswers(t, p, c))
	hand(p, p.Z, ordered(cum+3, 0, be|chunk.FlagImmediate, "new"))
	lastSACKOfZ(t, p, c)
	require.Equal(t, []string{"first", "one", "two", "new"}, texts(p.DeliveredZ))
	require.Len(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ), 1, "a retransmission is not performed again")
}

// A deferred reset whose last TSN arrives in the same packet, after the
// request, is performed before the answer goes: the answer is "Success
// - Performed" (RFC 6525 Section 5.2.2 E6: the response is sent "after
// the incoming RE-CONFIG chunk is processed completely"). Data of other
// streams is not held.
func TestReconfigResetDeferredSamePacket(t *testing.T) {
	p, cum := hostilePair(t, 1603, nil)
	c := capturePackets(p)
	other := &chunk.Data{Flags: be, TSN: cum + 2, StreamID: 1, SSN: 0, UserData: []byte("other")}
	hand(p, p.Z, outReset(cum, cum+1, 0), other, ordered(cum+1, 1, be, "one"))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigSuccessPerformed)}, reconfAnswers(t, p, c))
	require.Equal(t, []string{"first", "other", "one"}, texts(p.DeliveredZ))
	require.Len(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ), 1)
}

// Request sequence numbers (RFC 6525 Section 5.2.1): a number other than
// the next expected or one of the last two answered gets "Error - Bad
// Sequence Number" and nothing is done; the last two answered get their
// answer again, performed once. Requests this side denies (an Incoming
// SSN Reset of a stream it does not have, an SSN/TSN Reset its
// configuration denies, Add Incoming Streams beyond 65535 streams, Add
// Outgoing Streams beyond MaxInboundStreams) take their number too, and
// every request is answered.
func TestReconfigSequenceNumbers(t *testing.T) {
	p, cum := hostilePair(t, 1604, func(_, z *association.Config) {
		z.MaxInboundStreams = 12
		z.ResetRequestsDenied = association.ResetAssocRequests
	})
	c := capturePackets(p)
	bad := chunk.ReconfigErrorBadSequenceNumber
	hand(p, p.Z, outReset(cum+1, cum))
	hand(p, p.Z, outReset(cum-1, cum))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum+1, bad), resp(cum-1, bad)}, reconfAnswers(t, p, c))
	require.Empty(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ))

	hand(p, p.Z, outReset(cum, cum))
	hand(p, p.Z, outReset(cum, cum))
	hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{&chunk.IncomingSSNResetRequest{ReqSeq: uint32(cum + 1), Streams: []chunk.StreamID{65535}}}})
	hand(p, p.Z, outReset(cum, cum))
	hand(p, p.Z, outReset(cum-1, cum))
	require.Equal(t, []chunk.ReconfigResponse{
		resp(cum, chunk.ReconfigSuccessPerformed), resp(cum, chunk.ReconfigSuccessPerformed),
		resp(cum+1, chunk.ReconfigDenied), resp(cum, chunk.ReconfigSuccessPerformed), resp(cum-1, bad),
	}, reconfAnswers(t, p, c))
	evs := eventsOf[*association.StreamResetEvent](p.DeliveredZ)
	require.Len(t, evs, 1)
	require.Empty(t, evs[0].Streams, "all streams")

	inbound := p.Z.Status().InStreams
	hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{&chunk.SSNTSNResetRequest{ReqSeq: uint32(cum + 2)}}})
	hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{
		&chunk.AddOutgoingStreams{ReqSeq: uint32(cum + 3), NumNewStreams: 2},
		&chunk.AddIncomingStreams{ReqSeq: uint32(cum + 4), NumNewStreams: 65535}}})
	hand(p, p.Z, &chunk.ReConfig{Params: []chunk.Param{&chunk.AddOutgoingStreams{ReqSeq: uint32(cum + 5), NumNewStreams: 1000}}})
	require.Equal(t, []chunk.ReconfigResponse{
		resp(cum+2, chunk.ReconfigDenied),
		resp(cum+3, chunk.ReconfigSuccessPerformed), resp(cum+4, chunk.ReconfigDenied),
		resp(cum+5, chunk.ReconfigDenied),
	}, reconfAnswers(t, p, c))
	require.Equal(t, inbound+2, p.Z.Status().InStreams)
	hand(p, p.Z, &chunk.Data{Flags: be | chunk.FlagImmediate, TSN: cum + 1, StreamID: chunk.StreamID(inbound + 1), UserData: []byte("added")})
	lastSACKOfZ(t, p, c)
	require.Equal(t, []string{"first", "added"}, texts(p.DeliveredZ))
	require.Equal(t, association.StateEstablished, p.Z.State())
}

// A reset naming a stream the association does not have is denied, and
// one whose Sender's Last Assigned TSN is further ahead than the receive
// window lets a sender go is denied rather than held for ever.
func TestReconfigResetDenied(t *testing.T) {
	p, cum := hostilePair(t, 1605, nil)
	c := capturePackets(p)
	inbound := p.Z.Status().InStreams
	hand(p, p.Z, outReset(cum, cum, 0, chunk.StreamID(inbound)))
	far := cum + chunk.TSN(p.Z.Config().ReceiveBuffer) + 1<<20
	hand(p, p.Z, outReset(cum+1, far, 0))
	require.Equal(t, []chunk.ReconfigResponse{
		resp(cum, chunk.ReconfigDenied), resp(cum+1, chunk.ReconfigDenied)}, reconfAnswers(t, p, c))
	require.Empty(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ))
	require.Equal(t, cum+1, sendAndDeliver(t, p, []byte("next")).TSN)
}

// Malformed RE-CONFIG chunks (no parameter, a parameter with a bad
// Length) are discarded with an error that says why (chunk.ErrLength,
// *association.DiscardError), and a combination of parameters RFC 6525
// Section 3.1 does not allow is answered by an ERROR with a Protocol
// Violation cause; nothing is performed, nothing panics, and the
// association goes on.
func TestReconfigMalformed(t *testing.T) {
	p, cum := hostilePair(t, 1606, nil)
	c := capturePackets(p)
	tag, _ := p.Z.Tags()
	for _, raw := range []rawChunk{
		{byte(chunk.TypeReConfig), 0, 0, 4},
		// An Outgoing SSN Reset Request of Length 17.
		{byte(chunk.TypeReConfig), 0, 0, 24, 0, 13, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	} {
		err := p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: packetOf(headerAZ(tag), raw)})
		require.ErrorIs(t, err, chunk.ErrLength)
		var de *association.DiscardError
		require.True(t, errors.As(err, &de))
		require.Equal(t, chunk.TypeReConfig, de.Chunk)
	}
	two := &chunk.ReConfig{Params: []chunk.Param{
		&chunk.OutgoingSSNResetRequest{ReqSeq: uint32(cum), SenderLastTSN: cum},
		&chunk.OutgoingSSNResetRequest{ReqSeq: uint32(cum + 1), SenderLastTSN: cum}}}
	err := p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: packetOf(headerAZ(tag), two)})
	var de *association.DiscardError
	require.True(t, errors.As(err, &de))
	p.Exchange()
	errs := c.with(p.AddrZ, chunk.TypeError)
	require.Len(t, errs, 1)
	soleCause[*chunk.ProtocolViolationCause](t, errs[0], chunk.TypeError)
	require.Empty(t, c.with(p.AddrZ, chunk.TypeReConfig))
	require.Empty(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ))
	// The sequence did not move: the request is still expected.
	c.pkts = nil
	hand(p, p.Z, outReset(cum, cum, 0))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigSuccessPerformed)}, reconfAnswers(t, p, c))
	require.Equal(t, association.StateEstablished, p.Z.State())
}

// With ReconfigDisabled, RE-CONFIG is not offered, and a RE-CONFIG chunk
// is an unknown chunk as before: its action bits (10: skip it and go on
// with the packet) drop it without a report, and nothing is reset.
func TestReconfigDisabled(t *testing.T) {
	p, cum := hostilePair(t, 1607, func(_, z *association.Config) { z.ReconfigDisabled = true })
	require.False(t, p.Z.StreamReconfig())
	require.False(t, p.A.StreamReconfig(), "Z did not offer it")
	c := capturePackets(p)
	hand(p, p.Z, outReset(cum, cum, 0), ordered(cum+1, 1, be|chunk.FlagImmediate, "after"))
	lastSACKOfZ(t, p, c)
	require.Empty(t, c.with(p.AddrZ, chunk.TypeError))
	require.Empty(t, c.with(p.AddrZ, chunk.TypeReConfig))
	require.Empty(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ))
	require.Equal(t, []string{"first", "after"}, texts(p.DeliveredZ))
}

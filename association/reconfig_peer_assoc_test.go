package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// The peer's SSN/TSN Reset Request (RFC 6525 Section 5.2.4), forged
// from A to Z on hostilePair; Z's packets are kept from A (reconfAnswers,
// lastSACKOfZ), whose TSNs no longer match Z's.

// assocReset is the peer's SSN/TSN Reset Request seq.
func assocReset(seq chunk.TSN) *chunk.ReConfig {
	return &chunk.ReConfig{Params: []chunk.Param{&chunk.SSNTSNResetRequest{ReqSeq: uint32(seq)}}}
}

// With nothing of Z's outstanding, the peer's SSN/TSN Reset Request is
// performed at once: answered "Success - Performed" with the Receiver's
// Next TSN the smallest TSN Z has not acknowledged plus 2^31 (G1) and the
// Sender's Next TSN Z's next TSN (G2); the complete message held behind
// a missing TSN is delivered and the incomplete one dropped (G4); Z's
// user gets an association reset event with both TSNs; the peer's data
// at the Receiver's Next TSN with SSN 0 is delivered, and Z's next DATA
// goes at the Sender's Next TSN with SSN 0 (G5). The retransmitted
// request gets the same answer and is not performed again.
func TestReconfigResetAssocPerformed(t *testing.T) {
	p, cum := hostilePair(t, 1631, nil)
	c := capturePackets(p)
	hand(p, p.Z, ordered(cum+2, 2, be, "two"), ordered(cum+4, 3, chunk.FlagBeginning, "part"))
	lastSACKOfZ(t, p, c)
	require.Equal(t, []string{"first"}, texts(p.DeliveredZ))
	hand(p, p.Z, assocReset(cum))
	answers := reconfAnswers(t, p, c)
	require.Len(t, answers, 1)
	r := answers[0]
	recvNext := cum + 1 + 1<<31
	require.Equal(t, chunk.ReconfigResponse{RespSeq: uint32(cum), Result: chunk.ReconfigSuccessPerformed,
		HasTSNs: true, SenderNextTSN: r.SenderNextTSN, ReceiverNextTSN: recvNext}, r)
	require.Equal(t, []*association.AssocResetEvent{{LocalTSN: r.SenderNextTSN, RemoteTSN: recvNext}},
		eventsOf[*association.AssocResetEvent](p.DeliveredZ))
	require.Equal(t, []string{"first", "two"}, texts(p.DeliveredZ))

	hand(p, p.Z, ordered(recvNext, 0, be|chunk.FlagImmediate, "new"))
	require.Equal(t, recvNext, lastSACKOfZ(t, p, c).CumTSNAck)
	require.Equal(t, []string{"first", "two", "new"}, texts(p.DeliveredZ))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("z")))
	lastSACKOfZ(t, p, c)
	sent := c.with(p.AddrZ, chunk.TypeData)
	require.NotEmpty(t, sent)
	raw, _ := sent[0].chunk(chunk.TypeData)
	var d chunk.Data
	parseChunk(t, raw, &d)
	require.Equal(t, r.SenderNextTSN, d.TSN)
	require.Equal(t, chunk.SSN(0), d.SSN)

	c.pkts = nil
	hand(p, p.Z, assocReset(cum))
	require.Equal(t, []chunk.ReconfigResponse{r}, reconfAnswers(t, p, c))
	require.Len(t, eventsOf[*association.AssocResetEvent](p.DeliveredZ), 1)
	require.Equal(t, association.StateEstablished, p.Z.State())
}

// With data of Z's outstanding, the request is answered "In progress"
// (G3 would take it as acknowledged), and so is its retransmission while
// the data is; once A acknowledged it, the retransmission is performed.
func TestReconfigResetAssocInProgress(t *testing.T) {
	p, cum := hostilePair(t, 1632, nil)
	c := capturePackets(p)
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("z")))
	p.Exchange()
	c.pkts = nil
	hand(p, p.Z, assocReset(cum))
	hand(p, p.Z, assocReset(cum))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigInProgress), resp(cum, chunk.ReconfigInProgress)},
		reconfAnswers(t, p, c))
	require.Empty(t, eventsOf[*association.AssocResetEvent](p.DeliveredZ))
	remove()
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredA)) == 1 }))
	p.Run(time.Second)
	c.pkts = nil
	hand(p, p.Z, assocReset(cum))
	answers := reconfAnswers(t, p, c)
	require.Len(t, answers, 1)
	require.Equal(t, chunk.ReconfigSuccessPerformed, answers[0].Result)
	require.True(t, answers[0].HasTSNs)
	require.Equal(t, cum+1+1<<31, answers[0].ReceiverNextTSN)
	require.Len(t, eventsOf[*association.AssocResetEvent](p.DeliveredZ), 1)
}

// The request is denied when Config.ResetRequestsDenied has
// ResetAssocRequests, answered "Error - Request already in progress"
// while a request of Z's is in flight or a reset of the peer's is
// deferred, and "Error - Bad Sequence Number" out of sequence; none of
// them resets anything.
func TestReconfigResetAssocDenied(t *testing.T) {
	p, cum := hostilePair(t, 1633, func(_, z *association.Config) { z.ResetRequestsDenied = association.ResetAssocRequests })
	c := capturePackets(p)
	hand(p, p.Z, assocReset(cum))
	hand(p, p.Z, assocReset(cum+7))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigDenied), resp(cum+7, chunk.ReconfigErrorBadSequenceNumber)},
		reconfAnswers(t, p, c))

	p, cum = hostilePair(t, 1634, nil)
	c = capturePackets(p)
	hand(p, p.Z, outReset(cum, cum+1, 0))
	hand(p, p.Z, assocReset(cum+1))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigInProgress),
		resp(cum+1, chunk.ReconfigErrorRequestAlreadyInProgress)}, reconfAnswers(t, p, c))
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	require.NoError(t, p.Z.ResetStreams(p.Now, nil))
	p.Exchange()
	c.pkts = nil
	hand(p, p.Z, assocReset(cum+2))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum+2, chunk.ReconfigErrorRequestAlreadyInProgress)}, reconfAnswers(t, p, c))
	remove()
	require.Empty(t, eventsOf[*association.AssocResetEvent](p.DeliveredZ))
	require.Equal(t, association.StateEstablished, p.Z.State())
}

// Both ends ask for an SSN/TSN reset at the same moment: the requests
// cross, and one of them (the one of the end with the higher
// verification tag) is performed, which is what both asked for, so that
// both users see it succeed, with the same TSNs crosswise, instead of
// both failing "Error - Request already in progress" (and failing again
// if both retry together); each end's next message starts at SSN 0 at
// the TSN the other expects.
func TestReconfigResetAssocCollision(t *testing.T) {
	for seed := uint64(1860); seed < 1864; seed++ {
		p, _, _ := twoWayPair(t, seed, nil)
		require.NoError(t, p.A.ResetAssoc(p.Now))
		require.NoError(t, p.Z.ResetAssoc(p.Now))
		require.True(t, p.RunUntil(time.Minute, func() bool {
			return len(assocResets(p.DeliveredA)) > 0 && len(assocResets(p.DeliveredZ)) > 0
		}))
		p.Run(10 * time.Second)
		require.Len(t, assocResets(p.DeliveredA), 1)
		require.Len(t, assocResets(p.DeliveredZ), 1)
		ea, ez := assocResets(p.DeliveredA)[0], assocResets(p.DeliveredZ)[0]
		require.Zero(t, ea.Flags, "seed %d", seed)
		require.Zero(t, ez.Flags, "seed %d", seed)
		require.Equal(t, [2]chunk.TSN{ea.LocalTSN, ea.RemoteTSN}, [2]chunk.TSN{ez.RemoteTSN, ez.LocalTSN})
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("new")))
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("new")))
		require.True(t, p.RunUntil(time.Minute, func() bool {
			return len(messagesOf(p.DeliveredA)) == 2 && len(messagesOf(p.DeliveredZ)) == 2
		}))
		require.Equal(t, []string{"first@0", "new@0"}, onStream(p.DeliveredZ, 0))
		require.Equal(t, []string{"back@0", "new@0"}, onStream(p.DeliveredA, 0))
		require.Equal(t, ea.LocalTSN, messagesOf(p.DeliveredZ)[1].TSN)
		require.Equal(t, ea.RemoteTSN, messagesOf(p.DeliveredA)[1].TSN)
		require.NoError(t, p.A.AddStreams(p.Now, 1, 0), "no request left in progress")
	}
}

// A resets the association while Z's user sends without pause: Z holds
// its new messages once it answered the request "In progress", so that
// what it has outstanding is acknowledged, the retransmitted request is
// performed and A's user gets its answer, instead of Z answering "In
// progress" for as long as its user sends (A's data held meanwhile).
func TestReconfigResetAssocPeerSendingWithoutPause(t *testing.T) {
	p, _, _ := twoWayPair(t, 1865, nil)
	sent := 0
	more := func() {
		for p.Z.Buffered() < 4000 {
			require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, make([]byte, 1000)))
			sent++
		}
	}
	more()
	p.Exchange()
	require.NoError(t, p.A.ResetAssoc(p.Now))
	seen := len(p.DeliveredA)
	require.True(t, p.RunUntil(time.Minute, func() bool {
		more()
		ds := p.DeliveredA[seen:]
		seen = len(p.DeliveredA)
		return len(assocResets(ds)) > 0
	}), "A's reset answered")
	require.Zero(t, assocResets(p.DeliveredA)[0].Flags)
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredA)) == sent+1 }))
	require.Len(t, assocResets(p.DeliveredZ), 1)
	require.Equal(t, assocResets(p.DeliveredA)[0].RemoteTSN, assocResets(p.DeliveredZ)[0].LocalTSN)
}

// The peer's SSN/TSN Reset Request answered "In progress" and never
// retransmitted (the peer gave it up, or it never was the peer's) holds
// new TSNs only until what was outstanding is acknowledged: the reset is
// then performed and answered at once, and the data sent after it goes
// out. Before, the request waited for a retransmission and held our
// data for ever (found by FuzzInjectChunks, input 6b79cc1a795f7b50).
func TestReconfigResetAssocInProgressNotRetransmitted(t *testing.T) {
	p, cum := hostilePair(t, 1635, nil)
	c := capturePackets(p)
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("z")))
	p.Exchange()
	c.pkts = nil
	hand(p, p.Z, assocReset(cum))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigInProgress)}, reconfAnswers(t, p, c))
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{Stream: 1}, []byte("after")))
	remove()
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredA)) == 2 }),
		"the message sent after the request goes out")
	require.Equal(t, []string{"z", "after"}, texts(p.DeliveredA))
	evs := eventsOf[*association.AssocResetEvent](p.DeliveredZ)
	require.Len(t, evs, 1)
	require.Zero(t, evs[0].Flags)
	var performed bool
	for _, sp := range c.with(p.AddrZ, chunk.TypeReConfig) {
		it := sp.pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			if r.Type == chunk.TypeReConfig {
				var rc chunk.ReConfig
				parseChunk(t, r, &rc)
				for _, prm := range rc.Params {
					if a, ok := prm.(*chunk.ReconfigResponse); ok && a.RespSeq == uint32(cum) &&
						a.Result == chunk.ReconfigSuccessPerformed && a.HasTSNs {
						performed = true
					}
				}
			}
		}
	}
	require.True(t, performed, "the answer Performed goes without a retransmitted request")
}

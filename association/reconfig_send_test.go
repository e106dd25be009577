package association_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// The sender side of stream reconfiguration (RFC 6525 Section 5.1):
// ResetStreams on A, answered by Z's receiver side.

// resetEvents returns the stream reset events of ds.
func resetEvents(ds []association.Delivery) []*association.StreamResetEvent {
	return eventsOf[*association.StreamResetEvent](ds)
}

// onStream returns the messages of ds on stream id, with their SSNs.
func onStream(ds []association.Delivery, id chunk.StreamID) []string {
	var out []string
	for _, m := range messagesOf(ds) {
		if m.Stream == id {
			out = append(out, fmt.Sprintf("%s@%d", m.Data, m.SSN))
		}
	}
	return out
}

// A resets stream 1 with messages still queued on it, over a lossy link
// (requests, responses and data lost, seeded): the request goes once the
// queued messages are handed out, sends to the stream are refused until
// the reset completes, and then the stream starts again at SSN 0 at the
// peer, after every message of the old sequence. Stream 0 is not
// touched. Each seed runs the same way twice (deterministic).
func TestReconfigResetStreamsLossy(t *testing.T) {
	requests := runTwice(t, 1700, 1710, resetStreamsRun)
	require.Greater(t, requests, 10, "some requests or answers were lost and the request sent again")
}

// runTwice runs run twice for each seed from first to before end, checks
// that both runs of a seed return the same (deterministic), and returns
// the sum of the counts of the first runs.
func runTwice(t *testing.T, first, end uint64, run func(*testing.T, uint64) ([]string, int)) int {
	t.Helper()
	total := 0
	for seed := first; seed < end; seed++ {
		var runs [2][]string
		var n [2]int
		for i := range runs {
			runs[i], n[i] = run(t, seed)
		}
		require.Equal(t, runs[0], runs[1], "seed %d is deterministic", seed)
		require.Equal(t, n[0], n[1], "seed %d is deterministic", seed)
		total += n[0]
	}
	return total
}

// lossyPair returns an established pair for seed on a link that loses
// 20 % of the packets, with a capture.
func lossyPair(t *testing.T, seed uint64) (*associationtest.Pair, *capture) {
	t.Helper()
	logSeedOnFailure(t, seed)
	cfgA, cfgZ := scenarioConfigs(seed)
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, lossy(0.2))
	require.NoError(t, err)
	c := capturePackets(p)
	require.NoError(t, p.HandshakeWithin(time.Minute))
	return p, c
}

// resetStreamsRun runs TestReconfigResetStreamsLossy with seed and returns
// what Z delivered on stream 1 and the number of RE-CONFIG chunks A sent.
func resetStreamsRun(t *testing.T, seed uint64) ([]string, int) {
	t.Helper()
	p, c := lossyPair(t, seed)
	for i := range 5 {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, []byte(fmt.Sprint("old", i))))
	}
	require.NoError(t, p.A.ResetStreams(p.Now, []chunk.StreamID{1}))
	require.ErrorIs(t, p.A.ResetStreams(p.Now, nil), association.ErrReconfigInProgress)
	require.ErrorIs(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, []byte("x")), association.ErrStreamResetting)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 0}, []byte("zero")))
	require.True(t, p.RunUntil(2*time.Minute, func() bool { return len(resetEvents(p.DeliveredA)) == 1 }))
	ev := resetEvents(p.DeliveredA)[0]
	require.Equal(t, association.StreamResetOutgoing, ev.Flags)
	require.Equal(t, []chunk.StreamID{1}, ev.Streams)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, []byte("new")))
	require.True(t, p.RunUntil(2*time.Minute, func() bool { return len(onStream(p.DeliveredZ, 1)) == 6 }))
	got := onStream(p.DeliveredZ, 1)
	require.Equal(t, []string{"old0@0", "old1@1", "old2@2", "old3@3", "old4@4", "new@0"}, got)
	zev := resetEvents(p.DeliveredZ)
	require.Len(t, zev, 1)
	require.Equal(t, association.StreamResetIncoming, zev[0].Flags)
	require.Equal(t, association.StateEstablished, p.Z.State())
	return got, c.count(p.AddrA, chunk.TypeReConfig)
}

// A lost answer: the request is retransmitted on the Re-configuration
// Timer with the RTO doubled each time (RFC 6525 Section 5.1.1), and each
// retransmission counts as an error of the association; the same request
// (same sequence number) is answered once Z's packets get through.
func TestReconfigResetStreamsRetransmitted(t *testing.T) {
	p, _ := establishedPair(t, 1710)
	c := capturePackets(p)
	remove := p.Net.AddFilter(dropFrom(p.AddrZ))
	require.NoError(t, p.A.ResetStreams(p.Now, nil))
	p.Run(8 * time.Second)
	sent := c.with(p.AddrA, chunk.TypeReConfig)
	require.Len(t, sent, 4, "at 0, 1 s, 3 s and 7 s (RTO 1 s, doubled)")
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		intervals(c.times(p.AddrA, chunk.TypeReConfig)))
	var seqs []uint32
	for _, sp := range sent {
		r, _ := sp.chunk(chunk.TypeReConfig)
		var rc chunk.ReConfig
		parseChunk(t, r, &rc)
		seqs = append(seqs, rc.Params[0].(*chunk.OutgoingSSNResetRequest).ReqSeq)
	}
	require.Equal(t, []uint32{seqs[0], seqs[0], seqs[0], seqs[0]}, seqs)
	remove()
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(resetEvents(p.DeliveredA)) == 1 }))
	require.Equal(t, association.StreamResetOutgoing, resetEvents(p.DeliveredA)[0].Flags)
	require.Len(t, resetEvents(p.DeliveredZ), 1, "performed once")
}

// A denied request ends with a StreamResetEvent carrying
// StreamResetDenied, the streams not reset (SSNs go on); other results
// than success, denial and "In progress" carry StreamResetFailed.
func TestReconfigResetStreamsDenied(t *testing.T) {
	for _, tc := range []struct {
		res  chunk.ReconfigResult
		flag association.StreamResetFlags
	}{
		{chunk.ReconfigDenied, association.StreamResetDenied},
		{chunk.ReconfigErrorBadSequenceNumber, association.StreamResetFailed},
	} {
		p, first := hostilePair(t, 1711, nil)
		p.Net.AddFilter(dropFrom(p.AddrA))
		require.NoError(t, p.A.ResetStreams(p.Now, []chunk.StreamID{0}))
		p.Exchange()
		// A's first request number is its Initial TSN, the TSN of "first".
		hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(first) + 1, Result: tc.res}}})
		require.Empty(t, resetEvents(p.DeliveredA), "an answer to another number is ignored")
		hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(first), Result: chunk.ReconfigInProgress}}})
		require.Empty(t, resetEvents(p.DeliveredA), "in progress: still waiting")
		hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(first), Result: tc.res}}})
		p.Exchange()
		evs := resetEvents(p.DeliveredA)
		require.Len(t, evs, 1)
		require.Equal(t, association.StreamResetOutgoing|tc.flag, evs[0].Flags)
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("next")))
	}
}

// Both ends reset their streams at once (a collision of requests, each
// with its own sequence numbers): both complete, and each side's next
// message starts at SSN 0.
func TestReconfigResetStreamsCollision(t *testing.T) {
	p, _ := establishedPair(t, 1712)
	for _, a := range []*association.Association{p.A, p.Z} {
		require.NoError(t, a.Send(p.Now, association.SendInfo{}, []byte("before")))
	}
	require.True(t, p.RunUntil(10*time.Second, func() bool {
		return len(messagesOf(p.DeliveredA)) == 1 && len(messagesOf(p.DeliveredZ)) == 1
	}))
	require.NoError(t, p.A.ResetStreams(p.Now, nil))
	require.NoError(t, p.Z.ResetStreams(p.Now, nil))
	require.True(t, p.RunUntil(time.Minute, func() bool {
		return len(resetEvents(p.DeliveredA)) == 2 && len(resetEvents(p.DeliveredZ)) == 2
	}))
	for _, a := range []*association.Association{p.A, p.Z} {
		require.NoError(t, a.Send(p.Now, association.SendInfo{}, []byte("after")))
	}
	require.True(t, p.RunUntil(10*time.Second, func() bool {
		return len(messagesOf(p.DeliveredA)) == 2 && len(messagesOf(p.DeliveredZ)) == 2
	}))
	require.Equal(t, []string{"before@0", "after@0"}, onStream(p.DeliveredA, 0))
	require.Equal(t, []string{"before@0", "after@0"}, onStream(p.DeliveredZ, 0))
}

// Without RE-CONFIG negotiated, ResetStreams fails with
// ErrReconfigNotSupported (RFC 6525 Section 5.1.1), on an association
// shutting down with ErrNotEstablished, and for a stream out of range
// with ErrInvalidStream.
func TestReconfigResetStreamsErrors(t *testing.T) {
	p, _ := hostilePair(t, 1713, func(_, z *association.Config) { z.ReconfigDisabled = true })
	require.ErrorIs(t, p.A.ResetStreams(p.Now, nil), association.ErrReconfigNotSupported)
	q, _ := hostilePair(t, 1714, nil)
	require.NoError(t, q.A.Shutdown(q.Now))
	require.ErrorIs(t, q.A.ResetStreams(q.Now, nil), association.ErrNotEstablished)
	q, _ = hostilePair(t, 1714, nil)
	require.ErrorIs(t, q.A.ResetStreams(q.Now, []chunk.StreamID{chunk.StreamID(q.A.Status().OutStreams)}),
		association.ErrInvalidStream)
}

// dropFrom returns a filter that drops the packets from addr.
func dropFrom(addr netip.AddrPort) sim.Filter {
	return func(d *sim.Datagram) sim.Verdict {
		if d.From == addr {
			return sim.Drop
		}
		return sim.Pass
	}
}

// After an "In progress" answer the Re-configuration Timer runs again,
// and its expiry retransmits the request without counting an error (RFC
// 6525 Section 5.2.7 H2): with Association.Max.Retrans 2, four expiries
// each after an "In progress" leave the association up.
func TestReconfigInProgressCountsNoError(t *testing.T) {
	p, first := hostilePair(t, 1715, func(a, _ *association.Config) { a.MaxRetrans = 2 })
	c := capturePackets(p)
	p.Net.AddFilter(dropFrom(p.AddrA))
	require.NoError(t, p.A.ResetStreams(p.Now, nil))
	for i := 1; i <= 5; i++ {
		require.True(t, p.RunUntil(time.Minute, func() bool { return c.count(p.AddrA, chunk.TypeReConfig) == i }))
		hand(p, p.A, &chunk.ReConfig{Params: []chunk.Param{&chunk.ReconfigResponse{RespSeq: uint32(first), Result: chunk.ReconfigInProgress}}})
	}
	require.Equal(t, association.StateEstablished, p.A.State())
	require.Empty(t, resetEvents(p.DeliveredA))
}

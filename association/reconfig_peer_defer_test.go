package association_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// Data held for a deferred reset (RFC 6525 Section 5.2.2 E2) counts
// against the receive window: with a receive buffer of 10000 bytes, of
// 20 chunks of 1000 bytes sent past the Sender's Last Assigned TSN before
// the missing TSN, only the first few are held and acknowledged, the
// rest dropped unacknowledged as any data beyond the window (what Z
// holds stays within its buffer). Once the missing TSN arrives, the held
// messages are delivered after the reset; the peer sends the others again
// and every message arrives once, in order, with the SSNs of the new
// sequence.
func TestReconfigResetDeferredWithinWindow(t *testing.T) {
	const buf = 10000
	p, cum := hostilePair(t, 1651, func(_, z *association.Config) { z.ReceiveBuffer = buf })
	c := capturePackets(p)
	hand(p, p.Z, outReset(cum, cum+1, 0))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigInProgress)}, reconfAnswers(t, p, c))
	payload := make([]byte, 1000)
	msg := func(i int) *chunk.Data {
		d := ordered(cum+2+chunk.TSN(i), chunk.SSN(i), be, "")
		d.UserData = append([]byte(fmt.Sprintf("new%02d", i)), payload[5:]...)
		return d
	}
	const n = 20
	for i := range n {
		hand(p, p.Z, msg(i))
	}
	sack := lastSACKOfZ(t, p, c)
	require.Equal(t, cum, sack.CumTSNAck)
	require.Len(t, sack.GapBlocks, 1)
	held := int(sack.GapBlocks[0].End) - 1
	require.Equal(t, uint16(2), sack.GapBlocks[0].Start)
	require.Positive(t, held)
	require.Less(t, held, n, "beyond the window, dropped")
	require.LessOrEqual(t, held*(1000+association.ChunkOverhead), buf)
	require.Equal(t, []string{"first"}, texts(p.DeliveredZ))

	hand(p, p.Z, ordered(cum+1, 1, be, "one"))
	require.Equal(t, cum+1+chunk.TSN(held), lastSACKOfZ(t, p, c).CumTSNAck)
	require.Len(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ), 1)
	for i := range n {
		// The peer sends again what was not acknowledged (and a few
		// duplicates); the user reads as it goes.
		hand(p, p.Z, msg(i))
		lastSACKOfZ(t, p, c)
	}
	require.Equal(t, cum+1+n, lastSACKOfZ(t, p, c).CumTSNAck)
	want := []string{"first@0", "one@1"}
	for i := range n {
		want = append(want, fmt.Sprintf("new%02d@%d", i, i))
	}
	var got []string
	for _, m := range messagesOf(p.DeliveredZ) {
		got = append(got, fmt.Sprintf("%s@%d", m.Data[:min(len(m.Data), 5)], m.SSN))
	}
	require.Equal(t, want, got)
}

// A deferred reset of the old peer ends with a restart of the peer (RFC
// 9260 Section 5.2.4 action A: every stream starts afresh): the data it
// held goes with the old association, and the new peer's messages on
// the stream are neither held nor counted against the window for it.
func TestReconfigResetDeferredPeerRestart(t *testing.T) {
	for seed := uint64(1652); seed < 1656; seed++ {
		p, cum := hostilePair(t, seed, nil)
		c := capturePackets(p)
		hand(p, p.Z, outReset(cum, cum+2, 0))
		hand(p, p.Z, ordered(cum+3, 0, be, "held"))
		lastSACKOfZ(t, p, c)
		restartA(t, p, seed+100)
		require.True(t, p.RunUntil(time.Minute, p.Established))
		for i := range 3 {
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte(fmt.Sprint("after", i))))
		}
		require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == 4 }), "seed %d", seed)
		require.Equal(t, []string{"first", "after0", "after1", "after2"}, texts(p.DeliveredZ))
		require.Empty(t, resetEvents(p.DeliveredZ))
	}
}

// A FORWARD TSN that abandons, past the Sender's Last Assigned TSN of a
// deferred reset, a message of the new sequence held for it (its first
// fragment held): the reset is performed, the abandoned fragment dropped,
// and the stream expects the SSN after the skipped one of the new
// sequence, so that the peer's next message on it is delivered instead
// of waiting for ever for the rest of the abandoned one.
func TestReconfigResetDeferredForwardSkipsHeld(t *testing.T) {
	p, cum := hostilePair(t, 1870, nil)
	c := capturePackets(p)
	hand(p, p.Z, outReset(cum, cum+1, 0))
	require.Equal(t, []chunk.ReconfigResponse{resp(cum, chunk.ReconfigInProgress)}, reconfAnswers(t, p, c))
	hand(p, p.Z, ordered(cum+2, 0, chunk.FlagBeginning, "new-"))
	hand(p, p.Z, &chunk.ForwardTSN{NewCumTSN: cum + 3, Streams: []chunk.ForwardTSNStream{{StreamID: 0, SSN: 0}}})
	hand(p, p.Z, ordered(cum+4, 1, be|chunk.FlagImmediate, "after"))
	require.Equal(t, cum+4, lastSACKOfZ(t, p, c).CumTSNAck)
	require.Len(t, eventsOf[*association.StreamResetEvent](p.DeliveredZ), 1)
	require.Equal(t, []string{"first", "after"}, texts(p.DeliveredZ))
	require.Equal(t, association.StateEstablished, p.Z.State())
}

package association_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// interleave turns I-DATA on at both ends of a policy case.
func interleave(a, z *association.Config) { a.Interleaving, z.Interleaving = true, true }

// checkIForward checks that a policy case ran with I-DATA and PR-SCTP,
// abandoned messages and told Z with I-FORWARD-TSN: a FORWARD TSN would
// have aborted the association (RFC 8260 Section 2.3.1), which the run
// would have shown.
func checkIForward(t *testing.T, r *simRun, o policyOutcome) {
	t.Helper()
	require.True(t, association.UsesIData(r.p.A) && association.UsesIData(r.p.Z))
	require.True(t, r.p.A.PartialReliability())
	require.NotZero(t, o.abandoned)
	require.NotZero(t, o.pr.ForwardTSNsSent)
	require.NotZero(t, r.p.Z.PRStatus().ForwardTSNsReceived)
}

// Limited retransmissions (RFC 7496 Section 3.1) with I-DATA under 15 %
// loss, duplication and reordering: messages of up to 5000 bytes on four
// streams, ordered and unordered, their fragments interleaved; abandoned
// ones are skipped by stream, U bit and MID with I-FORWARD-TSN (RFC 8260
// Section 2.3.1), the others all arrive, intact and in order (prRun).
func TestIDataPRSCTPSimRetransmit(t *testing.T) {
	testPolicyCase(t, policyCase{name: "i-rtx", link: impairedLink(0.15), msgs: 300, pace: 10 * time.Millisecond,
		maxSize: 5000, tweak: interleave,
		info: func(r *rand.Rand, i int) association.SendInfo {
			return association.SendInfo{Stream: chunk.StreamID(i % 4), Unordered: r.IntN(3) == 0,
				PRPolicy: association.PRRetransmit, PRValue: uint32(r.IntN(4))}
		},
		check: func(t *testing.T, r *simRun, o policyOutcome) {
			checkIForward(t, r, o)
			for id, sf := range r.failed {
				require.True(t, sf.Sent, "message %d abandoned unsent", id)
			}
		}}, 2601, 2602, 2603)
}

// Timed reliability (RFC 3758 Section 4.1) with I-DATA, a lifetime of
// 150 ms on three ordered streams and unordered messages of up to 3000
// bytes under 10 % loss: no head-of-line blocking beyond the lifetime
// (the bound of TestPRSCTPSimTimed). Messages are sent every 15 ms, not
// every 10 ms as there: with I-DATA the fragments of messages interleave,
// so the chunks of abandoned messages lie between chunks the peer holds
// (Gap Ack Blocks) of messages that are not abandoned, and the
// Advanced.Peer.Ack.Point stops at each of those (RFC 3758 Section 3.5
// C2, "as long as the chunk next in the out-queue space is marked as
// abandoned"): a FORWARD TSN skips one such hole per round trip. At 10 ms
// the holes come about as fast as round trips, a backlog builds, and 7
// seeds of 60 (100-159) exceed the bound; at 15 ms none does. (Before
// abandonExpiredHead, half the seeds at 10 ms did, waiting for T3-rtx
// expiries: TestPRSCTPExpiredHeadAbandonedOnSACK.)
func TestIDataPRSCTPSimTimed(t *testing.T) {
	const lifetime = 150 * time.Millisecond
	testPolicyCase(t, policyCase{name: "i-timed", link: impairedLink(0.1), msgs: 300, pace: 15 * time.Millisecond,
		maxSize: 3000, tweak: interleave,
		info: func(r *rand.Rand, i int) association.SendInfo {
			return association.SendInfo{Stream: chunk.StreamID(i % 4), Unordered: i%4 == 3,
				PRPolicy: association.PRTimed, PRValue: uint32(lifetime / time.Millisecond)}
		},
		hol:   lifetime + 2*200*time.Millisecond + 2*2*55*time.Millisecond,
		check: checkIForward,
	}, 2704, 2705, 2706)
}

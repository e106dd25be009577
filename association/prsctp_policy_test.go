package association_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/stretchr/testify/require"
)

// Timed reliability (RFC 3758 Section 4.1) under 10 % loss, one message
// every 10 ms for 4 s on two ordered streams and one unordered: a message
// is delivered in order or abandoned, and one delivered waited at most
// its lifetime plus the time to detect a loss and tell the receiver (a
// T3-rtx timeout and a round trip): no head-of-line blocking beyond the
// lifetime.
func TestPRSCTPTimedUnderLoss(t *testing.T) {
	const lifetime = 200 * time.Millisecond
	for seed := uint64(1401); seed <= 1403; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := newPRRun(t, seed, lossy(0.1), nil)
			for i := range 400 {
				info := association.SendInfo{Stream: chunk.StreamID(i % 3), Unordered: i%3 == 2,
					PRPolicy: association.PRTimed, PRValue: uint32(lifetime / time.Millisecond)}
				require.NoError(t, r.send(info, 200+i%900))
				r.p.Run(10 * time.Millisecond)
			}
			r.settle(time.Minute)
			abandoned := r.check()
			st := r.p.A.PRStatus()
			require.NotZero(t, abandoned)
			require.Equal(t, uint64(abandoned), st.Abandoned[association.PRTimed].Sent+st.Abandoned[association.PRTimed].Unsent)
			worst := time.Duration(0)
			for id, at := range r.delivered {
				worst = max(worst, at.Sub(r.sentAt[id]))
			}
			// RTO.Min of ImpairedConfig (200 ms), a round trip (40 ms),
			// and the RTO backoff of one more loss.
			require.LessOrEqual(t, worst, lifetime+2*200*time.Millisecond+2*40*time.Millisecond)
			r.checkNoStorm(20 * time.Millisecond)
			t.Logf("%d of 400 abandoned (%d sent), worst delivery %v, %d FORWARD TSNs", abandoned,
				st.Abandoned[association.PRTimed].Sent, worst, st.ForwardTSNsSent)
		})
	}
}

// A message sent in fragments and abandoned: every fragment goes, sent or
// not, the receiver drops the ones it holds, and the user gets the whole
// message back flagged sent; the next message on the stream is delivered.
func TestPRSCTPAbandonFragmentedMessage(t *testing.T) {
	r := newPRRun(t, 1410, lossy(0), nil)
	// The third packet of the message is lost.
	big := 0
	r.p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From == r.p.AddrA && len(d.Data) > 1000 {
			if big++; big == 3 {
				return sim.Drop
			}
		}
		return sim.Pass
	})
	require.NoError(t, r.send(association.SendInfo{PRPolicy: association.PRRetransmit}, 10000))
	require.NoError(t, r.send(association.SendInfo{}, 300))
	r.settle(time.Minute)
	require.Equal(t, 1, r.check())
	sf := r.failed[0]
	require.True(t, sf.Sent)
	require.Len(t, sf.Data, 10000)
	require.Contains(t, r.delivered, uint32(1))
	require.Zero(t, r.p.Z.Status().PendData)
	require.Equal(t, uint64(1), r.p.A.PRStatus().Abandoned[association.PRRetransmit].Sent)
}

// The priority policy (RFC 7496 Section 3.2): with the send buffer full
// (the peer's window closed), a message of higher priority makes room by
// abandoning queued messages of lower priority, lowest first; one of
// lower or equal priority does not; a reliable message ranks above them
// all. What was abandoned is handed back unsent and never arrives; the
// rest arrives once the peer reads.
func TestPRSCTPPriority(t *testing.T) {
	r := newPRRun(t, 1420, lossy(0), func(a, z *association.Config) {
		a.SendBuffer = 4000
		z.ReceiveBuffer = 8000
	})
	r.p.HoldZ = true
	prio := func(v uint32) association.SendInfo {
		return association.SendInfo{PRPolicy: association.PRPriority, PRValue: v}
	}
	var err error
	for i := 0; err == nil && i < 100; i++ {
		if err = r.send(prio(5+uint32(i%2)), 1000); err == nil {
			r.p.Run(100 * time.Millisecond)
		}
	}
	require.ErrorIs(t, err, association.ErrWouldBlock)
	queued := r.p.A.Buffered()
	require.NotZero(t, queued)
	require.ErrorIs(t, r.send(prio(6), 1000), association.ErrWouldBlock, "equal priority")
	require.NoError(t, r.send(prio(1), 1000), "higher priority")
	require.NoError(t, r.send(association.SendInfo{}, 1000), "reliable")
	st := r.p.A.PRStatus().Abandoned[association.PRPriority]
	require.NotZero(t, st.Unsent)
	require.Zero(t, st.Sent)
	for _, sf := range r.failed {
		require.False(t, sf.Sent)
		require.Equal(t, association.PRPriority, sf.Info.PRPolicy)
	}
	r.p.ReleaseZ()
	r.settle(time.Minute)
	require.Equal(t, int(st.Unsent), r.check())
	require.Contains(t, r.delivered, r.rcv.NextID()-1, "the reliable message")
	require.Contains(t, r.delivered, r.rcv.NextID()-2, "the priority 1 message")
}

// The priority policy abandons queued messages only when that makes room
// (RFC 7496 Section 3.2: "After lower-priority messages have been
// abandoned, high-priority messages can be transferred without the send
// call blocking"): a message that would not fit even with every message
// of lower priority gone is refused (ErrWouldBlock) and abandons none of
// them; one that fits once they are gone abandons them.
func TestPRSCTPPriorityAbandonsOnlyForRoom(t *testing.T) {
	r := newPRRun(t, 1425, lossy(0), func(a, z *association.Config) {
		a.SendBuffer = 4000
		z.ReceiveBuffer = 8000
	})
	r.p.HoldZ = true
	// Close Z's window, so that what A queues stays queued.
	for i := 0; r.p.A.Buffered() == 0 && i < 100; i++ {
		require.NoError(t, r.send(association.SendInfo{}, 1000))
		r.p.Run(100 * time.Millisecond)
	}
	b := r.p.A.Buffered()
	require.Positive(t, b)
	if b < 3000 {
		require.NoError(t, r.send(association.SendInfo{}, 3000-b))
	}
	prio := func(v uint32) association.SendInfo {
		return association.SendInfo{PRPolicy: association.PRPriority, PRValue: v}
	}
	require.NoError(t, r.send(prio(5), 4000-r.p.A.Buffered()-500))
	queued := r.p.A.Buffered()
	require.ErrorIs(t, r.p.A.Send(r.p.Now, prio(1), make([]byte, 4000-queued+1000)), association.ErrWouldBlock)
	require.Equal(t, queued, r.p.A.Buffered(), "nothing abandoned for a message that does not fit anyway")
	require.Zero(t, r.p.A.PRStatus().Total())
	require.Empty(t, r.failed)
	require.NoError(t, r.send(prio(1), 1000), "fits once the priority 5 message is gone")
	require.Equal(t, association.PRCounts{Unsent: 1}, r.p.A.PRStatus().Abandoned[association.PRPriority])
	r.p.ReleaseZ()
	r.settle(time.Minute)
	require.Equal(t, 1, r.check())
}

// Messages with a lifetime or of the priority policy queued during the
// handshake on a stream the peer does not grant leave the send queue with
// their SendFailed event, and the counts that make the sender look for
// expired and lower priority messages (makeRoom, dropExpiredNext) forget
// them.
func TestPRSCTPUngrantedStreamLeavesCounts(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(1427)
	cfgZ.MaxInboundStreams = 2
	p, _ := newScenarioPair(t, 1427, cfgA, cfgZ)
	require.NoError(t, p.Connect())
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 5, TimeToLive: time.Hour}, []byte("ttl")))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 5, PRPolicy: association.PRPriority}, []byte("prio")))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1, TimeToLive: time.Hour}, []byte("kept")))
	expiring, prio := association.PRQueued(p.A)
	require.Equal(t, []int{2, 1}, []int{expiring, prio})
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(messagesOf(p.DeliveredZ)) == 1 }))
	require.Len(t, eventsOf[*association.SendFailed](p.DeliveredA), 2)
	expiring, prio = association.PRQueued(p.A)
	require.Equal(t, []int{0, 0}, []int{expiring, prio})
}

// The lifetime of RFC 9260 Section 10.1 (TimeToLive) works without
// PR-SCTP: a message none of which was sent when it ends is handed back
// unsent, even while nothing is being sent (the peer's window closed);
// once sent, a message is delivered reliably. No FORWARD TSN is sent.
func TestPRSCTPTimeToLiveUnsentWithoutPRSCTP(t *testing.T) {
	r := newPRRun(t, 1430, lossy(0), func(a, z *association.Config) {
		z.PartialReliabilityDisabled = true
		z.ReceiveBuffer = 8000
	})
	require.False(t, r.p.A.PartialReliability())
	r.p.HoldZ = true
	for range 20 {
		require.NoError(t, r.send(association.SendInfo{TimeToLive: 300 * time.Millisecond}, 1000))
	}
	r.p.Run(time.Second)
	require.NotEmpty(t, r.failed, "expired while the window was closed")
	require.Zero(t, r.p.A.Buffered(), "nothing left queued")
	r.p.ReleaseZ()
	r.settle(time.Minute)
	n := r.check()
	for _, sf := range r.failed {
		require.False(t, sf.Sent)
	}
	require.Equal(t, uint64(n), r.p.A.PRStatus().Abandoned[association.PRNone].Unsent)
	require.Equal(t, 20-n, len(r.delivered))
	require.Zero(t, r.c.count(r.p.AddrA, chunk.TypeForwardTSN))
}

// Without PR-SCTP negotiated, limited retransmissions abandon nothing
// sent: under loss every message is delivered, as before, and no FORWARD
// TSN is sent.
func TestPRSCTPPoliciesWithoutNegotiation(t *testing.T) {
	r := newPRRun(t, 1440, lossy(0.2), func(a, _ *association.Config) { a.PartialReliabilityDisabled = true })
	for i := range 200 {
		require.NoError(t, r.send(association.SendInfo{Stream: chunk.StreamID(i % 2), PRPolicy: association.PRRetransmit}, 300))
	}
	r.settle(5 * time.Minute)
	require.Zero(t, r.check())
	require.Len(t, r.delivered, 200)
	require.Zero(t, r.c.count(r.p.AddrA, chunk.TypeForwardTSN))
	require.Zero(t, r.p.A.PRStatus().Total())
}

// Send refuses a policy that does not exist.
func TestPRSCTPInvalidPolicy(t *testing.T) {
	r := newPRRun(t, 1450, lossy(0), nil)
	err := r.p.A.Send(r.p.Now, association.SendInfo{PRPolicy: association.PRPolicies}, []byte("x"))
	require.True(t, errors.Is(err, association.ErrInvalidPolicy))
	require.Equal(t, "SCTP_PR_SCTP_RTX", association.PRRetransmit.String())
}

// FORWARD TSNs listing many streams (RFC 3758 Section 3.5 C4: each
// ordered stream of an abandoned chunk once, with its highest SSN) stay
// within the packet: 1000 messages on 1000 streams, abandoned while A's
// packets that start with DATA are lost (those that start with a FORWARD
// TSN pass), then one more on each stream; every message is delivered
// or handed back, and those delivered are in order.
func TestPRSCTPForwardTSNManyStreams(t *testing.T) {
	r := newPRRun(t, 1460, lossy(0), func(a, z *association.Config) {
		a.OutboundStreams, z.MaxInboundStreams = 1000, 1000
	})
	down := r.p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From == r.p.AddrA && len(d.Data) > 12 && chunk.Type(d.Data[12]) == chunk.TypeData {
			return sim.Drop
		}
		return sim.Pass
	})
	for i := range 1000 {
		require.NoError(t, r.send(association.SendInfo{Stream: chunk.StreamID(i),
			PRPolicy: association.PRRetransmit}, 40))
	}
	r.settle(time.Minute)
	down()
	fs, _ := r.forwards()
	mtu, most := r.p.A.Config().MTU, 0
	for _, f := range fs {
		require.LessOrEqual(t, f.Len()+12, mtu)
		most = max(most, len(f.Streams))
	}
	require.Greater(t, most, 1, "FORWARD TSNs list several streams")
	for i := range 1000 {
		require.NoError(t, r.send(association.SendInfo{Stream: chunk.StreamID(i)}, 40))
	}
	r.settle(time.Minute)
	abandoned := r.check()
	require.NotZero(t, abandoned)
	require.Equal(t, 2000, abandoned+len(r.delivered))
	t.Logf("%d abandoned, %d FORWARD TSNs, up to %d streams each", abandoned, len(fs), most)
}

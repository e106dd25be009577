package association_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// The sender side of PR-SCTP (RFC 3758 Section 3.5, RFC 7496) in
// simulated transfers from A to Z under loss and delay: every message is
// either delivered once, intact and in order on its stream
// (associationtest.Receiver), or handed back to A's user in a SendFailed
// event with its data, never both; the FORWARD TSNs stay few, and both
// ends let go of everything at the end.

// prRun is a transfer from A to Z whose outcome is checked message by
// message.
type prRun struct {
	t      *testing.T
	p      *associationtest.Pair
	c      *capture
	rcv    *associationtest.Receiver
	sentAt map[uint32]timer.Time
	// delivered and failed hold, by message id, when Z delivered it and
	// the SendFailed event A reported.
	delivered map[uint32]timer.Time
	failed    map[uint32]*association.SendFailed
	sizes     map[uint32]int
}

// newPRRun sets up an established pair with ImpairedConfig on both ends,
// changed by tweak, on link (both ways).
func newPRRun(t *testing.T, seed uint64, link sim.LinkConfig, tweak func(a, z *association.Config)) *prRun {
	t.Helper()
	logSeedOnFailure(t, seed)
	cfgA := associationtest.ImpairedConfig(seed*2+1, 5000, 5001)
	cfgZ := associationtest.ImpairedConfig(seed*2+2, 5001, 5000)
	if tweak != nil {
		tweak(&cfgA, &cfgZ)
	}
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, link)
	require.NoError(t, err)
	r := &prRun{t: t, p: p, c: capturePackets(p), rcv: associationtest.NewReceiver(0),
		sentAt: map[uint32]timer.Time{}, delivered: map[uint32]timer.Time{},
		failed: map[uint32]*association.SendFailed{}, sizes: map[uint32]int{}}
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ {
			r.rcv.Check(d)
			if d.Event == nil && d.Message.EndOfRecord {
				r.delivered[uint32(d.Message.PPID)] = p.Now
			}
			return
		}
		if sf, ok := d.Event.(*association.SendFailed); ok {
			id := uint32(sf.Info.PPID)
			require.Nil(t, r.failed[id], "message %d failed twice", id)
			r.failed[id] = sf
		}
	}
	require.NoError(t, p.HandshakeWithin(time.Minute))
	return r
}

// send sends a message of size bytes with info from A, and reports the
// error of Send.
func (r *prRun) send(info association.SendInfo, size int) error {
	id := r.rcv.NextID()
	info.PPID = chunk.PPID(id)
	data := associationtest.ScenarioMessage(id, size)
	if err := r.p.A.Send(r.p.Now, info, data); err != nil {
		return err
	}
	r.rcv.Expect(info, data)
	r.sentAt[id], r.sizes[id] = r.p.Now, size
	return nil
}

// settle runs until A has nothing queued or outstanding, for at most d.
func (r *prRun) settle(d time.Duration) {
	r.t.Helper()
	require.True(r.t, r.p.RunUntil(d, func() bool {
		return r.p.A.Buffered() == 0 && r.p.A.Status().UnackData == 0
	}), "A still has %d bytes queued, %d chunks outstanding", r.p.A.Buffered(), r.p.A.Status().UnackData)
}

// check checks the outcome of every message sent: delivered, or failed
// with its data; one failed unsent never arrives, one failed after it was
// sent may have (the SACK that said so was lost, or came after the
// message was abandoned: SCTP_DATA_SENT of RFC 6458 Section 6.1.4). It
// returns how many were abandoned.
func (r *prRun) check() int {
	t := r.t
	t.Helper()
	require.NoError(t, r.rcv.Err())
	for id := range r.sentAt {
		_, got := r.delivered[id]
		sf := r.failed[id]
		require.True(t, got || sf != nil, "message %d neither delivered nor failed", id)
		if sf != nil {
			require.False(t, got && !sf.Sent, "message %d failed unsent, and delivered", id)
			require.Equal(t, associationtest.ScenarioMessage(id, r.sizes[id]), sf.Data, "message %d", id)
		}
	}
	require.Equal(t, association.StateEstablished, r.p.A.State())
	require.Equal(t, association.StateEstablished, r.p.Z.State())
	// Z holds nothing back: what the abandoned messages left in its
	// reassembly went with the FORWARD TSNs.
	require.Zero(t, r.p.Z.Status().PendData)
	return len(r.failed)
}

// forwards returns the FORWARD TSN chunks A sent and when.
func (r *prRun) forwards() ([]chunk.ForwardTSN, []timer.Time) {
	var fs []chunk.ForwardTSN
	var at []timer.Time
	for _, sp := range r.c.with(r.p.AddrA, chunk.TypeForwardTSN) {
		raw, _ := sp.chunk(chunk.TypeForwardTSN)
		var f chunk.ForwardTSN
		parseChunk(r.t, raw, &f)
		fs, at = append(fs, f), append(at, sp.at)
	}
	return fs, at
}

// checkNoStorm checks that A's FORWARD TSNs stay few: each new New
// Cumulative TSN once, the same one again only a round trip later (2
// delay) or more, at most one per SACK Z sent or T3-rtx expiry of A; and
// that once everything is settled, and what was in flight arrived (a
// round trip), the two ends go quiet (no FORWARD TSN, no SACK for 10 s).
func (r *prRun) checkNoStorm(delay time.Duration) {
	t := r.t
	t.Helper()
	fs, at := r.forwards()
	for i := 1; i < len(fs); i++ {
		if fs[i].NewCumTSN == fs[i-1].NewCumTSN {
			require.GreaterOrEqual(t, at[i].Sub(at[i-1]), 2*delay, "FORWARD TSN %d repeated within a round trip: %v at %v, then at %v", i, fs[i].NewCumTSN, at[i-1], at[i])
		}
	}
	sacks := r.c.count(r.p.AddrZ, chunk.TypeSACK)
	require.LessOrEqual(t, len(fs), sacks+int(r.p.A.Stats().T3Expirations)+1)
	r.p.Run(2 * delay)
	quiet := r.p.Now
	r.p.Run(10 * time.Second)
	after := r.c.since(quiet)
	require.Zero(t, after.count(r.p.AddrA, chunk.TypeForwardTSN), "FORWARD TSNs once settled")
	require.Zero(t, after.count(r.p.AddrZ, chunk.TypeSACK), "SACKs once settled")
	require.Zero(t, after.count(r.p.AddrA, chunk.TypeData), "DATA once settled")
}

// lossy is the link of the transfers: 20 ms one way, 20 % loss.
func lossy(loss float64) sim.LinkConfig {
	return sim.LinkConfig{Delay: 20 * time.Millisecond, Loss: loss}
}

// Limited retransmissions 0 (RFC 7496 Section 3.1, WebRTC's
// maxRetransmits 0), ordered and unordered on 4 streams, under 20 % loss:
// a lost message is abandoned at its first retransmission, the others
// arrive in order, and the FORWARD TSNs do not loop with the SACKs, as
// they do in stacks that send a FORWARD TSN for every SACK.
func TestPRSCTPRetransmitZeroUnderLoss(t *testing.T) {
	for seed := uint64(1301); seed <= 1304; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { retransmitZero(t, seed) })
	}
}

func retransmitZero(t *testing.T, seed uint64) {
	{
		r := newPRRun(t, seed, lossy(0.2), nil)
		require.True(t, r.p.A.PartialReliability())
		for i := range 400 {
			info := association.SendInfo{Stream: chunk.StreamID(i % 4), Unordered: i%5 == 0,
				PRPolicy: association.PRRetransmit}
			require.NoError(t, r.send(info, 100+i%700))
			if i%20 == 19 {
				r.p.Run(30 * time.Millisecond)
			}
		}
		r.settle(2 * time.Minute)
		abandoned := r.check()
		require.NotZero(t, abandoned, "20 %% loss abandons messages")
		require.Less(t, abandoned, 400)
		st := r.p.A.PRStatus()
		require.Equal(t, uint64(abandoned), st.Abandoned[association.PRRetransmit].Sent)
		require.Zero(t, st.Abandoned[association.PRRetransmit].Unsent)
		require.NotZero(t, st.ForwardTSNsSent)
		require.Equal(t, st.ForwardTSNsSent, uint64(len(r.c.with(r.p.AddrA, chunk.TypeForwardTSN))))
		var perStream uint64
		for sid := range chunk.StreamID(4) {
			perStream += r.p.A.PRStreamStatus(sid)[association.PRRetransmit].Sent
		}
		require.Equal(t, uint64(abandoned), perStream)
		r.checkNoStorm(20 * time.Millisecond)
		t.Logf("seed %d: %d of 400 abandoned, %d FORWARD TSNs, %d SACKs from Z", seed, abandoned,
			st.ForwardTSNsSent, r.c.count(r.p.AddrZ, chunk.TypeSACK))
	}
}

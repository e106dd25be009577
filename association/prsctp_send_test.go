package association_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
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

// A DATA chunk timing a round trip (RFC 9260 Section 6.3.1) that is
// abandoned rather than retransmitted never gets its measurement; the
// path measures again with the next chunk sent. Here the first DATA
// chunk, of limited retransmissions 0, is lost and abandoned by Fast
// Retransmit (no T3-rtx expiry, which would restart the measurements);
// when the link's delay then grows, the round-trip time measured follows.
func TestPRSCTPAbandonedChunkEndsRTTMeasurement(t *testing.T) {
	r := newPRRun(t, 1440, lossy(0), func(a, _ *association.Config) { a.NoDelay = true })
	r.p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeData, 1))
	rtx0 := association.SendInfo{PRPolicy: association.PRRetransmit}
	sendFor := func(d time.Duration) {
		for end := r.p.Now.Add(d); r.p.Now < end; {
			require.NoError(t, r.send(rtx0, 100))
			r.p.Run(10 * time.Millisecond)
		}
	}
	sendFor(time.Second)
	require.Equal(t, association.PRCounts{Sent: 1}, r.p.A.PRStatus().Abandoned[association.PRRetransmit])
	slow := sim.LinkConfig{Delay: 60 * time.Millisecond}
	require.NoError(t, r.p.Net.SetLinkBoth(r.p.AddrA, r.p.AddrZ, slow))
	sendFor(3 * time.Second)
	require.Zero(t, r.p.A.Stats().T3Expirations)
	require.GreaterOrEqual(t, r.p.A.Paths()[0].RTT, 2*slow.Delay)
	r.settle(time.Minute)
	require.Positive(t, r.check())
}

// Every policy at once, ordered and unordered, with messages of up to
// three fragments, under 15 % loss: the association stays up (the
// receiver's FORWARD TSN and skip processing once shared a stream record
// between two streams and aborted on "SSN already delivered"), the flight
// size never goes negative nor above what is outstanding, and both are 0
// once everything is settled: abandoned chunks leave the flight once.
// With a small receive buffer, a low partial delivery point and a reader
// that pauses, every message still arrives whole and in order or not at
// all (the messages a FORWARD TSN made deliverable once overtook an
// unordered message of their stream under partial delivery).
func TestPRSCTPMixedPoliciesUnderLoss(t *testing.T) {
	for seed := uint64(1500); seed < 1502; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { mixedPolicies(t, seed, false) })
	}
	for seed := uint64(1606); seed < 1610; seed++ {
		t.Run(fmt.Sprint(seed, "-pd"), func(t *testing.T) { mixedPolicies(t, seed, true) })
	}
}

func mixedPolicies(t *testing.T, seed uint64, pd bool) {
	link := lossy(0.15)
	if pd {
		link = lossy(0)
	}
	r := newPRRun(t, seed, link, func(a, z *association.Config) {
		if pd {
			z.ReceiveBuffer, z.PartialDeliveryPoint, a.NoDelay = 16000, 3000, seed%2 == 0
		}
	})
	check := func() {
		t.Helper()
		require.NotEqual(t, association.StateClosed, r.p.A.State())
		pi := r.p.A.Paths()[0]
		require.GreaterOrEqual(t, pi.FlightSize, 0)
		require.LessOrEqual(t, pi.FlightSize, r.p.A.Outstanding())
	}
	policies := []association.SendInfo{{PRPolicy: association.PRRetransmit},
		{PRPolicy: association.PRRetransmit, PRValue: 1}, {PRPolicy: association.PRTimed, PRValue: 150}, {}}
	msgs, size := 600, func(i int) int { return 100 + (i*337)%4000 }
	pick := func(i int) association.SendInfo {
		info := policies[i%4]
		info.Stream, info.Unordered = chunk.StreamID(i%3), i%7 == 0
		return info
	}
	if pd {
		// 20 % loss each way, drawn from the seed; the reader pauses
		// every other 50 messages.
		rng := rand.New(rand.NewPCG(seed, 9))
		r.p.Net.AddFilter(func(*sim.Datagram) sim.Verdict {
			if rng.Float64() < 0.2 {
				return sim.Drop
			}
			return sim.Pass
		})
		policies = []association.SendInfo{{PRPolicy: association.PRRetransmit},
			{PRPolicy: association.PRRetransmit, PRValue: 2}, {PRPolicy: association.PRTimed, PRValue: 300}, {},
			{TimeToLive: 50 * time.Millisecond}, {PRPolicy: association.PRPriority, PRValue: 3}}
		msgs, size = 400, func(i int) int { return 1 + (i*1337)%9000 }
		pick = func(i int) association.SendInfo {
			info := policies[(i*7+int(seed))%len(policies)]
			info.Stream, info.Unordered = chunk.StreamID(i%5), i%3 == 0
			r.p.HoldZ = (i/50)%2 == 1
			return info
		}
	}
	for i := range msgs {
		info := pick(i)
		for k := 0; r.send(info, size(i)) != nil; k++ {
			require.Less(t, k, 12000, "the send buffer stays full")
			r.p.Run(10 * time.Millisecond)
			if k == 100 {
				r.p.ReleaseZ()
			}
			check()
		}
		if i%10 == 9 {
			r.p.Run(10 * time.Millisecond)
			check()
		}
	}
	r.p.ReleaseZ()
	r.settle(5 * time.Minute)
	require.Positive(t, r.check())
	pi := r.p.A.Paths()[0]
	require.Zero(t, pi.FlightSize)
	require.Zero(t, r.p.A.Outstanding())
}

// Messages with a lifetime queued behind a full congestion window, whose
// lifetime ended when the SACK of the data in flight comes (their expiry
// not yet handled, as when the runtime timer is late under load), go
// then, and a shutdown asked meanwhile goes on: SHUTDOWN follows at once.
// It waited forever: the SACK found them still queued, and dropping them
// in the send path afterwards did not move the shutdown on.
func TestPRSCTPShutdownAfterQueuedMessagesExpire(t *testing.T) {
	p, cum := hostilePair(t, 1213, nil)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, make([]byte, 4000))) // 3 DATA chunks
	for range 3 {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{PRPolicy: association.PRTimed, PRValue: 5}, make([]byte, 1000)))
	}
	require.NoError(t, p.A.Shutdown(p.Now))
	first := sentChunks(t, p.A, p.Now)
	require.Less(t, first[chunk.TypeData], 6, "messages wait behind the congestion window; sent %v", first)
	require.Zero(t, first[chunk.TypeShutdown], "data outstanding")
	require.Equal(t, association.StateShutdownPending, p.A.State())

	later := p.Now.Add(50 * time.Millisecond)
	aTag, _ := p.A.Tags()
	sack := packetOf(headerZA(aTag), &chunk.SACK{CumTSNAck: cum + chunk.TSN(first[chunk.TypeData]), ARwnd: 1 << 16})
	require.NoError(t, p.A.HandleDatagram(&association.Datagram{Now: later, From: p.AddrZ, Data: sack}))
	sent := sentChunks(t, p.A, later)
	require.Equal(t, 1, sent[chunk.TypeShutdown], "SHUTDOWN with the SACK; sent %v", sent)
	require.Zero(t, sent[chunk.TypeData])
	require.Equal(t, association.StateShutdownSent, p.A.State())
	require.Equal(t, uint64(6-first[chunk.TypeData]), p.A.PRStatus().Abandoned[association.PRTimed].Unsent)
}

// sentChunks drains a's packets at now and counts their chunks by type.
func sentChunks(t *testing.T, a *association.Association, now timer.Time) map[chunk.Type]int {
	t.Helper()
	n := map[chunk.Type]int{}
	for range 100 {
		o, ok := a.AppendPacket(now, nil)
		if !ok {
			return n
		}
		pkt, err := packet.Parse(o.Data, packet.Options{AcceptZeroChecksum: true})
		require.NoError(t, err)
		for it := pkt.Chunks(); ; {
			r, ok := it.Next()
			if !ok {
				break
			}
			n[r.Type]++
		}
	}
	t.Fatal("more than 100 packets")
	return nil
}

// A lost message of the timed policy (RFC 3758 Section 4.1) that holds
// up the one behind it on its ordered stream is abandoned as soon as a
// SACK shows it still missing after its lifetime ended (rule TR5), and
// the FORWARD TSN goes at once, DATA and I-DATA alike, even when that
// SACK reports nothing new above it (one answering a FORWARD TSN, as at
// the end of a transfer): it used to wait for the chunk to be
// retransmitted, on the T3-rtx expiry, which at the end of a transfer
// under loss is backed off by the expiries before it
// (TestIDataPRSCTPSimTimed failed its bound on half of its seeds).
func TestPRSCTPExpiredHeadAbandonedOnSACK(t *testing.T) {
	for _, idata := range []bool{false, true} {
		t.Run(fmt.Sprint("idata=", idata), func(t *testing.T) {
			r := newPRRun(t, 1460, lossy(0), func(a, z *association.Config) {
				a.NoDelay = true
				if idata {
					interleave(a, z)
				}
			})
			// The first and third DATA packets are lost.
			n := 0
			r.p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
				if ct, ok := sim.FirstChunkType(d.Data); ok && (ct == chunk.TypeData || ct == chunk.TypeIData) {
					n++
					if n == 1 || n == 3 {
						return sim.Drop
					}
				}
				return sim.Pass
			})
			timed := func(stream chunk.StreamID, ms uint32) association.SendInfo {
				return association.SendInfo{Stream: stream, PRPolicy: association.PRTimed, PRValue: ms}
			}
			// The first message is abandoned on the SACK of the second
			// (20+20 ms later), which reports it missing; its FORWARD TSN
			// brings a SACK that reports nothing new (60 ms later than
			// the third was sent) after the third's lifetime ended.
			require.NoError(t, r.send(timed(1, 30), 100))
			r.p.Run(5 * time.Millisecond)
			require.NoError(t, r.send(association.SendInfo{Stream: 1}, 100))
			r.p.Run(5 * time.Millisecond)
			require.NoError(t, r.send(timed(0, 60), 100))
			r.p.Run(5 * time.Millisecond)
			require.NoError(t, r.send(association.SendInfo{Stream: 0}, 100))
			fourth := r.p.Now
			r.p.Run(500 * time.Millisecond)
			require.Contains(t, r.delivered, uint32(3), "the fourth message waits for the third")
			// The third is abandoned on that SACK, 70 ms after the fourth
			// was sent, and its FORWARD TSN arrives 20 ms later; the
			// T3-rtx timer (RTO.Min 200 ms) has not expired.
			require.LessOrEqual(t, r.delivered[3].Sub(fourth), 100*time.Millisecond)
			require.Zero(t, r.p.A.Stats().T3Expirations)
			require.NotNil(t, r.failed[0])
			require.NotNil(t, r.failed[2])
			r.settle(time.Minute)
			require.Equal(t, 2, r.check())
		})
	}
}

// Nagle-style bundling (sctp_nodelay off) waits for a SACK only while
// DATA is in flight. Here the only chunks left unacknowledged are one
// abandoned (limited retransmissions 0, lost, given up at its T3-rtx
// expiry: RFC 3758 Section 3.5 A2, "no longer outstanding") whose
// FORWARD TSN is lost too, and one the peer acknowledged in a gap: no
// SACK is coming. A small message sent then goes at once, not at the
// next T3-rtx expiry (backed off to two RTOs).
func TestPRSCTPNagleNotHeldBehindAbandoned(t *testing.T) {
	r := newPRRun(t, 1450, lossy(0), func(a, _ *association.Config) { a.NoDelay = false })
	info := association.SendInfo{Unordered: true, PRPolicy: association.PRRetransmit}
	r.p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeData, 1))
	require.NoError(t, r.send(info, 100)) // lost
	r.p.Run(time.Millisecond)
	require.NoError(t, r.send(info, 100)) // acknowledged in a gap
	r.p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeForwardTSN, 1))
	// Its T3-rtx expiry abandons the first; its FORWARD TSN is lost.
	require.True(t, r.p.RunUntil(5*time.Second, func() bool { return r.p.A.PRStatus().ForwardTSNsSent == 1 }))
	r.p.Run(100 * time.Millisecond) // the FORWARD TSN lost, nothing in flight
	require.Zero(t, r.p.A.Paths()[0].FlightSize)
	require.NotZero(t, r.p.A.Status().UnackData, "the abandoned chunk, not passed by the peer's cumulative ack")
	start := r.p.Now
	require.NoError(t, r.send(info, 100))
	r.p.Run(10 * time.Millisecond)
	data := r.c.since(start).with(r.p.AddrA, chunk.TypeData)
	require.NotEmpty(t, data, "the message waited: Nagle held it with nothing in flight")
	require.Equal(t, start, data[0].at)
	r.settle(10 * time.Second)
	r.check()
}

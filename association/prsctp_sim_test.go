package association_test

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Simulator scenarios for every partial reliability policy (RFC 3758
// Section 4.1, RFC 7496 Section 3, the lifetime of RFC 9260 Section 10.1)
// under loss, delay, jitter, reordering and duplication, each from several
// seeds, each seed run twice with the same trace hash (deterministic).
// Each run checks, besides prRun.check (every message delivered once,
// intact and in order, or handed back with its data): the abandoned
// messages counted per policy, per stream and per association as the
// SendFailed events say; A's send queue and retransmission queue and Z's
// reassembly bounded throughout; and, per case, the head-of-line blocking
// a lifetime allows.

// policyCase is one scenario: msgs messages from A, one every pace, with
// the SendInfo info picks from the seeded r.
type policyCase struct {
	name string
	link sim.LinkConfig
	msgs int
	pace time.Duration
	// maxSize is the largest message (1400 bytes if 0: one DATA chunk).
	maxSize int
	info    func(r *rand.Rand, i int) association.SendInfo
	tweak   func(a, z *association.Config)
	// holdZ, if set, makes Z's user stop reading during the messages i
	// for which it reports true.
	holdZ func(i int) bool
	// hol bounds the time from Send to delivery of every message
	// delivered (0: no bound).
	hol time.Duration
	// check checks the outcome further.
	check func(t *testing.T, r *simRun, o policyOutcome)
}

// policyOutcome is what one run of a policyCase observed; two runs of a
// seed must observe the same.
type policyOutcome struct {
	hash                 [32]byte
	end                  timer.Time
	pr                   association.PRStatus
	delivered, abandoned int
	// The largest values sampled at every packet sent: A's send queue
	// (bytes), A's DATA chunks in its retransmission queue, and the data
	// Z held undelivered.
	maxQueued, maxUnacked, maxHeld int
	// maxSndBuf and maxRcvBuf are the largest send buffer of A and
	// receive buffer of Z in use (autotuning grows them).
	maxSndBuf, maxRcvBuf int
}

// impairedLink is the link of the policy scenarios: 20 ms ± 5 ms each
// way, loss, 2 % duplication and 5 % reordering.
func impairedLink(loss float64) sim.LinkConfig {
	return sim.LinkConfig{Delay: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, Loss: loss,
		Duplicate: 0.02, Reorder: 0.05, ReorderDelay: 30 * time.Millisecond}
}

// runPolicyCase runs tc with seed and checks it.
func runPolicyCase(t *testing.T, tc policyCase, seed uint64) policyOutcome {
	t.Helper()
	r := &simRun{prRun: newPRRun(t, seed, tc.link, tc.tweak), failedAt: map[uint32]timer.Time{}}
	r.p.Net.EnableTraceHash()
	onDeliver := r.p.OnDeliver
	r.p.OnDeliver = func(toZ bool, d association.Delivery) {
		onDeliver(toZ, d)
		if sf, ok := d.Event.(*association.SendFailed); ok && !toZ {
			r.failedAt[uint32(sf.Info.PPID)] = r.p.Now
		}
	}
	var o policyOutcome
	cfgA, cfgZ := r.p.A.Config(), r.p.Z.Config()
	r.p.Net.AddFilter(func(*sim.Datagram) sim.Verdict {
		o.maxQueued = max(o.maxQueued, r.p.A.Buffered())
		o.maxUnacked = max(o.maxUnacked, r.p.A.Status().UnackData)
		o.maxHeld = max(o.maxHeld, r.p.Z.Status().PendData)
		o.maxSndBuf = max(o.maxSndBuf, r.p.A.Status().SendBuffer)
		o.maxRcvBuf = max(o.maxRcvBuf, r.p.Z.Status().ReceiveBuffer)
		return sim.Pass
	})
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range tc.msgs {
		if tc.holdZ != nil {
			if hold := tc.holdZ(i); hold != r.p.HoldZ && !hold {
				r.p.ReleaseZ()
			} else {
				r.p.HoldZ = hold
			}
		}
		info := tc.info(rng, i)
		// A full send buffer refuses the message (ErrWouldBlock): it was
		// never accepted, and is not expected.
		if err := r.send(info, 1+rng.IntN(cmp.Or(tc.maxSize, 1400))); err != nil {
			require.ErrorIs(t, err, association.ErrWouldBlock)
		}
		r.p.Run(tc.pace)
	}
	r.p.ReleaseZ()
	r.settle(5 * time.Minute)
	o.abandoned = r.check()
	o.delivered, o.pr = len(r.delivered), r.p.A.PRStatus()
	require.Equal(t, len(r.sentAt), o.delivered+o.abandoned-r.abandonedArrived())
	checkPRCounters(t, r.prRun)
	// Memory: the send queue within the send buffer, the DATA chunks in
	// flight (or abandoned, waiting for the peer's Cumulative TSN Ack)
	// within what Z's window allows, Z's reassembly within its buffer;
	// the buffers in use within their autotuning caps.
	require.LessOrEqual(t, o.maxSndBuf, max(cfgA.SendBuffer, cfgA.SendBufferMax))
	require.LessOrEqual(t, o.maxRcvBuf, max(cfgZ.ReceiveBuffer, cfgZ.ReceiveBufferMax))
	require.LessOrEqual(t, o.maxQueued, o.maxSndBuf)
	require.LessOrEqual(t, o.maxUnacked, 2*o.maxRcvBuf/association.ChunkOverhead)
	require.LessOrEqual(t, o.maxHeld, o.maxRcvBuf+cfgZ.MTU)
	if tc.hol > 0 {
		for id, at := range r.delivered {
			require.LessOrEqual(t, at.Sub(r.sentAt[id]), tc.hol, "message %d sent at %v", id, r.sentAt[id])
		}
	}
	if tc.check != nil {
		tc.check(t, r, o)
	}
	o.hash, o.end = r.p.Net.TraceHash(), r.p.Now
	return o
}

// simRun is a prRun that records when each SendFailed event came.
type simRun struct {
	*prRun
	failedAt map[uint32]timer.Time
}

// abandonedArrived counts the messages handed back flagged sent that Z
// delivered all the same (the SACK that said so was lost or came late).
func (r *prRun) abandonedArrived() int {
	n := 0
	for id, sf := range r.failed {
		if _, ok := r.delivered[id]; ok && sf.Sent {
			n++
		}
	}
	return n
}

// checkPRCounters checks A's abandoned counters against the SendFailed
// events: per policy and sent or not for the association (RFC 7496
// Section 4.4), and the same per stream (Section 4.3).
func checkPRCounters(t *testing.T, r *prRun) {
	t.Helper()
	var want [association.PRPolicies]association.PRCounts
	perStream := map[chunk.StreamID]*[association.PRPolicies]association.PRCounts{}
	for _, sf := range r.failed {
		ps := perStream[sf.Info.Stream]
		if ps == nil {
			ps = new([association.PRPolicies]association.PRCounts)
			perStream[sf.Info.Stream] = ps
		}
		for _, c := range []*association.PRCounts{&want[sf.Info.PRPolicy], &ps[sf.Info.PRPolicy]} {
			if sf.Sent {
				c.Sent++
			} else {
				c.Unsent++
			}
		}
	}
	require.Equal(t, want, r.p.A.PRStatus().Abandoned)
	for sid := range chunk.StreamID(r.p.A.Status().OutStreams) {
		exp := [association.PRPolicies]association.PRCounts{}
		if ps := perStream[sid]; ps != nil {
			exp = *ps
		}
		require.Equal(t, exp, r.p.A.PRStreamStatus(sid), "stream %d", sid)
	}
}

// testPolicyCase runs tc from seeds, each twice, and requires the two
// runs to be identical.
func testPolicyCase(t *testing.T, tc policyCase, seeds ...uint64) {
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			first := runPolicyCase(t, tc, seed)
			second := runPolicyCase(t, tc, seed)
			require.Equal(t, first, second, "seed %d: two runs differ", seed)
			t.Logf("%s seed %d: %d delivered, %d abandoned %+v, queued ≤ %d B, unacked ≤ %d, held ≤ %d B",
				tc.name, seed, first.delivered, first.abandoned, first.pr, first.maxQueued, first.maxUnacked, first.maxHeld)
		})
	}
}

// Timed reliability (RFC 3758 Section 4.1), a lifetime of 150 ms, on
// three ordered streams and unordered messages: a message delivered waited
// at most its lifetime plus the time to learn of a loss and tell Z (RTO.Min
// twice, a round trip twice, with jitter and reordering): no head-of-line
// blocking beyond the lifetime.
func TestPRSCTPSimTimed(t *testing.T) {
	const lifetime = 150 * time.Millisecond
	testPolicyCase(t, policyCase{name: "timed", link: impairedLink(0.1), msgs: 300, pace: 10 * time.Millisecond,
		info: func(r *rand.Rand, i int) association.SendInfo {
			return association.SendInfo{Stream: chunk.StreamID(i % 4), Unordered: i%4 == 3,
				PRPolicy: association.PRTimed, PRValue: uint32(lifetime / time.Millisecond)}
		},
		hol: lifetime + 2*200*time.Millisecond + 2*2*55*time.Millisecond,
		check: func(t *testing.T, r *simRun, o policyOutcome) {
			require.NotZero(t, o.abandoned)
			require.Equal(t, uint64(o.abandoned), o.pr.Abandoned[association.PRTimed].Sent+o.pr.Abandoned[association.PRTimed].Unsent)
		}}, 2101, 2102, 2103)
}

// Limited retransmissions (RFC 7496 Section 3.1), 0 to 3 of them, on four
// streams under 15 % loss, messages of up to 5000 bytes (in fragments):
// only messages sent are abandoned, whole, by their policy, and the
// others all arrive.
func TestPRSCTPSimRetransmit(t *testing.T) {
	testPolicyCase(t, policyCase{name: "rtx", link: impairedLink(0.15), msgs: 300, pace: 10 * time.Millisecond,
		maxSize: 5000,
		info: func(r *rand.Rand, i int) association.SendInfo {
			return association.SendInfo{Stream: chunk.StreamID(i % 4), Unordered: r.IntN(5) == 0,
				PRPolicy: association.PRRetransmit, PRValue: uint32(r.IntN(4))}
		},
		check: func(t *testing.T, r *simRun, o policyOutcome) {
			require.NotZero(t, o.abandoned)
			for id, sf := range r.failed {
				require.True(t, sf.Sent, "message %d abandoned unsent", id)
				require.Equal(t, association.PRRetransmit, sf.Info.PRPolicy)
			}
		}}, 2201, 2202, 2203)
}

// The priority policy (RFC 7496 Section 3.2) with a 12 KiB send buffer
// that fills while Z's user does not read (two fifths of the time), under
// 5 % loss: only messages of the priority policy are abandoned, unsent,
// to make room; the reliable messages (one in ten) all arrive.
func TestPRSCTPSimPriority(t *testing.T) {
	testPolicyCase(t, policyCase{name: "priority", link: impairedLink(0.05), msgs: 400, pace: 5 * time.Millisecond,
		tweak: func(a, z *association.Config) { a.SendBuffer, z.ReceiveBuffer = 12<<10, 16<<10 },
		holdZ: func(i int) bool { return i%100 < 40 },
		info: func(r *rand.Rand, i int) association.SendInfo {
			if r.IntN(10) == 0 {
				return association.SendInfo{Stream: chunk.StreamID(i % 3)}
			}
			return association.SendInfo{Stream: chunk.StreamID(i % 3), PRPolicy: association.PRPriority,
				PRValue: uint32(r.IntN(8))}
		},
		check: func(t *testing.T, r *simRun, o policyOutcome) {
			require.NotZero(t, o.abandoned)
			for id, sf := range r.failed {
				require.False(t, sf.Sent, "message %d abandoned after it was sent", id)
				require.Equal(t, association.PRPriority, sf.Info.PRPolicy)
			}
		}}, 2301, 2302, 2303)
}

// The lifetime of RFC 9260 Section 10.1 (TimeToLive, no policy), 100 to
// 400 ms, with and without PR-SCTP negotiated, while Z's user stops
// reading for stretches and 10 % of the packets are lost: only messages
// none of which was sent are abandoned, and each was handed back within
// its lifetime plus the lifetime timer's granularity, even while nothing
// could be sent; what was sent arrives.
func TestPRSCTPSimTimeToLive(t *testing.T) {
	for _, pr := range []bool{true, false} {
		t.Run(fmt.Sprint("prsctp=", pr), func(t *testing.T) {
			ttl := map[uint32]time.Duration{}
			testPolicyCase(t, policyCase{name: "ttl", link: impairedLink(0.1), msgs: 300, pace: 5 * time.Millisecond,
				tweak: func(a, z *association.Config) {
					z.ReceiveBuffer, z.PartialReliabilityDisabled = 16<<10, !pr
				},
				holdZ: func(i int) bool { return i%100 < 50 },
				info: func(r *rand.Rand, i int) association.SendInfo {
					d := time.Duration(100+r.IntN(300)) * time.Millisecond
					ttl[uint32(i)] = d
					return association.SendInfo{Stream: chunk.StreamID(i % 3), Unordered: i%5 == 0, TimeToLive: d}
				},
				check: func(t *testing.T, r *simRun, o policyOutcome) {
					require.NotZero(t, o.abandoned)
					require.Equal(t, pr, r.p.A.PartialReliability())
					for id, sf := range r.failed {
						require.False(t, sf.Sent, "message %d abandoned after it was sent", id)
						require.Equal(t, association.PRNone, sf.Info.PRPolicy)
						require.LessOrEqual(t, r.failedAt[id].Sub(r.sentAt[id]), ttl[id]+10*time.Millisecond, "message %d", id)
					}
					require.Zero(t, o.pr.ForwardTSNsSent, "nothing sent is abandoned")
				}}, 2401, 2402)
		})
	}
}

// Every policy at once on eight streams (stream s: policy s%4, half of
// them with a lifetime too) under 10 % loss, the send buffer filling while
// Z stops reading: the counters per stream and per policy match what came
// back.
func TestPRSCTPSimMixed(t *testing.T) {
	testPolicyCase(t, policyCase{name: "mixed", link: impairedLink(0.1), msgs: 400, pace: 5 * time.Millisecond,
		tweak: func(a, z *association.Config) { a.SendBuffer, z.ReceiveBuffer = 16<<10, 16<<10 },
		holdZ: func(i int) bool { return i%100 < 30 },
		info: func(r *rand.Rand, i int) association.SendInfo {
			s := chunk.StreamID(i % 8)
			info := association.SendInfo{Stream: s, Unordered: r.IntN(6) == 0, PRPolicy: association.PRPolicy(s % 4)}
			switch info.PRPolicy {
			case association.PRTimed:
				info.PRValue = uint32(100 + r.IntN(200))
			case association.PRRetransmit:
				info.PRValue = uint32(r.IntN(3))
			case association.PRPriority:
				info.PRValue = uint32(r.IntN(4))
			}
			if s >= 4 {
				info.TimeToLive = time.Duration(150+r.IntN(300)) * time.Millisecond
			}
			return info
		},
		check: func(t *testing.T, r *simRun, o policyOutcome) {
			for p := association.PRNone; p < association.PRPolicies; p++ {
				require.NotZero(t, o.pr.Abandoned[p], "policy %v abandoned nothing", p)
			}
		}}, 2501, 2502)
}

// stripData makes a filter that takes every DATA chunk from from off the
// link: a packet that starts with a FORWARD TSN goes on with it alone
// (RFC 3758 Section 3.5 F2 puts it before the DATA chunks), any other
// packet carrying DATA is dropped.
func stripData(from sentAddr) sim.Filter {
	return func(d *sim.Datagram) sim.Verdict {
		if d.From != from {
			return sim.Pass
		}
		pkt, err := packet.Parse(d.Data, packet.Options{AcceptZeroChecksum: true})
		if err != nil {
			return sim.Pass
		}
		it := pkt.Chunks()
		first, hasData := chunk.Type(0), false
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			if first == 0 {
				first = c.Type
			}
			hasData = hasData || c.Type == chunk.TypeData
		}
		switch {
		case !hasData:
			return sim.Pass
		case first != chunk.TypeForwardTSN:
			return sim.Drop
		}
		n := 12 + (int(binary.BigEndian.Uint16(d.Data[14:]))+3)&^3
		d.Data = d.Data[:n]
		packet.SetChecksum(d.Data)
		return sim.Pass
	}
}

// perSecond counts the packets from from in each second of virtual time.
func (c *capture) perSecond(from sentAddr) map[int64]int {
	out := map[int64]int{}
	for _, s := range c.pkts {
		if s.from == from {
			out[int64(s.at)/int64(time.Second)]++
		}
	}
	return out
}

// No FORWARD TSN/SACK storm when every message is abandoned (WebRTC's
// maxRetransmits 0 on a link that loses all of A's DATA, 2 ms each way,
// where trading a FORWARD TSN for every SACK would make hundreds of
// packets a second): 50 messages a second for 4 s on four streams, all
// abandoned at their first retransmission and handed back; each end
// sends at most a few packets per message in every second of virtual
// time, and both go quiet once it is over. Each seed twice, the same.
func TestPRSCTPSimNoStormAllAbandoned(t *testing.T) {
	for _, seed := range []uint64{2601, 2602, 2603} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			var hashes [2][32]byte
			for run := range hashes {
				// Nothing acknowledges DATA, so the RTO stays backed off:
				// at most 1 s, so that the backlog drains in minutes.
				r := newPRRun(t, seed, sim.LinkConfig{Delay: 2 * time.Millisecond, Jitter: time.Millisecond},
					func(a, _ *association.Config) { a.RTO.Max = time.Second })
				r.p.Net.EnableTraceHash()
				r.p.Net.AddFilter(stripData(r.p.AddrA))
				start := r.p.Now
				for i := range 200 {
					require.NoError(t, r.send(association.SendInfo{Stream: chunk.StreamID(i % 4), Unordered: i%7 == 0,
						PRPolicy: association.PRRetransmit}, 100+i))
					r.p.Run(20 * time.Millisecond)
				}
				r.settle(10 * time.Minute)
				require.Equal(t, 200, r.check(), "every message abandoned")
				require.Empty(t, r.delivered)
				require.Equal(t, uint64(200), r.p.A.PRStatus().Abandoned[association.PRRetransmit].Sent)
				for _, from := range []sentAddr{r.p.AddrA, r.p.AddrZ} {
					for sec, n := range r.c.since(start).perSecond(from) {
						// 50 DATA packets a second, and a FORWARD TSN or
						// SACK for some of them.
						require.LessOrEqual(t, n, 2*50+10, "%v sent %d packets in second %d", from, n, sec)
					}
				}
				r.checkNoStorm(2 * time.Millisecond)
				hashes[run] = r.p.Net.TraceHash()
				t.Logf("seed %d: %d FORWARD TSNs, %d SACKs, %d T3 expirations", seed, r.p.A.PRStatus().ForwardTSNsSent,
					r.c.count(r.p.AddrZ, chunk.TypeSACK), r.p.A.Stats().T3Expirations)
			}
			require.Equal(t, hashes[0], hashes[1], "seed %d: two runs differ", seed)
		})
	}
}

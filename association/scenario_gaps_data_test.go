package association_test

import (
	"errors"
	"fmt"
	"net/netip"
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

// Scenario tests of the data path: fast retransmit and fast recovery, SACK
// generation and processing, bundling, Nagle, the path MTU, Max.Burst,
// cwnd validation after idle, silly window avoidance and corruption.

// dataOf returns the DATA chunks of sp, in order.
func dataOf(t *testing.T, sp *sentPacket) []chunk.Data {
	t.Helper()
	var out []chunk.Data
	it := sp.pkt.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		if r.Type == chunk.TypeData {
			var d chunk.Data
			parseChunk(t, r, &d)
			out = append(out, d)
		}
	}
	return out
}

// sackOf returns the SACK chunk of sp.
func sackOf(t *testing.T, sp *sentPacket) chunk.SACK {
	t.Helper()
	r, ok := sp.chunk(chunk.TypeSACK)
	require.True(t, ok, "no SACK in %v", sp.types())
	var s chunk.SACK
	parseChunk(t, r, &s)
	return s
}

// tsnsOf returns the TSNs of the DATA chunks of sp.
func tsnsOf(t *testing.T, sp *sentPacket) []chunk.TSN {
	t.Helper()
	var out []chunk.TSN
	for _, d := range dataOf(t, sp) {
		out = append(out, d.TSN)
	}
	return out
}

// dataPackets returns the packets from from that carry DATA with tsn.
func dataPackets(t *testing.T, c *capture, from sentAddr, tsn chunk.TSN) []*sentPacket {
	t.Helper()
	var out []*sentPacket
	for _, sp := range c.with(from, chunk.TypeData) {
		for _, x := range tsnsOf(t, sp) {
			if x == tsn {
				out = append(out, sp)
				break
			}
		}
	}
	return out
}

// nextTSN returns the TSN of the next new DATA chunk from from: one above
// the highest TSN captured so far.
func nextTSN(t *testing.T, c *capture, from sentAddr) chunk.TSN {
	t.Helper()
	var last chunk.TSN
	found := false
	for _, sp := range c.with(from, chunk.TypeData) {
		for _, x := range tsnsOf(t, sp) {
			if !found || x.GT(last) {
				last, found = x, true
			}
		}
	}
	require.True(t, found, "no DATA captured yet")
	return last + 1
}

// dropTSN installs a filter that drops the next n packets from from that
// carry a DATA chunk with tsn, and returns how many it dropped so far.
func dropTSN(p *associationtest.Pair, from sentAddr, tsn chunk.TSN, n int) *int {
	dropped := new(int)
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if *dropped >= n || d.From != from {
			return sim.Pass
		}
		pkt, err := packet.Parse(d.Data, packet.Options{SkipChecksum: true})
		if err != nil {
			return sim.Pass
		}
		it := pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			var dc chunk.Data
			if r.Type == chunk.TypeData {
				if _, err := dc.Parse(r.Bytes); err == nil && dc.TSN == tsn {
					*dropped++
					return sim.Drop
				}
			}
		}
		return sim.Pass
	})
	return dropped
}

// aSend is A's state right after it handed a packet with DATA to the
// network.
type aSend struct {
	at    timer.Time
	tsns  []chunk.TSN // of the DATA chunks in the packet
	path  association.PathInfo
	stats association.Stats
	// rwnd is the peer's window as A sees it, buffered A's data not yet
	// sent.
	rwnd, buffered int
}

// recordA installs a filter that records A's state each time A sends a
// packet that carries DATA (the filter runs inside the network's Send,
// right after AppendPacket returned the packet). Install it before
// filters that drop, so that it sees the dropped packets too.
func recordA(t *testing.T, p *associationtest.Pair) *[]aSend {
	log := new([]aSend)
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From != p.AddrA {
			return sim.Pass
		}
		pkt, err := packet.Parse(append([]byte(nil), d.Data...), packet.Options{SkipChecksum: true})
		if err != nil {
			return sim.Pass
		}
		sp := sentPacket{at: p.Now, pkt: pkt}
		if !sp.has(chunk.TypeData) {
			return sim.Pass
		}
		*log = append(*log, aSend{at: p.Now, tsns: tsnsOf(t, &sp), path: p.A.Paths()[0],
			stats: p.A.Stats(), rwnd: p.A.Status().Rwnd, buffered: p.A.Buffered()})
		return sim.Pass
	})
	return log
}

// sendsOf returns the records of the packets that carried tsn.
func sendsOf(log []aSend, tsn chunk.TSN) []aSend {
	var out []aSend
	for _, e := range log {
		for _, x := range e.tsns {
			if x == tsn {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// grownPair returns an established pair (scenarioConfigs) after a bulk
// transfer from A that grew A's cwnd to at least minCWnd, with everything
// acknowledged and less than an RTO since A last sent DATA, so that no
// idle decay applies yet.
func grownPair(t *testing.T, seed uint64, minCWnd int) (*associationtest.Pair, *capture) {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	full := p.A.Status().FragmentationPoint
	for i := 0; i < 400 && p.A.Paths()[0].CWnd < minCWnd; i++ {
		for p.A.Buffered() < 64*full {
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, full)))
		}
		p.Run(10 * time.Millisecond)
	}
	require.GreaterOrEqual(t, p.A.Paths()[0].CWnd, minCWnd, "seed %d: cwnd did not grow", seed)
	// Stop refilling and let everything be acknowledged.
	require.True(t, p.RunUntil(10*time.Second, func() bool {
		return p.A.Buffered() == 0 && p.A.Outstanding() == 0
	}), "seed %d: the warm-up transfer did not finish", seed)
	return p, c
}

// burst sends n messages of one full packet each from A, each in its own
// send call (so that Max.Burst, which counts per send opportunity, does
// not cut the burst), all at the current time.
func burst(t *testing.T, p *associationtest.Pair, n int) {
	t.Helper()
	full := p.A.Status().FragmentationPoint
	for i := 0; i < n; i++ {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, full)))
		p.Exchange()
	}
}

// RFC 9260 Section 7.2.4: "Whenever an endpoint receives a SACK chunk that
// indicates that some TSNs are missing, it SHOULD wait for two further
// miss indications (via subsequent SACK chunks for a total of three
// missing reports) on the same TSNs before taking action with regard to
// Fast Retransmit." "When the third consecutive miss indication is
// received for one or more TSNs, the data sender does the following: 1)
// Mark the DATA chunk(s) with three miss indications for retransmission.
// 2) If not in Fast Recovery, adjust the ssthresh and cwnd of the
// destination address(es) to which the missing DATA chunks were last sent,
// according to the formula described in Section 7.2.3. 3) If not in Fast
// Recovery, ... Retransmit those K DATA chunks in a single packet. When a
// Fast Retransmit is being performed, the sender SHOULD ignore the value
// of cwnd and SHOULD NOT delay retransmission for this single packet. 4)
// Restart the T3-rtx timer only if the last SACK chunk acknowledged the
// lowest outstanding TSN number sent to that address or the endpoint is
// retransmitting the first outstanding DATA chunk sent to that address. 5)
// Mark the DATA chunk(s) as being fast retransmitted and thus ineligible
// for a subsequent Fast Retransmit. ... 6) If not in Fast Recovery, enter
// Fast Recovery ... While in Fast Recovery, the ssthresh and cwnd SHOULD
// NOT change for any destinations due to a subsequent Fast Recovery event
// (i.e., one SHOULD NOT reduce the cwnd further due to a subsequent Fast
// Retransmit)."
// Section 7.2.3: "ssthresh = max(cwnd / 2, 4 * PMDCS) cwnd = ssthresh".
// https://www.rfc-editor.org/rfc/rfc9260#section-7.2.4
func TestScenarioFastRetransmit(t *testing.T) {
	const minCWnd = 20 * 1440 // cwnd / 2 > 4 * PMDCS: the halving shows
	type setup struct {
		p      *associationtest.Pair
		c      *capture
		log    *[]aSend
		cwnd0  int // cwnd before the burst
		x      chunk.TSN
		start  timer.Time
		pmdcs  int
		halved int // max(cwnd0 / 2, 4 * PMDCS)
		rto    time.Duration
	}
	// prepare grows A's cwnd, then drops the next DATA chunk (TSN x)
	// times times and records A's state at each packet it sends.
	prepare := func(t *testing.T, seed uint64, drops []int, times int) *setup {
		p, c := grownPair(t, seed, minCWnd)
		s := &setup{p: p, c: c, x: nextTSN(t, c, p.AddrA), start: p.Now}
		pi := p.A.Paths()[0]
		s.cwnd0, s.pmdcs = pi.CWnd, pi.MTU-12
		s.halved = max(s.cwnd0/2, 4*s.pmdcs)
		s.rto = pi.RTO
		require.Greater(t, s.cwnd0/2, 4*s.pmdcs)
		s.log = recordA(t, p)
		for _, d := range drops {
			dropTSN(p, p.AddrA, s.x+chunk.TSN(d), times)
		}
		return s
	}
	// retransmissions returns A's records of the packets that resent tsn.
	retransmissions := func(t *testing.T, s *setup, tsn chunk.TSN) []aSend {
		sends := sendsOf(*s.log, tsn)
		require.NotEmpty(t, sends, "TSN %v never sent", tsn)
		return sends[1:]
	}

	t.Run("one-loss", func(t *testing.T) {
		const seed, n = 300, 8
		s := prepare(t, seed, []int{0}, 1)
		p := s.p
		delivered := len(messagesOf(p.DeliveredZ))
		burst(t, p, n)
		require.True(t, p.RunUntil(5*time.Second, func() bool { return p.A.Outstanding() == 0 }))

		// Z reports the hole in a SACK per packet; the first three carry
		// Gap Ack Blocks 2-2, 2-3, 2-4 relative to x-1.
		sacks := s.c.since(s.start).with(p.AddrZ, chunk.TypeSACK)
		require.Len(t, sacks, n, "seed %d: n-1 gap reports and the final SACK", seed)
		for i := 0; i < n-1; i++ {
			sk := sackOf(t, sacks[i])
			require.Equal(t, s.x-1, sk.CumTSNAck, "SACK %d", i)
			require.Equal(t, []chunk.GapBlock{{Start: 2, End: uint16(2 + i)}}, sk.GapBlocks, "SACK %d", i)
			require.Equal(t, s.start.Add(scenarioLink.Delay), sacks[i].at, "SACK %d is immediate", i)
		}
		// Exactly one retransmission of x: the fast retransmit, sent when
		// the third SACK reporting x missing arrived (one round trip after
		// the burst), long before T3-rtx (RTO = 1 s) would fire.
		rtx := dataPackets(t, s.c.since(s.start), p.AddrA, s.x)
		require.Len(t, rtx, 2, "seed %d: the original and one retransmission", seed)
		require.Equal(t, []chunk.TSN{s.x}, tsnsOf(t, rtx[1]), "K = 1: only x is resent")
		require.Equal(t, s.start.Add(2*scenarioLink.Delay), rtx[1].at)
		fr := retransmissions(t, s, s.x)
		require.Len(t, fr, 1)
		before := (*s.log)[0].stats.SACKsReceived
		require.Equal(t, before+3, fr[0].stats.SACKsReceived, "sent right after the third miss indication")
		require.Equal(t, uint64(1), fr[0].stats.FastRetransmissions)
		// Section 7.2.3 applied once: gap-only SACKs do not grow cwnd
		// (slow start needs the Cumulative TSN Ack to advance), so the
		// reduction starts from cwnd0.
		require.Equal(t, s.halved, fr[0].path.SSThresh, "ssthresh = max(cwnd/2, 4*PMDCS)")
		require.Equal(t, s.halved, fr[0].path.CWnd, "cwnd = ssthresh")
		for _, e := range *s.log {
			if e.at.After(fr[0].at) || e.at == fr[0].at {
				require.GreaterOrEqual(t, e.path.CWnd, s.halved, "no further reduction")
			}
		}
		st := p.A.Stats()
		require.Equal(t, uint64(1), st.FastRetransmissions)
		require.Equal(t, uint64(1), st.Retransmissions)
		require.Zero(t, st.T3Retransmissions)
		require.Zero(t, st.T3Expirations)
		require.Equal(t, uint64(n-1), p.Z.Stats().GapReportsSent, "the SACKs reporting the hole")
		pi := p.A.Paths()[0]
		require.Equal(t, s.halved, pi.SSThresh)
		require.Equal(t, s.halved, pi.CWnd, "flight stayed below cwnd: no growth after recovery")
		msgs := messagesOf(p.DeliveredZ)[delivered:]
		require.Len(t, msgs, n, "delivered once each")
		for i, m := range msgs {
			require.Equal(t, numbered(i, len(m.Data)), m.Data, "in order")
		}
	})

	t.Run("fast-retransmission-lost", func(t *testing.T) {
		// The fast retransmission of x is lost too. Four more SACKs
		// report x missing, but x is "ineligible for a subsequent Fast
		// Retransmit": T3-rtx recovers it, one RTO after the fast
		// retransmission restarted the timer (step 4: it resent the
		// first outstanding DATA chunk).
		const seed, n = 301, 8
		s := prepare(t, seed, []int{0}, 2)
		p := s.p
		burst(t, p, n)
		require.True(t, p.RunUntil(5*time.Second, func() bool { return p.A.Outstanding() == 0 }))
		rtx := dataPackets(t, s.c.since(s.start), p.AddrA, s.x)
		require.Len(t, rtx, 3, "seed %d: original, fast retransmission, T3 retransmission", seed)
		frAt := s.start.Add(2 * scenarioLink.Delay)
		require.Equal(t, frAt, rtx[1].at)
		require.Equal(t, time.Second, s.rto)
		require.Equal(t, frAt.Add(s.rto), rtx[2].at, "T3-rtx restarted by the fast retransmission")
		st := p.A.Stats()
		require.Equal(t, uint64(1), st.FastRetransmissions)
		require.Equal(t, uint64(1), st.T3Retransmissions)
		require.Equal(t, uint64(2), st.Retransmissions)
		require.Equal(t, uint64(1), st.T3Expirations)
		// Section 7.2.3 on the T3-rtx expiry: "ssthresh = max(cwnd / 2, 4
		// * PMDCS) cwnd = PMDCS".
		fr := retransmissions(t, s, s.x)
		require.Len(t, fr, 2)
		require.Equal(t, max(s.halved/2, 4*s.pmdcs), fr[1].path.SSThresh)
		require.Equal(t, s.pmdcs, fr[1].path.CWnd)
	})

	t.Run("two-losses-one-window", func(t *testing.T) {
		// A full window is sent and TSNs x and x+4 are lost. Each is fast
		// retransmitted once, but the second loss is detected in Fast
		// Recovery: cwnd and ssthresh are not reduced again, and its
		// retransmission waits until the flight is below cwnd (step 3 is
		// for "If not in Fast Recovery"; Section 6.1 rule C sends marked
		// chunks "limited by the current cwnd").
		const seed = 302
		s := prepare(t, seed, []int{0, 4}, 1)
		p := s.p
		n := s.cwnd0 / p.A.Status().FragmentationPoint
		burst(t, p, n)
		require.True(t, p.RunUntil(5*time.Second, func() bool { return p.A.Outstanding() == 0 }))
		first, second := retransmissions(t, s, s.x), retransmissions(t, s, s.x+4)
		require.Len(t, first, 1, "seed %d", seed)
		require.Len(t, second, 1, "seed %d", seed)
		require.Equal(t, s.start.Add(2*scenarioLink.Delay), first[0].at)
		full := p.A.Status().FragmentationPoint
		// The fast retransmit ignored cwnd (the flight was above the
		// halved cwnd); the retransmission in Fast Recovery waited for
		// the flight to drop below it.
		require.GreaterOrEqual(t, first[0].path.FlightSize-full, first[0].path.CWnd)
		require.Greater(t, second[0].stats.SACKsReceived, first[0].stats.SACKsReceived+3,
			"marked on the third miss indication of x+4, sent SACKs later")
		require.Less(t, second[0].path.FlightSize-full, second[0].path.CWnd,
			"the retransmission in Fast Recovery is within cwnd")
		for _, e := range []aSend{first[0], second[0]} {
			require.Equal(t, s.halved, e.path.SSThresh, "ssthresh set once")
			require.Equal(t, s.halved, e.path.CWnd, "cwnd reduced once")
		}
		st := p.A.Stats()
		require.Equal(t, uint64(2), st.FastRetransmissions)
		require.Equal(t, uint64(2), st.Retransmissions)
		require.Zero(t, st.T3Expirations)
		require.Equal(t, s.halved, p.A.Paths()[0].SSThresh)
	})
}

// RFC 9260 Section 7.2.4: "whenever an endpoint notices a hole in the
// arriving TSN sequence, it SHOULD start sending a SACK chunk back every
// time a packet arrives carrying data until the hole is filled." Section
// 6.2: "Any received DATA chunks with TSN greater than the value in the
// Cumulative TSN Ack field are reported in the Gap Ack Block fields." and
// "When a packet arrives with duplicate DATA chunk(s) and with no new DATA
// chunk(s), the endpoint MUST immediately send a SACK chunk with no delay.
// ... The duplicate TSN number(s) SHOULD be reported in the SACK chunk as
// duplicate." Section 3.3.4: a Gap Ack Block's start and end are offsets
// from the Cumulative TSN Ack.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.2
func TestScenarioSACKOnGap(t *testing.T) {
	const seed = 310
	p, c := warmPair(t, seed)
	x := nextTSN(t, c, p.AddrA)
	dropped := dropTSN(p, p.AddrA, x+1, 1)
	start := p.Now
	burst(t, p, 4) // TSNs x to x+3; x+1 is lost
	require.Len(t, c.since(start).with(p.AddrA, chunk.TypeData), 4, "one burst of four packets")
	p.Run(15 * time.Millisecond)
	require.Equal(t, 1, *dropped)
	// A copy of x+2 arrives again while the hole is still open.
	dup := dataPackets(t, c, p.AddrA, x+2)
	require.Len(t, dup, 1)
	p.Net.Send(p.Now, p.AddrA, p.AddrZ, append([]byte(nil), dup[0].pkt.Bytes()...))
	p.Run(100 * time.Millisecond)

	sacks := c.since(start).with(p.AddrZ, chunk.TypeSACK)
	require.Len(t, sacks, 3, "seed %d: x alone waits for the delayed SACK; x+2, x+3 and the duplicate do not", seed)
	want := []struct {
		at   time.Duration
		gaps []chunk.GapBlock
		dups []chunk.TSN
	}{
		{scenarioLink.Delay, []chunk.GapBlock{{Start: 2, End: 2}}, nil},
		{scenarioLink.Delay, []chunk.GapBlock{{Start: 2, End: 3}}, nil},
		{15*time.Millisecond + scenarioLink.Delay, []chunk.GapBlock{{Start: 2, End: 3}}, []chunk.TSN{x + 2}},
	}
	for i, w := range want {
		sk := sackOf(t, sacks[i])
		require.Equal(t, w.at, sacks[i].at.Sub(start), "SACK %d: immediate", i)
		require.Equal(t, x, sk.CumTSNAck, "SACK %d", i)
		require.Equal(t, w.gaps, sk.GapBlocks, "SACK %d", i)
		if w.dups == nil {
			require.Empty(t, sk.DupTSNs, "SACK %d", i)
		} else {
			require.Equal(t, w.dups, sk.DupTSNs, "SACK %d", i)
		}
	}
	require.Equal(t, uint64(1), p.Z.Stats().DuplicateTSNs)

	// T3-rtx fills the hole; the SACK that follows acknowledges everything
	// cumulatively and does not repeat the duplicate.
	require.True(t, p.RunUntil(5*time.Second, func() bool { return p.A.Outstanding() == 0 }))
	sacks = c.since(start).with(p.AddrZ, chunk.TypeSACK)
	require.Len(t, sacks, 4)
	last := sackOf(t, sacks[3])
	require.Equal(t, x+3, last.CumTSNAck)
	require.Empty(t, last.GapBlocks)
	require.Empty(t, last.DupTSNs)
	// The packet that fills the hole arrived while it was open: its SACK
	// goes at once ("every time a packet arrives carrying data until the
	// hole is filled"), not SACK.Delay later.
	sends := dataPackets(t, c, p.AddrA, x+1)
	require.Len(t, sends, 2, "the lost original and its retransmission")
	require.Equal(t, sends[1].at.Add(scenarioLink.Delay), sacks[3].at, "the SACK of the filled hole is immediate")
	require.Len(t, messagesOf(p.DeliveredZ), 5, "the warm-up message and four, once each")
}

// RFC 9260 Section 6.2: "Upon receipt of an SCTP packet containing a DATA
// chunk with the I bit set, the receiver SHOULD NOT delay the sending of
// the corresponding SACK chunk, i.e., the receiver SHOULD immediately
// respond with the corresponding SACK chunk." Without the I bit, the same
// single packet waits SACK.Delay (TestScenarioDelayedSACK).
// https://www.rfc-editor.org/rfc/rfc9260#section-6.2
func TestScenarioImmediateBitReceiver(t *testing.T) {
	for _, immediate := range []bool{false, true} {
		name := "without"
		if immediate {
			name = "with"
		}
		t.Run(name, func(t *testing.T) {
			const seed = 311
			p, c := warmPair(t, seed)
			set := 0 // DATA chunks given the I bit on their way
			if immediate {
				rewriteFirstData(p, func(_ *packet.Header, cs []chunk.Chunk) []chunk.Chunk {
					for _, x := range cs {
						if u := x.(*chunk.Unknown); u.ChunkType == chunk.TypeData {
							u.Flags |= uint8(chunk.FlagImmediate)
							set++
						}
					}
					return cs
				})
			}
			start := p.Now
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("one packet")))
			p.Run(time.Second)
			data := c.since(start).with(p.AddrA, chunk.TypeData)
			require.Len(t, data, 1)
			require.False(t, dataOf(t, data[0])[0].Flags.Has(chunk.FlagImmediate), "A does not set it itself")
			if immediate {
				require.Equal(t, 1, set)
			}
			sacks, at := sacksFrom(t, c, p.AddrZ, start)
			require.Len(t, sacks, 1, "seed %d", seed)
			// Without the I bit, a lone packet's SACK waits
			// LoneSACKDelay (Z has measured no round trip).
			wantAt := scenarioLink.Delay + association.DefaultLoneSACKDelay
			if immediate {
				wantAt = scenarioLink.Delay
			}
			require.Equal(t, wantAt, at[0])
			require.Equal(t, dataOf(t, data[0])[0].TSN, sacks[0].CumTSNAck)
		})
	}
}

// RFC 9260 Section 6.2.1 rule D: "i) If Cumulative TSN Ack is less than
// the Cumulative TSN Ack Point, then drop the SACK chunk. Since Cumulative
// TSN Ack is monotonically increasing, a SACK chunk whose Cumulative TSN
// Ack is less than the Cumulative TSN Ack Point indicates an out-of-order
// SACK chunk." A stale SACK (forged here with A's tag, a different a_rwnd
// and a Gap Ack Block covering the TSN in flight) changes nothing: not the
// peer's rwnd, not the outstanding data, not the congestion state.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.2.1
func TestScenarioStaleSACK(t *testing.T) {
	const seed = 312
	p, c := warmPair(t, seed)
	for i := 0; i < 3; i++ {
		sendAndDeliver(t, p, numbered(i, 500))
	}
	p.Run(time.Second)
	require.Zero(t, p.A.Outstanding())
	cum := nextTSN(t, c, p.AddrA) - 1 // A's Cumulative TSN Ack Point
	// One message in flight (TSN cum+1), not yet acknowledged.
	p.HoldZ = true
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(9, 700)))
	p.Exchange()
	require.Equal(t, 700, p.A.Outstanding())
	status, paths, stats := p.A.Status(), p.A.Paths(), p.A.Stats()
	localA, _ := p.A.Tags()
	forge(p, p.AddrZ, p.AddrA, headerZA(localA), &chunk.SACK{
		CumTSNAck: cum - 1, ARwnd: 1 << 30,
		GapBlocks: []chunk.GapBlock{{Start: 2, End: 2}}, // would cover cum+1
		DupTSNs:   []chunk.TSN{cum},
	})
	p.Run(scenarioLink.Delay + time.Millisecond) // the forged SACK arrives; Z's (delayed) SACK does not yet
	require.Equal(t, 1, p.Discards["stale SACK"], "seed %d: discards %v", seed, p.Discards)
	require.Equal(t, status, p.A.Status(), "rwnd and unacknowledged data unchanged")
	require.Equal(t, paths, p.A.Paths(), "cwnd, flight size, RTO, error counter unchanged")
	require.Equal(t, 700, p.A.Outstanding())
	after := p.A.Stats()
	require.Equal(t, stats.PacketsReceived+1, after.PacketsReceived)
	require.Equal(t, stats.SACKsReceived+1, after.SACKsReceived, "counted as received, then dropped")
	require.Equal(t, stats.ChunksReceived.Of(chunk.TypeSACK)+1, after.ChunksReceived.Of(chunk.TypeSACK))
	require.Greater(t, after.WireBytesReceived, stats.WireBytesReceived)
	after.PacketsReceived, after.SACKsReceived = stats.PacketsReceived, stats.SACKsReceived
	after.ChunksReceived, after.WireBytesReceived = stats.ChunksReceived, stats.WireBytesReceived
	require.Equal(t, stats, after, "nothing else changed")
	// The real SACK still works.
	require.True(t, p.RunUntil(time.Second, func() bool { return p.A.Outstanding() == 0 }))
	require.Equal(t, association.StateEstablished, p.A.State())
}

// RFC 9260 Section 6.1: "A ULP can request that no bundling is performed,
// but this only turns off any delays that an SCTP implementation might be
// using to increase bundling efficiency." The issue asks for Nagle-style
// bundling on by default with a nodelay switch (gen_sctp sctp_nodelay):
// while DATA is in flight, small messages wait until a full packet can be
// sent or the SACK that the packet in flight asked for (the I bit), then
// go bundled in one packet; with NoDelay each goes at once.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.1
func TestScenarioNagle(t *testing.T) {
	for _, nodelay := range []bool{false, true} {
		name := "default"
		if nodelay {
			name = "nodelay"
		}
		t.Run(name, func(t *testing.T) {
			const seed, small, size = 320, 5, 100
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgA.NoDelay = nodelay
			p, c := newScenarioPair(t, seed, cfgA, cfgZ)
			require.NoError(t, p.Handshake())
			sendAndDeliver(t, p, []byte("first"))
			p.Run(time.Second)
			start := p.Now
			// One full packet in flight; Z acknowledges it after SACK.Delay.
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(0, p.A.Status().FragmentationPoint)))
			for i := 1; i <= small; i++ {
				p.Run(time.Millisecond)
				require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, size)))
				p.Exchange()
			}
			require.True(t, p.RunUntil(5*time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 2+small }))
			data := c.since(start).with(p.AddrA, chunk.TypeData)
			if nodelay {
				require.Len(t, data, 1+small, "seed %d: one packet per message", seed)
				for i := 1; i <= small; i++ {
					require.Equal(t, start.Add(time.Duration(i)*time.Millisecond), data[i].at, "message %d goes at once", i)
					require.Len(t, dataOf(t, data[i]), 1)
				}
			} else {
				// The first small message goes at once and asks for an
				// immediate SACK (the I bit): behind the full packet
				// alone, which Z acknowledges only after SACK.Delay, it
				// would wait 200 ms (nagle.go). The four after it wait
				// for that SACK, one round trip, and leave bundled.
				require.Len(t, data, 3, "seed %d: the small messages are bundled", seed)
				require.False(t, dataOf(t, data[0])[0].Flags.Has(chunk.FlagImmediate), "nothing was in flight")
				require.Equal(t, start.Add(time.Millisecond), data[1].at)
				require.Len(t, dataOf(t, data[1]), 1)
				require.True(t, dataOf(t, data[1])[0].Flags.Has(chunk.FlagImmediate))
				require.Len(t, dataOf(t, data[2]), small-1, "the other four in one packet")
				require.Equal(t, start.Add(time.Millisecond+2*scenarioLink.Delay), data[2].at)
				require.False(t, dataOf(t, data[2])[0].Flags.Has(chunk.FlagImmediate), "everything was acknowledged")
			}
			for i, m := range messagesOf(p.DeliveredZ)[1:] {
				require.Equal(t, uint64(i), uint64(m.Data[0]), "in order")
			}
		})
	}
}

// RFC 9260 Section 6.1: "Before an endpoint transmits a DATA chunk, if any
// received DATA chunks have not been acknowledged (e.g., due to delayed
// ack), the sender SHOULD create a SACK chunk and bundle it with the
// outbound DATA chunk, as long as the size of the final SCTP packet does
// not exceed the current PMTU." Section 6.10: "When bundling control
// chunks with DATA chunks, an endpoint MUST place control chunks first in
// the outbound SCTP packet."
// https://www.rfc-editor.org/rfc/rfc9260#section-6.1
func TestScenarioSACKBundledWithData(t *testing.T) {
	const seed = 321
	p, c := warmPair(t, seed)
	start := p.Now
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("question")))
	require.True(t, p.RunUntil(time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 2 }))
	require.Equal(t, start.Add(scenarioLink.Delay), p.Now)
	require.Empty(t, c.since(start).with(p.AddrZ, chunk.TypeSACK), "Z's SACK is delayed")
	require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, []byte("answer")))
	p.Run(time.Second)
	fromZ := c.since(start).with(p.AddrZ, chunk.TypeData)
	require.Len(t, fromZ, 1)
	require.Equal(t, []chunk.Type{chunk.TypeSACK, chunk.TypeData}, fromZ[0].types(), "SACK first, bundled")
	require.Equal(t, start.Add(scenarioLink.Delay), fromZ[0].at)
	question := c.since(start).with(p.AddrA, chunk.TypeData)
	require.Len(t, question, 1)
	require.Equal(t, tsnsOf(t, question[0])[0], sackOf(t, fromZ[0]).CumTSNAck)
	require.Len(t, c.since(start).with(p.AddrZ, chunk.TypeSACK), 1, "no separate SACK later")
	require.Len(t, messagesOf(p.DeliveredA), 1)
}

// RFC 9260 Section 6: "Multiple DATA and control chunks MAY be bundled by
// the sender into a single SCTP packet for transmission, as long as the
// final size of the SCTP packet does not exceed the current PMTU."
// Section 6.10: "The total size of the resultant SCTP packet MUST be less
// that or equal to the current PMTU." Section 6.9: the sender fragments
// large messages so that each DATA chunk fits the PMTU (the PMDCS of
// Section 1.3). Over a link whose MTU is the association's packet budget,
// nothing is dropped for size, handshake included; a large message goes
// in fragments of exactly the path's maximum payload.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.9
func TestScenarioPathMTU(t *testing.T) {
	const seed, mtu, big = 322, 1200, 10000
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.MTU, cfgZ.MTU = mtu, mtu
	// SACKs delayed the whole SACK.Delay (LoneSACKDelay off), so that
	// they ride with the DATA the other end's SACKs release.
	cfgA.LoneSACKDelay, cfgZ.LoneSACKDelay = association.DefaultSACKDelay, association.DefaultSACKDelay
	logSeedOnFailure(t, seed)
	link := scenarioLink
	link.MTU = mtu
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, link)
	require.NoError(t, err)
	c := capturePackets(p)
	require.NoError(t, p.Handshake())
	maxPayload := mtu - 12 - 16 // common header, DATA chunk header
	require.Equal(t, maxPayload, p.A.Status().FragmentationPoint)

	// One large message from A alone: full fragments and a tail.
	start := p.Now
	msg := numbered(7, big)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 1 }))
	require.Equal(t, msg, messagesOf(p.DeliveredZ)[0].Data)
	var sizes []int
	for _, sp := range c.since(start).with(p.AddrA, chunk.TypeData) {
		for _, d := range dataOf(t, sp) {
			sizes = append(sizes, len(d.UserData))
		}
	}
	want := make([]int, big/maxPayload)
	for i := range want {
		want[i] = maxPayload
	}
	want = append(want, big%maxPayload)
	require.Equal(t, want, sizes, "seed %d: fragments of the path's maximum payload", seed)

	// Both ways at once: SACKs ride with DATA, still within the MTU.
	n := len(messagesOf(p.DeliveredZ))
	for i := 0; i < 10; i++ {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, 3000)))
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, numbered(i, 3000)))
	}
	require.True(t, p.RunUntil(10*time.Second, func() bool {
		return len(messagesOf(p.DeliveredZ)) == n+10 && len(messagesOf(p.DeliveredA)) == 10
	}), "seed %d", seed)
	bundled := 0
	for _, sp := range c.pkts {
		require.LessOrEqual(t, len(sp.pkt.Bytes()), mtu, "packet %v", sp.types())
		if sp.has(chunk.TypeSACK) && sp.has(chunk.TypeData) {
			bundled++
		}
	}
	require.Positive(t, bundled, "SACK and DATA bundled")
	require.Zero(t, p.Net.Stats().DroppedMTU)
	// The link does enforce its MTU.
	p.Net.Send(p.Now, p.AddrA, p.AddrZ, make([]byte, mtu+1))
	require.Equal(t, uint64(1), p.Net.Stats().DroppedMTU)
}

// RFC 9260 Section 6.9: "Once a user message is fragmented, it cannot be
// re-fragmented. Instead, if the PMTU has been reduced, then IP
// fragmentation MUST be used." A DATA chunk cut for a PMTU of 1452 and
// lost is retransmitted after the PMTU dropped to 700: alone, in a packet
// over the new PMTU (the UDP socket's IP layer fragments it), not held
// back forever while heartbeats keep the association alive. New messages
// are then cut for the new PMTU. (Found by FuzzStates.)
func TestScenarioRetransmitAfterPMTUDrop(t *testing.T) {
	const seed, mtu = 323, 700
	p, c := establishedPair(t, seed)
	p.Net.AddFilter(sim.DropFirstChunk(chunk.TypeData, 1))
	msg := numbered(1, 1400)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
	p.Exchange()
	require.NoError(t, p.A.SetPathParams(p.Now, netip.Addr{}, association.PathParams{PathMTU: mtu}))
	start := p.Now
	require.True(t, p.RunUntil(30*time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 1 }),
		"seed %d: the lost chunk was never retransmitted: %+v", seed, p.A.Status())
	require.Equal(t, msg, messagesOf(p.DeliveredZ)[0].Data)
	rtx := c.since(start+1).with(p.AddrA, chunk.TypeData) // after the lost one
	require.Len(t, rtx, 1)
	require.Greater(t, len(rtx[0].pkt.Bytes()), mtu, "the old chunk goes whole")
	require.Equal(t, []chunk.Type{chunk.TypeData}, rtx[0].types(), "alone")

	start = p.Now
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(2, 1400)))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 2 }))
	for _, sp := range c.since(start).with(p.AddrA, chunk.TypeData) {
		require.LessOrEqual(t, len(sp.pkt.Bytes()), mtu, "new data fits the new PMTU")
	}
}

// RFC 9260 Section 6.1 rule D: "When the time comes for the sender to
// transmit new DATA chunks, the protocol parameter 'Max.Burst' SHOULD be
// used to limit the number of packets sent. ... Or, it MAY be applied by
// strictly limiting the number of packets emitted by the output routine."
// Section 16: "Max.Burst: 4". With a cwnd of tens of packets and plenty of
// data queued, no send opportunity (the user's send, or the arrival of a
// SACK that frees much of the window) emits more than Max.Burst packets of
// new DATA, although cwnd and rwnd would allow more.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.1
func TestScenarioMaxBurst(t *testing.T) {
	for i, maxBurst := range []int{association.DefaultMaxBurst, 2} {
		t.Run(fmt.Sprintf("max.burst=%d", maxBurst), func(t *testing.T) {
			seed := uint64(330 + i)
			p, _ := grownPair(t, seed, 30*1440)
			cfg := p.A.Config()
			cfg.MaxBurst = maxBurst
			require.NoError(t, p.A.Reconfigure(p.Now, cfg))
			log := recordA(t, p)
			full := p.A.Status().FragmentationPoint
			const n = 120
			for j := 0; j < n; j++ {
				require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(j, full)))
			}
			delivered := len(messagesOf(p.DeliveredZ))
			require.True(t, p.RunUntil(10*time.Second, func() bool {
				return len(messagesOf(p.DeliveredZ)) == delivered+n
			}), "seed %d", seed)
			require.Zero(t, p.A.Stats().Retransmissions, "a clean transfer")
			// A send opportunity is one instant and one count of packets
			// received by A: the user's send, or one arriving SACK.
			type opportunity struct {
				at timer.Time
				rx uint64
			}
			var order []opportunity
			groups := map[opportunity][]aSend{}
			for _, e := range *log {
				k := opportunity{e.at, e.stats.PacketsReceived}
				if _, ok := groups[k]; !ok {
					order = append(order, k)
				}
				groups[k] = append(groups[k], e)
			}
			binding := 0 // opportunities cut by Max.Burst, not by cwnd or rwnd
			for _, k := range order {
				g := groups[k]
				require.LessOrEqual(t, len(g), maxBurst, "seed %d: opportunity at %v", seed, k.at)
				last := g[len(g)-1]
				if len(g) == maxBurst && last.path.FlightSize+full <= last.path.CWnd && last.rwnd >= full &&
					last.buffered >= full {
					binding++
				}
			}
			first := groups[order[0]]
			require.Len(t, first, maxBurst, "the user's send: Max.Burst packets")
			require.Greater(t, first[len(first)-1].path.CWnd, 10*full, "although cwnd allows many more")
			require.Greater(t, binding, 10, "seed %d: Max.Burst cut many opportunities", seed)
		})
	}
}

// RFC 9260 Section 7.2.1: "While the endpoint does not transmit data on a
// given transport address, the cwnd of the transport address SHOULD be
// adjusted to max(cwnd / 2, 4 * PMDCS) once per RTO. Before the first cwnd
// adjustment, the ssthresh of the transport address SHOULD be set to the
// cwnd." Exact values, after less than one RTO of idleness (no change) and
// after several.
// https://www.rfc-editor.org/rfc/rfc9260#section-7.2.1
func TestScenarioIdleCwndDecay(t *testing.T) {
	for i, idle := range []time.Duration{500 * time.Millisecond, 3500 * time.Millisecond} {
		t.Run(idle.String(), func(t *testing.T) {
			seed := uint64(335 + i)
			p, c := grownPair(t, seed, 40*1440)
			pi := p.A.Paths()[0]
			cwnd0, pmdcs, rto := pi.CWnd, pi.MTU-12, pi.RTO
			require.Equal(t, time.Second, rto)
			data := c.with(p.AddrA, chunk.TypeData)
			lastData := data[len(data)-1].at
			p.Run(idle - p.Now.Sub(lastData))
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("after idle")))
			p.Exchange()
			want, wantSS := cwnd0, pi.SSThresh
			for k := 0; k < int(idle/rto); k++ {
				if k == 0 {
					wantSS = max(cwnd0, 4*pmdcs)
				}
				want = min(want, max(want/2, 4*pmdcs))
			}
			pi = p.A.Paths()[0]
			require.Equal(t, want, pi.CWnd, "seed %d: cwnd %d after %v idle", seed, cwnd0, idle)
			require.Equal(t, wantSS, pi.SSThresh)
			if idle >= rto {
				require.Less(t, pi.CWnd, cwnd0/4, "halved at least three times")
			}
		})
	}
}

// RFC 9260 Section 6.2: "The receiver MUST also have an algorithm for
// advertising its receive window to avoid receiver silly window syndrome
// (SWS), as described in [RFC1122]." and "The receiver MUST avoid sending
// a large number of window updates -- in particular, large bursts of them.
// One way to achieve this is to send a window update only if the window
// can be increased by at least a quarter of the receive buffer size of the
// association." The rule here (maybeWindowUpdate): a window update goes
// out when the window grew by max(receive buffer / 4, MTU) since the last
// advertised a_rwnd, or when a window below one MTU reaches one MTU (RFC
// 1122 Section 4.2.3.3: "until the reduction satisfies RCV.BUFF - RCV.USER
// - RCV.WND >= min( Fr * RCV.BUFF, Eff.snd.MSS )").
// https://www.rfc-editor.org/rfc/rfc9260#section-6.2
func TestScenarioReceiverSWS(t *testing.T) {
	// Each message costs its 1000 bytes and association.ChunkOverhead of
	// the receive buffer.
	const size = 1000
	const cost = size + association.ChunkOverhead
	const rbuf = 15*cost + 40 // 15 messages fit, with 40 bytes to spare
	cases := []struct {
		name   string
		msgs   int
		reads  int // reads that update the window, the earlier ones do not
		update int // the free bytes the update advertises
	}{
		// a_rwnd rbuf - 10 cost: freeing 1, 2, 3 costs is not worth an
		// update; 4 (at least a quarter of the buffer) is.
		{"open", 10, 4, rbuf - 6*cost},
		// a_rwnd 0: 1 and 2 costs leave it below one MTU (1452); 3 reach
		// it, before a quarter of the buffer.
		{"closed", 16, 3, rbuf - 13*cost},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(340 + i)
			cfgA, cfgZ := scenarioConfigs(seed)
			cfgZ.ReceiveBuffer = rbuf
			p, c := newScenarioPair(t, seed, cfgA, cfgZ)
			require.NoError(t, p.Handshake())
			p.HoldZ = true
			for j := 0; j < tc.msgs; j++ {
				require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(j, size)))
			}
			require.True(t, p.RunUntil(10*time.Second, func() bool {
				return p.A.Buffered() == 0 && p.A.Outstanding() == 0
			}), "seed %d", seed)
			p.Run(time.Second)
			sacks := c.with(p.AddrZ, chunk.TypeSACK)
			last := sackOf(t, sacks[len(sacks)-1])
			avg := association.PayloadEstimate(p.Z)
			require.Equal(t, advertisedWindow(rbuf-tc.msgs*cost, avg), last.ARwnd)
			for r := 1; r <= tc.reads; r++ {
				start := p.Now
				d, ok := p.Z.Poll()
				for ok && d.Event != nil {
					d, ok = p.Z.Poll()
				}
				require.True(t, ok)
				require.Len(t, d.Message.Data, size)
				p.Exchange()
				got := c.since(start).with(p.AddrZ, chunk.TypeSACK)
				if r < tc.reads {
					require.Empty(t, got, "seed %d: read %d: no window update for %d bytes", seed, r, r*cost)
					continue
				}
				require.Len(t, got, 1, "seed %d: read %d: window update", seed, r)
				require.Equal(t, start, got[0].at, "at once")
				require.Equal(t, advertisedWindow(tc.update, avg), sackOf(t, got[0]).ARwnd)
			}
		})
	}
}

// RFC 9260 Section 6.1 rule A: "The sender MUST also have an algorithm for
// sending new DATA chunks to avoid silly window syndrome (SWS) as
// described in [RFC1122]." Here a DATA chunk is never cut to fit a small
// window: a large message sent into a small, held receive buffer goes in
// fragments of the full PMDCS payload (the last one excepted), however
// small the window the peer advertises on the way, and the transfer
// completes once the user reads.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.1
func TestScenarioSenderSWS(t *testing.T) {
	const seed, rbuf, big = 345, 5500, 20000
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgZ.ReceiveBuffer = rbuf
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	p.HoldZ = true
	msg := numbered(3, big)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
	p.Run(20 * time.Second)
	small := 0 // SACKs advertising a window below one full fragment but open
	full := p.A.Status().FragmentationPoint
	for _, sp := range c.with(p.AddrZ, chunk.TypeSACK) {
		if w := sackOf(t, sp).ARwnd; w > 0 && int(w) < full {
			small++
		}
	}
	require.Positive(t, small, "seed %d: Z advertised small windows", seed)
	p.ReleaseZ()
	var got []byte
	require.True(t, p.RunUntil(time.Minute, func() bool {
		got = got[:0]
		for _, m := range messagesOf(p.DeliveredZ) {
			got = append(got, m.Data...)
		}
		return len(got) == big
	}), "seed %d", seed)
	require.Equal(t, msg, got)
	last := nextTSN(t, c, p.AddrA) - 1
	for _, sp := range c.with(p.AddrA, chunk.TypeData) {
		for _, d := range dataOf(t, sp) {
			if d.TSN == last {
				require.Equal(t, big%full, len(d.UserData))
			} else {
				require.Equal(t, full, len(d.UserData), "seed %d: TSN %v", seed, d.TSN)
			}
		}
	}
}

// RFC 9260 Section 6.8: "When an SCTP packet is received, the receiver
// MUST first check the CRC32c checksum ... If it is not, the receiver MUST
// treat the packet as an invalid SCTP packet. The default procedure for
// handling invalid SCTP packets is to silently discard them." The simulated
// link flips 1 to 3 bits of some datagrams, which CRC32c always detects:
// every corrupted datagram is discarded by the association that receives
// it as malformed (a checksum mismatch), and the transfer still completes.
// https://www.rfc-editor.org/rfc/rfc9260#section-6.8
func TestScenarioCorruption(t *testing.T) {
	const seed, n = 350, 200
	p, _ := establishedPair(t, seed)
	link := scenarioLink
	link.Corrupt = 0.1
	require.NoError(t, p.Net.SetLinkBoth(p.AddrA, p.AddrZ, link))
	badChecksum := 0
	p.Net.SetTrace(func(e sim.Event) {
		if e.Kind != sim.EventDelivered {
			return
		}
		if _, err := packet.Parse(e.Datagram.Data, packet.Options{}); errors.Is(err, packet.ErrChecksum) {
			badChecksum++
		}
	})
	for i := 0; i < n; i++ {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, 1+i*37%3000)))
		require.NoError(t, p.Z.Send(p.Now, association.SendInfo{}, numbered(i, 1+i*53%3000)))
	}
	require.True(t, p.RunUntil(10*time.Minute, func() bool {
		return len(messagesOf(p.DeliveredZ)) == n && len(messagesOf(p.DeliveredA)) == n
	}), "seed %d: Z got %d, A got %d", seed, len(messagesOf(p.DeliveredZ)), len(messagesOf(p.DeliveredA)))
	for i, m := range messagesOf(p.DeliveredZ) {
		require.Equal(t, numbered(i, 1+i*37%3000), m.Data, "seed %d: message %d to Z", seed, i)
	}
	for i, m := range messagesOf(p.DeliveredA) {
		require.Equal(t, numbered(i, 1+i*53%3000), m.Data, "seed %d: message %d to A", seed, i)
	}
	st := p.Net.Stats()
	require.Greater(t, st.Corrupted, uint64(20), "seed %d: corruption happened", seed)
	require.Zero(t, st.Dropped())
	require.Equal(t, int(st.Corrupted), badChecksum, "every corrupted datagram fails the checksum")
	require.Equal(t, map[string]int{"malformed packet": int(st.Corrupted)}, p.Discards,
		"seed %d: and each is discarded as malformed, nothing else is", seed)
}

// The property test (TestPropertyDeliveredExactlyOnce) really sends
// messages of 1 to 7 bytes: ScenarioMessage pads nothing, and the 200
// scenarios include every size from 1 byte on.
func TestPropertyScenarioTinyMessages(t *testing.T) {
	seen := map[int]bool{}
	for seed := uint64(1); seed <= 200; seed++ {
		a, z := associationtest.RandomScenario(seed).MessageSizes()
		for _, n := range append(a, z...) {
			require.Positive(t, n, "seed %d", seed)
			seen[n] = true
		}
	}
	for n := 1; n < 8; n++ {
		require.True(t, seen[n], "no message of %d bytes", n)
		m := associationtest.ScenarioMessage(uint32(n), n)
		require.Len(t, m, n)
		require.NotEqual(t, associationtest.ScenarioMessage(uint32(n)+1, n), m, "content depends on the id")
		if n > 1 {
			require.NotEqual(t, associationtest.ScenarioMessage(uint32(n), n-1), m[:n-1], "a truncated message shows")
		}
	}
}

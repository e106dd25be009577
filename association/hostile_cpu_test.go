package association_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/stretchr/testify/require"
)

// Hostile peers that make an association work hard per datagram: DATA chunks looked up among many open TSN ranges, and many
// SACK chunks over many small chunks outstanding. The tests bound the work
// as a count of steps; the benchmarks show its time.

// hostileDatagram is the largest datagram a peer can send: the payload
// limit of a UDP datagram over IPv4.
const hostileDatagram = 65507

// hostilePair returns an established pair with scenarioConfigs (changed by
// tweak, if not nil) on which one message was delivered and acknowledged,
// quiet again, and the TSN of that message: Z's Cumulative TSN Ack Point
// and A's.
func hostilePair(tb testing.TB, seed uint64, tweak func(a, z *association.Config)) (*associationtest.Pair, chunk.TSN) {
	tb.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	if tweak != nil {
		tweak(&cfgA, &cfgZ)
	}
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, scenarioLink)
	require.NoError(tb, err)
	require.NoError(tb, p.Handshake())
	require.NoError(tb, p.A.Send(p.Now, association.SendInfo{}, []byte("first")))
	require.True(tb, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 1 }))
	p.Run(time.Second)
	return p, messagesOf(p.DeliveredZ)[0].TSN
}

// datagram returns a packet with header h of next(0), next(1), ... for as
// long as they fit in limit bytes (or next returns nil), and their number.
func datagram(h packet.Header, limit int, next func(i int) chunk.Chunk) ([]byte, int) {
	var b packet.Builder
	b.Reset(nil, h, limit)
	n := 0
	for c := next(0); c != nil && b.Add(c); c = next(n) {
		n++
	}
	return b.Finish(), n
}

// hand gives a, A or Z of p, at once one packet of the chunks cs from its
// peer.
func hand(p *associationtest.Pair, a *association.Association, cs ...chunk.Chunk) {
	tag, _ := a.Tags()
	h, from := headerAZ(tag), p.AddrA
	if a == p.A {
		h, from = headerZA(tag), p.AddrZ
	}
	d, _ := datagram(h, hostileDatagram, func(i int) chunk.Chunk {
		if i >= len(cs) {
			return nil
		}
		return cs[i]
	})
	_ = a.HandleDatagram(&association.Datagram{Now: p.Now, From: from, Data: d})
}

// oneByte returns an unordered DATA chunk of one byte with TSN tsn.
func oneByte(tsn chunk.TSN) *chunk.Data {
	return &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd | chunk.FlagUnordered,
		TSN: tsn, UserData: []byte{'x'}}
}

// openRanges gives Z the DATA chunks cum+2, cum+4, ... cum+2n from A, so
// that n ranges of received TSNs lie above its Cumulative TSN Ack Point
// cum, and returns the highest TSN sent.
func openRanges(tb testing.TB, p *associationtest.Pair, cum chunk.TSN, n int) chunk.TSN {
	tb.Helper()
	zTag, _ := p.Z.Tags()
	for k := 1; k <= n; {
		d, m := datagram(headerAZ(zTag), hostileDatagram, func(i int) chunk.Chunk {
			if k+i > n {
				return nil
			}
			return oneByte(cum + chunk.TSN(2*(k+i)))
		})
		require.NoError(tb, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: d}))
		k += m
	}
	require.Equal(tb, n, association.TSNRanges(p.Z))
	return cum + chunk.TSN(2*n)
}

// duplicates returns a datagram from A to Z full of DATA chunks of TSN
// tsn, and their number.
func duplicates(p *associationtest.Pair, tsn chunk.TSN) ([]byte, int) {
	zTag, _ := p.Z.Tags()
	return datagram(headerAZ(zTag), hostileDatagram, func(int) chunk.Chunk { return oneByte(tsn) })
}

// The receiver's cost of a datagram full of duplicate DATA chunks, with
// no TSN range open above the Cumulative TSN Ack Point and with 1,024 of
// them (the most it keeps), each duplicate of the highest TSN received.
func BenchmarkHostileCPUDuplicateData(b *testing.B) {
	for _, ranges := range []int{0, 1024} {
		b.Run(fmt.Sprintf("ranges=%d", ranges), func(b *testing.B) {
			p, cum := hostilePair(b, 900, nil)
			dup, n := duplicates(p, cum)
			if ranges > 0 {
				dup, n = duplicates(p, openRanges(b, p, cum, ranges))
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: dup})
			}
			b.ReportMetric(float64(n), "chunks/datagram")
		})
	}
}

// outstandingChunks has A send n messages of one byte that never arrive,
// so that n DATA chunks are outstanding, and returns A's Cumulative TSN
// Ack Point and the highest TSN sent.
func outstandingChunks(tb testing.TB, p *associationtest.Pair, cum chunk.TSN, n int) chunk.TSN {
	tb.Helper()
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if d.From == p.AddrA {
			return sim.Drop
		}
		return sim.Pass
	})
	for range n {
		require.NoError(tb, p.A.Send(p.Now, association.SendInfo{}, []byte{'x'}))
	}
	p.Exchange()
	require.Equal(tb, n, p.A.Status().UnackData)
	return cum + chunk.TSN(n)
}

// manyOutstanding makes A send one-byte messages without delay and
// without a burst limit.
func manyOutstanding(a, _ *association.Config) { a.NoDelay, a.MaxBurst = true, 1<<16 }

// sackFlood returns two datagrams from Z to A full of SACK chunks for the
// chunks cum+1 to last outstanding at A, alternately acknowledging all
// but the first by a Gap Ack Block and none (a renege, RFC 9260 Section
// 6.2.1 rule D iii): the first datagram ends with the acknowledgement,
// the second with the renege. It returns the number of SACKs in each.
func sackFlood(p *associationtest.Pair, cum, last chunk.TSN) (d [2][]byte, n int) {
	aTag, _ := p.A.Tags()
	all := &chunk.SACK{CumTSNAck: cum, ARwnd: 1 << 20,
		GapBlocks: []chunk.GapBlock{{Start: 2, End: uint16(last.Sub(cum))}}}
	none := &chunk.SACK{CumTSNAck: cum, ARwnd: 1 << 20}
	for k, first := range []*chunk.SACK{none, all} {
		second := all
		if first == all {
			second = none
		}
		// A whole number of pairs, so that the last SACK is second.
		pairs := (hostileDatagram - 12) / (first.Len() + second.Len())
		d[k], n = datagram(headerZA(aTag), hostileDatagram, func(i int) chunk.Chunk {
			switch {
			case i >= 2*pairs:
				return nil
			case i%2 == 0:
				return first
			}
			return second
		})
	}
	return d, n
}

// The sender's cost of a datagram full of SACK chunks, with 2,601 DATA
// chunks of one byte outstanding: datagrams whose SACKs alternately
// acknowledge all but the first chunk and renege on them.
func BenchmarkHostileCPUSACKFlood(b *testing.B) {
	p, cum := hostilePair(b, 901, manyOutstanding)
	last := outstandingChunks(b, p, cum, 2601)
	d, n := sackFlood(p, cum, last)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = p.A.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrZ, Data: d[i&1]})
		i++
	}
	b.ReportMetric(float64(n), "sacks/datagram")
	require.Equal(b, association.StateEstablished, p.A.State())
}

// A datagram full of duplicates of the highest TSN received, with 1,024
// ranges of TSNs open above the Cumulative TSN Ack Point (the most the
// receiver keeps): each duplicate is found in one step, not by a walk over
// the ranges. RFC 9260 Section 6.2 has every duplicate reported ("The
// duplicate TSN number(s) SHOULD be reported in the SACK chunk as
// duplicate"), so each must be looked up.
func TestHostileCPUDuplicateData(t *testing.T) {
	p, cum := hostilePair(t, 910, nil)
	dup, n := duplicates(p, openRanges(t, p, cum, 1024))
	before, dups := association.ReceiveSteps(p.Z), p.Z.Stats().DuplicateTSNs
	require.NoError(t, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: dup}))
	require.Equal(t, dups+uint64(n), p.Z.Stats().DuplicateTSNs, "every chunk is a duplicate")
	require.LessOrEqual(t, association.ReceiveSteps(p.Z)-before, uint64(n), "steps for %d duplicates", n)
}

// A datagram full of DATA chunks that each open a new range of TSNs above
// the Cumulative TSN Ack Point, in increasing order (each one beyond all
// the ranges before it), up to the 1,024 ranges the receiver keeps: each
// costs a few steps (its lookup, its neighbours), not a walk.
func TestHostileCPUOutOfOrderData(t *testing.T) {
	p, cum := hostilePair(t, 911, nil)
	zTag, _ := p.Z.Tags()
	d, n := datagram(headerAZ(zTag), hostileDatagram, func(i int) chunk.Chunk {
		if i >= 1024 {
			return nil
		}
		return oneByte(cum + chunk.TSN(2*(i+1)))
	})
	before := association.ReceiveSteps(p.Z)
	require.NoError(t, p.Z.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrA, Data: d}))
	require.Equal(t, n, association.TSNRanges(p.Z))
	require.LessOrEqual(t, association.ReceiveSteps(p.Z)-before, uint64(4*n), "steps for %d chunks", n)
}

// A datagram full of SACK chunks, alternately acknowledging all but the
// first of 2,601 one-byte chunks outstanding and reneging on them, costs
// the sender a few walks over its retransmission queue, as one SACK does,
// not a few per SACK: the SACKs of one packet are processed as one (RFC
// 9260 Section 6.2.1: the Cumulative TSN Ack only increases, the last
// a_rwnd counts, and the last Gap Ack Blocks say what is received now).
func TestHostileCPUSACKFlood(t *testing.T) {
	const outstanding = 2601
	p, cum := hostilePair(t, 912, manyOutstanding)
	last := outstandingChunks(t, p, cum, outstanding)
	flood, n := sackFlood(p, cum, last)
	for i := range 6 {
		before := association.SACKVisits(p.A)
		require.NoError(t, p.A.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrZ, Data: flood[i%2]}))
		require.LessOrEqual(t, association.SACKVisits(p.A)-before, uint64(4*outstanding),
			"entries visited for a datagram of %d SACKs", n)
	}
	require.Equal(t, outstanding, p.A.Status().UnackData)
	require.Equal(t, association.StateEstablished, p.A.State())
}

// In SHUTDOWN-RECEIVED, a datagram full of SACK and SHUTDOWN chunks in
// turn costs a few walks over the retransmission queue, as one SACK does:
// the SHUTDOWN chunks' Cumulative TSN Acks join the SACKs' and are
// processed once, without taking the lack of Gap Ack Blocks as a renege
// ("the receiver of the SHUTDOWN chunk MUST NOT interpret the lack of a
// Gap Ack Block as a renege", RFC 9260 Section 3.3.8).
func TestHostileCPUShutdownFlood(t *testing.T) {
	const outstanding = 2601
	p, cum := hostilePair(t, 913, manyOutstanding)
	last := outstandingChunks(t, p, cum, outstanding)
	aTag, _ := p.A.Tags()
	shutdown := &chunk.Shutdown{CumTSNAck: cum}
	d, _ := datagram(headerZA(aTag), hostileDatagram, func(int) chunk.Chunk { return shutdown })
	require.NoError(t, p.A.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrZ, Data: d}))
	require.Equal(t, association.StateShutdownReceived, p.A.State())
	all := &chunk.SACK{CumTSNAck: cum, ARwnd: 1 << 20,
		GapBlocks: []chunk.GapBlock{{Start: 2, End: uint16(last.Sub(cum))}}}
	pairs := (hostileDatagram - 12) / (all.Len() + shutdown.Len())
	d, n := datagram(headerZA(aTag), hostileDatagram, func(i int) chunk.Chunk {
		switch {
		case i >= 2*pairs:
			return nil
		case i%2 == 0:
			return all
		}
		return shutdown
	})
	for range 3 {
		before := association.SACKVisits(p.A)
		require.NoError(t, p.A.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrZ, Data: d}))
		require.LessOrEqual(t, association.SACKVisits(p.A)-before, uint64(4*outstanding),
			"entries visited for a datagram of %d SACK and SHUTDOWN chunks", n)
		require.Equal(t, 1, p.A.Outstanding(), "only the first chunk is not acknowledged")
	}
	require.Equal(t, association.StateShutdownReceived, p.A.State())
}

// A peer repeating one SACK in datagram after datagram (here one that
// gap-acknowledges all but the first of 2,601 chunks outstanding) makes
// the sender change nothing after the first: a repeated SACK is processed
// in constant time, without a walk over the retransmission queue (RFC
// 9260 Section 7.2.4: it newly acknowledges nothing, so it brings no miss
// indication either). Before, each datagram of one SACK visited the whole
// queue twice (5,203 entries for 2,601 chunks).
func TestHostileCPURepeatedSACK(t *testing.T) {
	const outstanding = 2601
	p, cum := hostilePair(t, 913, manyOutstanding)
	last := outstandingChunks(t, p, cum, outstanding)
	aTag, _ := p.A.Tags()
	sack := packetOf(headerZA(aTag), &chunk.SACK{CumTSNAck: cum, ARwnd: 1 << 20,
		GapBlocks: []chunk.GapBlock{{Start: 2, End: uint16(last.Sub(cum))}}})
	require.NoError(t, p.A.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrZ, Data: sack}))
	before := association.SACKVisits(p.A)
	for range 1000 {
		require.NoError(t, p.A.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrZ, Data: sack}))
	}
	require.Zero(t, association.SACKVisits(p.A)-before, "entries visited for 1,000 repeated SACKs")
	require.Equal(t, outstanding, p.A.Status().UnackData)
	require.Equal(t, association.StateEstablished, p.A.State())
	// The window still follows the peer's a_rwnd (RFC 9260 Section 6.2.1
	// rule D ii).
	sack = packetOf(headerZA(aTag), &chunk.SACK{CumTSNAck: cum, ARwnd: 1 << 19,
		GapBlocks: []chunk.GapBlock{{Start: 2, End: uint16(last.Sub(cum))}}})
	require.NoError(t, p.A.HandleDatagram(&association.Datagram{Now: p.Now, From: p.AddrZ, Data: sack}))
	require.Equal(t, 1<<19-1, p.A.Status().Rwnd, "a_rwnd less the one byte outstanding")
}

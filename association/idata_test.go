package association_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// interleavedPair returns a pair with scenarioConfigs and Interleaving on
// both sides after the handshake.
func interleavedPair(t *testing.T, seed uint64) (*associationtest.Pair, *capture) {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	cfgA.Interleaving, cfgZ.Interleaving = true, true
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	return p, c
}

// iDataOf returns the I-DATA chunks A sent in c, each TSN once, in the
// order they were first sent.
func iDataOf(t *testing.T, c *capture) []chunk.IData {
	t.Helper()
	seen := map[chunk.TSN]bool{}
	var out []chunk.IData
	for _, sp := range c.with(associationtest.AddrA, chunk.TypeIData) {
		it := sp.pkt.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			var d chunk.IData
			if r.Type != chunk.TypeIData {
				continue
			}
			parseChunk(t, r, &d)
			if !seen[d.TSN] {
				seen[d.TSN] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// TestIDataNegotiation checks RFC 8260 Section 2.2.1: I-DATA is listed in
// the Supported Extensions parameter only when asked for, with
// I-FORWARD-TSN when PR-SCTP is on, and used only when both ends list
// it; PR-SCTP with it needs both to list I-FORWARD-TSN (Section 2.3.1).
func TestIDataNegotiation(t *testing.T) {
	all := []chunk.Type{chunk.TypeForwardTSN, chunk.TypeReConfig, chunk.TypeIData, chunk.TypeIForwardTSN, chunk.TypeAuth}
	plain := []chunk.Type{chunk.TypeForwardTSN, chunk.TypeReConfig, chunk.TypeAuth}
	for _, tc := range []struct {
		name         string
		onA, onZ     bool
		prOffZ       bool
		extA, extZ   []chunk.Type
		interleaving bool
		pr           bool
	}{
		{"off by default", false, false, false, plain, plain, false, true},
		{"both", true, true, false, all, all, true, true},
		{"A only", true, false, false, all, plain, false, true},
		{"Z only", false, true, false, plain, all, false, true},
		{"Z without PR-SCTP", true, true, true, all,
			[]chunk.Type{chunk.TypeReConfig, chunk.TypeIData, chunk.TypeAuth}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgA, cfgZ := scenarioConfigs(3)
			cfgA.Interleaving, cfgZ.Interleaving = tc.onA, tc.onZ
			cfgZ.PartialReliabilityDisabled = tc.prOffZ
			p, c := newScenarioPair(t, 3, cfgA, cfgZ)
			require.NoError(t, p.Handshake())
			require.Equal(t, tc.extA, offerOf(initParamsOf(t, c, associationtest.AddrA, chunk.TypeInit)).extensions)
			require.Equal(t, tc.extZ, offerOf(initParamsOf(t, c, associationtest.AddrZ, chunk.TypeInitAck)).extensions)
			require.Equal(t, tc.interleaving, p.A.Interleaving())
			require.Equal(t, tc.interleaving, p.Z.Interleaving())
			require.Equal(t, tc.pr, p.A.PartialReliability())
			require.Equal(t, tc.pr, p.Z.PartialReliability())
			msg := bytes.Repeat([]byte("m"), 3000)
			got := sendAndDeliver(t, p, msg)
			require.Equal(t, msg, got.Data)
			want, other := chunk.TypeData, chunk.TypeIData
			if tc.interleaving {
				want, other = other, want
			}
			require.NotZero(t, c.count(associationtest.AddrA, want))
			require.Zero(t, c.count(associationtest.AddrA, other), "DATA and I-DATA mixed")
		})
	}
}

// TestIDataOnTheWire checks the I-DATA chunks of RFC 8260 Section 2.2.2:
// a MID per stream for ordered and one for unordered messages, FSNs from
// 0 per message, the PPID in the first fragment only, and what the
// receiver reports.
func TestIDataOnTheWire(t *testing.T) {
	p, c := interleavedPair(t, 4)
	sends := []association.SendInfo{
		{Stream: 1, PPID: 11}, {Stream: 1, PPID: 12, Unordered: true}, {Stream: 1, PPID: 13}, {Stream: 2, PPID: 14},
	}
	for i, s := range sends {
		require.NoError(t, p.A.Send(p.Now, s, bytes.Repeat([]byte{byte('a' + i)}, 3000)))
	}
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == len(sends) }))
	type frag struct {
		sid      chunk.StreamID
		u        bool
		mid      chunk.MID
		fsn      chunk.FSN
		ppid     chunk.PPID
		b, e     bool
		firstUse bool
	}
	var got []frag
	for _, d := range iDataOf(t, c) {
		require.Zero(t, d.Reserved)
		got = append(got, frag{sid: d.StreamID, u: d.Flags.Has(chunk.FlagUnordered), mid: d.MID, fsn: d.FSN,
			ppid: d.PPID, b: d.Flags.Has(chunk.FlagBeginning), e: d.Flags.Has(chunk.FlagEnd)})
	}
	// Three fragments per 3000-byte message at the default MTU (the
	// scheduler interleaves the messages of streams 1 and 2).
	var want []frag
	mids := map[[2]int]chunk.MID{}
	for _, s := range sends {
		k := [2]int{int(s.Stream), 0}
		if s.Unordered {
			k[1] = 1
		}
		mid := mids[k]
		mids[k]++
		for fsn := range 3 {
			f := frag{sid: s.Stream, u: s.Unordered, mid: mid, fsn: chunk.FSN(fsn), b: fsn == 0, e: fsn == 2}
			if fsn == 0 {
				f.ppid = s.PPID
			}
			want = append(want, f)
		}
	}
	require.ElementsMatch(t, want, got)
	ms := messagesOf(p.DeliveredZ)
	for _, m := range ms {
		switch m.PPID {
		case 11:
			require.Equal(t, chunk.MID(0), m.MID)
		case 12:
			require.Equal(t, chunk.MID(0), m.MID)
			require.True(t, m.Unordered)
		case 13:
			require.Equal(t, chunk.MID(1), m.MID)
			require.Equal(t, chunk.SSN(1), m.SSN, "the lower 16 bits of the MID (RFC 8260 Section 4.1)")
		}
	}
}

// TestIDataWrongKindAborts: RFC 8260 Section 2.2.3, a DATA chunk on an
// association that negotiated I-DATA, or an I-DATA chunk on one that did
// not, aborts the association with a Protocol Violation; likewise
// FORWARD TSN and I-FORWARD-TSN (Section 2.3.1).
func TestIDataWrongKindAborts(t *testing.T) {
	for _, tc := range []struct {
		name         string
		interleaving bool
		c            chunk.Chunk
	}{
		{"DATA with I-DATA", true, &chunk.Data{TSN: 0, Flags: chunk.FlagBeginning | chunk.FlagEnd, UserData: []byte("x")}},
		{"I-DATA without", false, &chunk.IData{TSN: 0, Flags: chunk.FlagBeginning | chunk.FlagEnd, UserData: []byte("x")}},
		{"FORWARD TSN with I-FORWARD-TSN", true, &chunk.ForwardTSN{}},
		{"I-FORWARD-TSN with FORWARD TSN", false, &chunk.IForwardTSN{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgA, cfgZ := scenarioConfigs(5)
			cfgA.Interleaving, cfgZ.Interleaving = tc.interleaving, tc.interleaving
			p, c := newScenarioPair(t, 5, cfgA, cfgZ)
			require.NoError(t, p.Handshake())
			zTag, _ := p.Z.Tags()
			switch d := tc.c.(type) {
			case *chunk.Data:
				d.TSN = association.CumTSN(p.Z) + 1
			case *chunk.IData:
				d.TSN = association.CumTSN(p.Z) + 1
			case *chunk.ForwardTSN:
				d.NewCumTSN = association.CumTSN(p.Z) + 1
			case *chunk.IForwardTSN:
				d.NewCumTSN = association.CumTSN(p.Z) + 1
			}
			forge(p, associationtest.AddrA, associationtest.AddrZ, headerAZ(zTag), tc.c)
			p.Run(time.Second)
			require.Equal(t, association.StateClosed, p.Z.State())
			aborts := c.with(associationtest.AddrZ, chunk.TypeAbort)
			require.Len(t, aborts, 1)
			soleCause[*chunk.ProtocolViolationCause](t, aborts[0], chunk.TypeAbort)
		})
	}
}

// TestIDataScenarios plays the randomized scenarios of
// TestPropertyDeliveredExactlyOnce (loss, duplication, reordering,
// corruption, ordered and unordered messages of up to 256 KiB on up to 64
// streams, both ways) with I-DATA.
func TestIDataScenarios(t *testing.T) {
	n := 40
	if testing.Short() {
		n = 8
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		sc := associationtest.RandomScenario(seed)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			cfgA := associationtest.ImpairedConfig(sc.Seed*2+1, 5000, 5001)
			cfgZ := associationtest.ImpairedConfig(sc.Seed*2+2, 5001, 5000)
			cfgA.Interleaving, cfgZ.Interleaving = true, true
			p, err := sc.Run(cfgA, cfgZ)
			require.NoError(t, err)
			require.True(t, association.UsesIData(p.A) && association.UsesIData(p.Z))
		})
	}
}

// TestIDataInterleavingHeadOfLine measures the head-of-line blocking RFC
// 8260 removes: A queues a 10 MB message on stream 1, then 20 messages of
// 100 bytes on stream 2. With DATA the small messages wait for the last
// fragment of the large one; with I-DATA the round-robin scheduler
// interleaves them (RFC 8260 Section 2.2.2), so that they arrive while
// the large message is still in flight, each within a few round trips.
func TestIDataInterleavingHeadOfLine(t *testing.T) {
	for _, interleaving := range []bool{false, true} {
		t.Run(fmt.Sprintf("interleaving=%v", interleaving), func(t *testing.T) {
			cfgA, cfgZ := scenarioConfigs(6)
			cfgA.Interleaving, cfgZ.Interleaving = interleaving, interleaving
			cfgA.SendBuffer = 16 << 20
			cfgA.NoDelay = true // no Nagle wait on the tail of either
			p, c := newScenarioPair(t, 6, cfgA, cfgZ)
			require.NoError(t, p.Handshake())
			start := p.Now
			var smallLast, largeEnd time.Duration
			small := 0
			p.OnDeliver = func(toZ bool, d association.Delivery) {
				if !toZ || d.Event != nil {
					return
				}
				switch m := d.Message; {
				case m.Stream == 2:
					small++
					smallLast = p.Now.Sub(start)
				case m.EndOfRecord:
					largeEnd = p.Now.Sub(start)
				}
			}
			large := bytes.Repeat([]byte("L"), 10<<20)
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, large))
			for range 20 {
				require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 2}, bytes.Repeat([]byte("s"), 100)))
			}
			require.True(t, p.RunUntil(time.Minute, func() bool { return small == 20 && largeEnd > 0 }))
			t.Logf("I-DATA %v: last 100-byte message after %v, the 10 MB message after %v", interleaving, smallLast, largeEnd)
			if interleaving {
				require.Less(t, smallLast, largeEnd/2, "small messages waited for the large one")
				require.Zero(t, c.count(associationtest.AddrA, chunk.TypeData))
			} else {
				require.GreaterOrEqual(t, smallLast, largeEnd, "small messages overtook the large one with DATA")
			}
		})
	}
}

// TestIDataInterleavedLargeMessagesFillTheBuffer: messages of several
// streams interleaved, each below the partial delivery point, fill the
// receive buffer together; the receiver starts their partial deliveries
// (relieve) instead of waiting for ever for a message to complete.
func TestIDataInterleavedLargeMessagesFillTheBuffer(t *testing.T) {
	cfgA, cfgZ := scenarioConfigs(7)
	cfgA.Interleaving, cfgZ.Interleaving = true, true
	cfgA.SendBuffer = 4 << 20
	cfgZ.ReceiveBuffer = 256 << 10 // partial delivery point 128 KiB
	p, _ := newScenarioPair(t, 7, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	const streams, size = 4, 100 << 10
	got := make([]int, streams)
	done := 0
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ && d.Event == nil {
			got[d.Message.Stream] += len(d.Message.Data)
			if d.Message.EndOfRecord {
				done++
			}
		}
	}
	for sid := range streams {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: chunk.StreamID(sid)}, bytes.Repeat([]byte{byte(sid)}, size)))
	}
	require.True(t, p.RunUntil(time.Minute, func() bool { return done == streams }),
		"stalled: received %v of %d each", got, size)
	require.Equal(t, []int{size, size, size, size}, got)
}

// TestIDataStreamResetResetsMIDs: RFC 8260 Section 2.3.2, "When an
// association resets the SSN using the SCTP extension defined in
// [RFC6525], the two counters (one for the ordered messages, one for the
// unordered messages) used for the MIDs MUST be reset to 0": after A
// resets stream 1, its ordered and unordered messages start again at MID
// 0, and Z, which reset its side, delivers them.
func TestIDataStreamResetResetsMIDs(t *testing.T) {
	p, c := interleavedPair(t, 9)
	send := func(data string, unordered bool) {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1, Unordered: unordered}, []byte(data)))
	}
	send("o0", false)
	send("o1", false)
	send("u0", true)
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 3 }))
	require.NoError(t, p.A.ResetStreams(p.Now, []chunk.StreamID{1}))
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(resetEvents(p.DeliveredA)) == 1 }))
	since := p.Now
	send("o0'", false)
	send("u0'", true)
	require.True(t, p.RunUntil(10*time.Second, func() bool { return len(messagesOf(p.DeliveredZ)) == 5 }))
	var mids []string
	for _, d := range iDataOf(t, c.since(since)) {
		mids = append(mids, fmt.Sprintf("%s:%d:%v", d.UserData, d.MID, d.Flags.Has(chunk.FlagUnordered)))
	}
	require.ElementsMatch(t, []string{"o0':0:false", "u0':0:true"}, mids)
	ms := messagesOf(p.DeliveredZ)[3:]
	require.ElementsMatch(t, []string{"o0'@0", "u0'@0"}, []string{
		fmt.Sprintf("%s@%d", ms[0].Data, ms[0].MID), fmt.Sprintf("%s@%d", ms[1].Data, ms[1].MID)})
}

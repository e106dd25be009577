package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/sim"
	"github.com/stretchr/testify/require"
)

// nagleDeliveredBy runs p until Z has n messages more than before and
// returns when, failing after limit.
func nagleDeliveredBy(t *testing.T, p *associationtest.Pair, before, n int, limit time.Duration) time.Duration {
	t.Helper()
	start := p.Now
	require.True(t, p.RunUntil(limit, func() bool { return len(messagesOf(p.DeliveredZ)) >= before+n }),
		"%d messages not delivered within %v", n, limit)
	return time.Duration(p.Now - start)
}

// A sender that writes twice before it reads, Nagle on (the default),
// against a peer that delays its SACK (the default 200 ms, every second
// packet): the first message goes with nothing in flight, the second
// does not wait for the SACK of the first, which Z would send only at its
// timer, but goes at once and asks for an immediate SACK (RFC 9260
// Section 6.2, the I bit). Both arrive within a millisecond and a link
// delay; with classic Nagle the second arrived 2 link delays and
// SACK.Delay later.
func TestNagleWriteWriteNoStall(t *testing.T) {
	const seed = 330
	p, c := warmPair(t, seed)
	p.Run(time.Second)
	before, start := len(messagesOf(p.DeliveredZ)), p.Now
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("request, part 1")))
	p.Run(time.Millisecond)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("request, part 2")))
	nagleDeliveredBy(t, p, before, 2, time.Second)
	require.Equal(t, start.Add(time.Millisecond+scenarioLink.Delay), p.Now, "no wait for Z's delayed SACK")
	data := c.since(start).with(p.AddrA, chunk.TypeData)
	require.Len(t, data, 2)
	require.False(t, dataOf(t, data[0])[0].Flags.Has(chunk.FlagImmediate), "the first asks for nothing")
	require.True(t, dataOf(t, data[1])[0].Flags.Has(chunk.FlagImmediate), "the second asks for an immediate SACK")
	// Z answers the I bit at once.
	sacks := c.since(start).with(p.AddrZ, chunk.TypeSACK)
	require.NotEmpty(t, sacks)
	require.Equal(t, start.Add(time.Millisecond+scenarioLink.Delay), sacks[0].at)
}

// The tail of a message larger than a few packets, Nagle on: the full
// packets go, and its last fragment (less than a packet) does not wait
// behind them until every one is acknowledged (Z sits on an odd last
// packet for SACK.Delay): it goes with them, asking for an immediate
// SACK. For 1 to 8 full packets and a tail, the whole message is
// delivered in a few round trips, never after SACK.Delay.
func TestNagleMessageTailNoStall(t *testing.T) {
	for full := 1; full <= 8; full++ {
		p, _ := warmPair(t, uint64(340+full))
		p.Run(time.Second)
		before := len(messagesOf(p.DeliveredZ))
		fp := p.A.Status().FragmentationPoint
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(full, full*fp+fp/3)))
		took := nagleDeliveredBy(t, p, before, 1, time.Second)
		require.Less(t, took, 4*2*scenarioLink.Delay, "%d full packets and a tail: %v", full, took)
	}
}

// Messages of 100 bytes written faster than the path takes them, Nagle
// on: at most one small packet asks for an immediate SACK per round trip,
// the others wait and go bundled; the last is delivered well within
// SACK.Delay of its write.
func TestNagleSmallMessagesBundled(t *testing.T) {
	const seed, n, size = 350, 400, 100
	p, c := warmPair(t, seed)
	p.Run(time.Second)
	before, start := len(messagesOf(p.DeliveredZ)), p.Now
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(i, size)))
		p.Run(100 * time.Microsecond)
	}
	took := nagleDeliveredBy(t, p, before, n, time.Second)
	require.Less(t, took, association.DefaultSACKDelay/2, "after the last write")
	data := c.since(start).with(p.AddrA, chunk.TypeData)
	probes := 0
	for _, d := range data {
		if dataOf(t, d)[0].Flags.Has(chunk.FlagImmediate) {
			probes++
		}
	}
	rtts := int(time.Duration(p.Now-start)/(2*scenarioLink.Delay)) + 1
	require.LessOrEqual(t, probes, rtts, "at most one probe per round trip")
	require.Less(t, len(data), n/4, "bundled: %d packets for %d messages", len(data), n)
}

// While Z reports a gap it acknowledges every packet at once (RFC 9260
// Section 7.2.4), so Nagle does not ask for it: a small message written
// then waits without the I bit, as classic Nagle has it, until
// everything in flight is acknowledged.
func TestNagleNoProbeWhileGapReported(t *testing.T) {
	const seed = 360
	p, c := warmPair(t, seed)
	p.Run(time.Second)
	dropped := false
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if dropped || d.From != p.AddrA {
			return sim.Pass
		}
		pkt, err := packet.Parse(append([]byte(nil), d.Data...), packet.Options{AcceptZeroChecksum: true})
		require.NoError(t, err)
		if sp := (&sentPacket{pkt: pkt}); sp.has(chunk.TypeData) {
			dropped = true
			return sim.Drop
		}
		return sim.Pass
	})
	before, start := len(messagesOf(p.DeliveredZ)), p.Now
	fp := p.A.Status().FragmentationPoint
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(0, 3*fp)))
	// The second and third packets arrive, the first is lost: Z's SACK
	// reports the gap.
	require.True(t, p.RunUntil(time.Second, func() bool { return p.A.Stats().GapReportsReceived > 0 }))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(1, 100)))
	nagleDeliveredBy(t, p, before, 2, 5*time.Second)
	data := c.since(start).with(p.AddrA, chunk.TypeData)
	last := data[len(data)-1]
	require.Len(t, dataOf(t, last), 1, "the small message")
	require.False(t, dataOf(t, last)[0].Flags.Has(chunk.FlagImmediate))
	require.Equal(t, uint64(1), p.A.Stats().Retransmissions, "it went once the loss was repaired")
	for _, d := range data[:len(data)-1] {
		require.NotEqual(t, 100, len(dataOf(t, d)[0].UserData), "not before")
	}
}

package association_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// sacksFrom returns the SACK chunks of the packets sent from addr at or
// after start, with their send times relative to start.
func sacksFrom(t *testing.T, c *capture, addr netip.AddrPort, start timer.Time) ([]chunk.SACK, []time.Duration) {
	t.Helper()
	var out []chunk.SACK
	var at []time.Duration
	for _, sp := range c.since(start).with(addr, chunk.TypeSACK) {
		r, _ := sp.chunk(chunk.TypeSACK)
		var s chunk.SACK
		parseChunk(t, r, &s)
		out = append(out, s)
		at = append(at, sp.at.Sub(start))
	}
	return out, at
}

// warmPair returns an established pair on which one message was already
// delivered and acknowledged (the first DATA of an association is
// acknowledged at once: RFC 9260 Section 5.1), quiet again.
func warmPair(t *testing.T, seed uint64) (*associationtest.Pair, *capture) {
	t.Helper()
	p, c := establishedPair(t, seed)
	sendAndDeliver(t, p, []byte("first"))
	p.Run(time.Second)
	return p, c
}

// RFC 9260 Section 6.2: "An acknowledgement SHOULD be generated for at
// least every second packet (not every second DATA chunk) received and
// SHOULD be generated within 200 ms of the arrival of any unacknowledged
// DATA chunk."
// https://www.rfc-editor.org/rfc/rfc9260#section-6.2
func TestScenarioDelayedSACK(t *testing.T) {
	t.Run("one-packet", func(t *testing.T) {
		const seed = 100
		p, c := warmPair(t, seed)
		start := p.Now
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("one packet")))
		p.Run(time.Second)
		sacks, at := sacksFrom(t, c, p.AddrZ, start)
		require.Len(t, sacks, 1, "seed %d", seed)
		require.Equal(t, scenarioLink.Delay+association.DefaultLoneSACKDelay, at[0],
			"no packet follows: the SACK leaves LoneSACKDelay after the DATA arrived (Z has measured no round trip)")
		require.Len(t, messagesOf(p.DeliveredZ), 2)
	})
	t.Run("one-packet-lone-off", func(t *testing.T) {
		// LoneSACKDelay at SACKDelay: the SACK waits the whole delay.
		const seed = 104
		cfgA, cfgZ := scenarioConfigs(seed)
		cfgZ.LoneSACKDelay = association.DefaultSACKDelay
		p, c := newScenarioPair(t, seed, cfgA, cfgZ)
		require.NoError(t, p.Handshake())
		sendAndDeliver(t, p, []byte("first"))
		p.Run(time.Second)
		start := p.Now
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("one packet")))
		p.Run(time.Second)
		sacks, at := sacksFrom(t, c, p.AddrZ, start)
		require.Len(t, sacks, 1, "seed %d", seed)
		require.Equal(t, scenarioLink.Delay+association.DefaultSACKDelay, at[0],
			"the SACK leaves SACK.Delay after the DATA arrived")
	})
	t.Run("lone-restarts", func(t *testing.T) {
		// With a SACK every 1000 packets (sack_freq), packets that keep
		// coming within LoneSACKDelay of each other hold the SACK back,
		// but not beyond SACK.Delay after the first of them; one that
		// no other follows has it LoneSACKDelay later.
		const seed = 105
		cfgA, cfgZ := scenarioConfigs(seed)
		cfgZ.SACKFrequency = 1000
		cfgA.NoDelay = true
		p, c := newScenarioPair(t, seed, cfgA, cfgZ)
		require.NoError(t, p.Handshake())
		sendAndDeliver(t, p, []byte("first"))
		p.Run(time.Second)
		start := p.Now
		gap := association.DefaultLoneSACKDelay / 2
		n := 0
		for ; time.Duration(n)*gap < 2*association.DefaultSACKDelay+10*gap; n++ {
			require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("paced")))
			p.Run(gap)
		}
		p.Run(time.Second)
		require.Len(t, c.since(start).with(p.AddrA, chunk.TypeData), n, "one packet each")
		_, at := sacksFrom(t, c, p.AddrZ, start)
		require.NotEmpty(t, at)
		require.Equal(t, scenarioLink.Delay+association.DefaultSACKDelay, at[0],
			"SACK.Delay after the first packet, though others kept coming")
		last := scenarioLink.Delay + time.Duration(n-1)*gap
		require.Equal(t, last+association.DefaultLoneSACKDelay, at[len(at)-1],
			"LoneSACKDelay after the last packet")
		for i := 1; i < len(at)-1; i++ {
			require.Equal(t, association.DefaultSACKDelay, at[i]-at[i-1], "SACK %d: one per SACK.Delay while packets come", i)
		}
	})
	t.Run("two-packets", func(t *testing.T) {
		const seed = 101
		p, c := warmPair(t, seed)
		start := p.Now
		full := p.A.Status().FragmentationPoint // one message, one full packet
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(1, full)))
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, numbered(2, full)))
		p.Run(time.Second)
		data := c.since(start).with(p.AddrA, chunk.TypeData)
		require.Len(t, data, 2, "two packets")
		sacks, at := sacksFrom(t, c, p.AddrZ, start)
		require.Len(t, sacks, 1, "seed %d", seed)
		require.Equal(t, scenarioLink.Delay, at[0], "the second packet is acknowledged at once")
		r, _ := data[1].chunk(chunk.TypeData)
		var d chunk.Data
		parseChunk(t, r, &d)
		require.Equal(t, d.TSN, sacks[0].CumTSNAck)
	})
	t.Run("duplicate", func(t *testing.T) {
		// RFC 9260 Section 6.2: "When a packet arrives with duplicate DATA
		// chunk(s) and with no new DATA chunk(s), the endpoint MUST
		// immediately send a SACK chunk with no delay. ... The duplicate
		// TSN number(s) SHOULD be reported in the SACK chunk as
		// duplicate."
		const seed = 102
		p, c := warmPair(t, seed)
		data := c.with(p.AddrA, chunk.TypeData)
		require.Len(t, data, 1)
		dup := append([]byte(nil), data[0].pkt.Bytes()...)
		r, _ := data[0].chunk(chunk.TypeData)
		var d chunk.Data
		parseChunk(t, r, &d)
		start := p.Now
		p.Net.Send(p.Now, p.AddrA, p.AddrZ, dup)
		p.Run(time.Second)
		sacks, at := sacksFrom(t, c, p.AddrZ, start)
		require.Len(t, sacks, 1, "seed %d", seed)
		require.Equal(t, scenarioLink.Delay, at[0], "no delay for a duplicate")
		require.Equal(t, []chunk.TSN{d.TSN}, sacks[0].DupTSNs)
		require.Equal(t, d.TSN, sacks[0].CumTSNAck)
		require.Equal(t, uint64(1), p.Z.Stats().DuplicateTSNs)
		require.Len(t, messagesOf(p.DeliveredZ), 1, "delivered once")
		// The report is not repeated in the next SACK.
		start = p.Now
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, []byte("next")))
		p.Run(time.Second)
		sacks, _ = sacksFrom(t, c, p.AddrZ, start)
		require.Len(t, sacks, 1)
		require.Empty(t, sacks[0].DupTSNs)
	})
}

package association_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/association/associationtest"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Helpers shared by the scenario_*_test.go files: a capture of the packets
// sent on the simulated network, chunk and event matchers, and packet
// forging.

// scenarioLink is the link of the scenario tests: 10 ms each way, perfect.
var scenarioLink = sim.LinkConfig{Delay: 10 * time.Millisecond}

// scenarioConfigs returns configurations for A and Z derived from seed,
// with RTO.Initial = RTO.Min = 1 s and RTO.Max = 8 s so that backoffs are
// easy to follow, heartbeats every 30 s, and the least PROBE_TIMER of
// path MTU discovery (1 s, so that a probe is lost after one RTO: the
// figures of the PMTUD tests count probes of the search, not the 15 s
// default, which TestPMTUDProbeTimerDefault shows).
func scenarioConfigs(seed uint64) (cfgA, cfgZ association.Config) {
	cfgA = associationtest.Config(seed*2+1, 5000, 5001)
	cfgZ = associationtest.Config(seed*2+2, 5001, 5000)
	for _, c := range []*association.Config{&cfgA, &cfgZ} {
		c.RTO = congestion.RTOConfig{Initial: time.Second, Min: time.Second, Max: 8 * time.Second}
		c.PMTUD.ProbeTimer = association.MinPMTUDProbeTimer
	}
	return cfgA, cfgZ
}

// logSeedOnFailure prints the seed of a failed test, so that it can be
// replayed.
func logSeedOnFailure(t *testing.T, seed uint64) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d", seed)
		}
	})
}

// newScenarioPair returns a pair with the given configurations on
// scenarioLink and a capture installed before anything is sent.
func newScenarioPair(t *testing.T, seed uint64, cfgA, cfgZ association.Config) (*associationtest.Pair, *capture) {
	t.Helper()
	logSeedOnFailure(t, seed)
	p, err := associationtest.NewPair(seed, cfgA, cfgZ, scenarioLink)
	require.NoError(t, err, "seed %d", seed)
	return p, capturePackets(p)
}

// newSymmetricScenarioPair is newScenarioPair for an initialization
// collision: two active ends (associationtest.NewSymmetricPair), neither
// connected yet.
func newSymmetricScenarioPair(t *testing.T, seed uint64, cfgA, cfgZ association.Config) (*associationtest.Pair, *capture) {
	t.Helper()
	logSeedOnFailure(t, seed)
	p, err := associationtest.NewSymmetricPair(seed, cfgA, cfgZ, scenarioLink)
	require.NoError(t, err, "seed %d", seed)
	return p, capturePackets(p)
}

// establishedPair returns a pair with scenarioConfigs after the handshake.
func establishedPair(t *testing.T, seed uint64) (*associationtest.Pair, *capture) {
	t.Helper()
	cfgA, cfgZ := scenarioConfigs(seed)
	p, c := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake(), "seed %d", seed)
	return p, c
}

// sentAddr is the address of a simulated endpoint.
type sentAddr = netip.AddrPort

// sentPacket is one datagram handed to the network, whatever became of it
// (a filter or a down link may have dropped it afterwards).
type sentPacket struct {
	at       timer.Time
	from, to netip.AddrPort
	pkt      packet.Packet // parses a private copy of the datagram
}

// has reports whether the packet carries a chunk of type t.
func (s *sentPacket) has(t chunk.Type) bool {
	_, ok := s.chunk(t)
	return ok
}

// chunk returns the first chunk of type t.
func (s *sentPacket) chunk(t chunk.Type) (packet.Raw, bool) {
	it := s.pkt.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		if r.Type == t {
			return r, true
		}
	}
	return packet.Raw{}, false
}

// types returns the chunk types of the packet in order.
func (s *sentPacket) types() []chunk.Type {
	var ts []chunk.Type
	it := s.pkt.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		ts = append(ts, r.Type)
	}
	return ts
}

// capture records every packet sent on a pair's network, with a filter
// that passes everything.
type capture struct {
	pkts []sentPacket
}

// capturePackets installs a capture on p's network. Install it before
// filters that drop, so that it sees the dropped packets too.
func capturePackets(p *associationtest.Pair) *capture {
	c := &capture{}
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		b := append([]byte(nil), d.Data...)
		pkt, err := packet.Parse(b, packet.Options{AcceptZeroChecksum: true})
		if err == nil {
			c.pkts = append(c.pkts, sentPacket{at: d.Sent, from: d.From, to: d.To, pkt: pkt})
		}
		return sim.Pass
	})
	return c
}

// with returns the packets from from that carry a chunk of type t.
func (c *capture) with(from netip.AddrPort, t chunk.Type) []*sentPacket {
	var out []*sentPacket
	for i := range c.pkts {
		if s := &c.pkts[i]; s.from == from && s.has(t) {
			out = append(out, s)
		}
	}
	return out
}

// count returns the number of packets from from that carry a chunk of
// type t.
func (c *capture) count(from netip.AddrPort, t chunk.Type) int { return len(c.with(from, t)) }

// times returns the send times of the packets from from that carry a
// chunk of type t.
func (c *capture) times(from netip.AddrPort, t chunk.Type) []timer.Time {
	var out []timer.Time
	for _, s := range c.with(from, t) {
		out = append(out, s.at)
	}
	return out
}

// since returns a capture of the packets sent at or after t.
func (c *capture) since(t timer.Time) *capture {
	out := &capture{}
	for _, s := range c.pkts {
		if s.at >= t {
			out.pkts = append(out.pkts, s)
		}
	}
	return out
}

// intervals returns the gaps between consecutive times.
func intervals(ts []timer.Time) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i].Sub(ts[i-1]))
	}
	return out
}

// parseChunk parses the chunk r into c and fails the test if it does not
// parse.
func parseChunk(t *testing.T, r packet.Raw, c interface{ Parse([]byte) (int, error) }) {
	t.Helper()
	_, err := c.Parse(r.Bytes)
	require.NoError(t, err)
}

// handshakeParams returns the parameters of the first INIT or INIT ACK
// (typ) that the capture c saw from from.
func handshakeParams(t *testing.T, c *capture, from sentAddr, typ chunk.Type) []chunk.Param {
	t.Helper()
	sps := c.with(from, typ)
	require.NotEmpty(t, sps)
	if typ == chunk.TypeInitAck {
		return ghInitAck(t, sps[0]).Params
	}
	r, _ := sps[0].chunk(typ)
	var in chunk.Init
	parseChunk(t, r, &in)
	return in.Params
}

// soleCause returns the error cause of the ERROR or ABORT chunk (ct) of
// sp, which must carry exactly one cause, of type T.
func soleCause[T chunk.Cause](t *testing.T, sp *sentPacket, ct chunk.Type) T {
	t.Helper()
	r, ok := sp.chunk(ct)
	require.True(t, ok, "no %v", ct)
	var causes []chunk.Cause
	if ct == chunk.TypeAbort {
		var ab chunk.Abort
		parseChunk(t, r, &ab)
		causes = ab.Causes
	} else {
		var oe chunk.OperationError
		parseChunk(t, r, &oe)
		causes = oe.Causes
	}
	require.Len(t, causes, 1)
	c, ok := causes[0].(T)
	require.True(t, ok, "cause %T", causes[0])
	return c
}

// eventsOf returns the events of type T among ds, in order.
func eventsOf[T association.Event](ds []association.Delivery) []T {
	var out []T
	for _, d := range ds {
		if e, ok := d.Event.(T); ok {
			out = append(out, e)
		}
	}
	return out
}

// assocStates returns the states of the AssocChange events among ds.
func assocStates(ds []association.Delivery) []association.AssocChangeState {
	var out []association.AssocChangeState
	for _, e := range eventsOf[*association.AssocChange](ds) {
		out = append(out, e.State)
	}
	return out
}

// messagesOf returns the messages (and message pieces) among ds.
func messagesOf(ds []association.Delivery) []association.Message {
	var out []association.Message
	for _, d := range ds {
		if d.Event == nil {
			out = append(out, d.Message)
		}
	}
	return out
}

// forge sends a hand-built packet with the given header and chunks from
// from to to at the pair's current time.
func forge(p *associationtest.Pair, from, to netip.AddrPort, h packet.Header, cs ...chunk.Chunk) {
	p.Net.Send(p.Now, from, to, packetOf(h, cs...))
}

// packetOf builds a packet with the given header and chunks.
func packetOf(h packet.Header, cs ...chunk.Chunk) []byte {
	var b packet.Builder
	b.Reset(nil, h, 1<<16)
	for _, c := range cs {
		if !b.Add(c) {
			panic(fmt.Sprintf("forge: %v does not fit", c.Type()))
		}
	}
	return b.Finish()
}

// headerAZ returns the common header of a packet from A to Z with tag.
func headerAZ(tag chunk.VerificationTag) packet.Header {
	return packet.Header{SrcPort: 5000, DstPort: 5001, VerificationTag: tag}
}

// headerZA returns the common header of a packet from Z to A with tag.
func headerZA(tag chunk.VerificationTag) packet.Header {
	return packet.Header{SrcPort: 5001, DstPort: 5000, VerificationTag: tag}
}

// sendAndDeliver sends msg from A on stream 0 and runs until Z delivered
// it; it returns the delivered message.
func sendAndDeliver(t *testing.T, p *associationtest.Pair, msg []byte) association.Message {
	t.Helper()
	before := len(messagesOf(p.DeliveredZ))
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, msg))
	require.True(t, p.RunUntil(10*time.Second, func() bool {
		return len(messagesOf(p.DeliveredZ)) > before
	}), "message not delivered; discards %v", p.Discards)
	return messagesOf(p.DeliveredZ)[before]
}

// advertisedWindow is the a_rwnd advertised for free bytes of receive
// buffer when DATA chunks carry avg bytes of user data on average
// (association.PayloadEstimate): the share of it that such chunks fill
// once each is charged association.ChunkOverhead (written out here, 256,
// so that the tests pin it).
func advertisedWindow(free, avg int) uint32 {
	if free <= 0 {
		return 0
	}
	return uint32(int64(free) * int64(avg) / int64(avg+256))
}

// fullSize returns the user data of a full-size DATA chunk on a path of
// MTU mtu: the average assumed before any DATA arrives.
func fullSize(mtu int) int { return mtu - 12 - 16 } // common header, DATA chunk header

package association_test

import (
	"encoding/binary"
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

// Multihoming scenarios beyond multihome_test.go: where SACKs,
// HEARTBEAT ACKs and retransmissions go (RFC 9260 Sections 6.4 and
// 6.4.1), path confirmation (Section 5.4), the exact sequence of address
// events, the potentially-failed state of RFC 7829, per-path PMTU, the
// per-address UDP encapsulation port of RFC 6951 Section 5.1 and one-way
// failures. The pairs have two addresses on each side (a1, a2 and z1, z2
// of multihome_test.go) on disjoint links of 10 ms each way.

// gapEvent is a PaddrChange or AssocChange event, with when it came.
type gapEvent struct {
	at timer.Time
	s  string
}

// gapPair is a two-address pair with a capture of every packet sent and
// a log of the address and association events of each side.
type gapPair struct {
	*associationtest.Pair
	c        *capture
	evA, evZ []gapEvent
	got      map[uint32]int
	seed     uint64
}

// newGapPair returns the pair after the handshake (the second addresses
// are not confirmed yet), with mhConfig (RTO 300 ms, min 200 ms, max 2 s,
// Path.Max.Retrans 3, Association.Max.Retrans 10, HB.interval 1 s) and a
// delayed SACK of 50 ms, well below RTO.Min, so that no T3-rtx expires
// spuriously before a delayed SACK, unless cfgA or cfgZ change it.
func newGapPair(t *testing.T, seed uint64, cfgA, cfgZ func(*association.Config)) *gapPair {
	t.Helper()
	logSeedOnFailure(t, seed)
	ca, cz := mhConfig(seed, 5000, 5001), mhConfig(seed+7, 5001, 5000)
	ca.SACKDelay, cz.SACKDelay = 50*time.Millisecond, 50*time.Millisecond
	if cfgA != nil {
		cfgA(&ca)
	}
	if cfgZ != nil {
		cfgZ(&cz)
	}
	p, err := associationtest.NewMultihomedPair(seed, ca, cz, sim.LinkConfig{Delay: 10 * time.Millisecond},
		[]netip.AddrPort{a1, a2}, []netip.AddrPort{z1, z2})
	require.NoError(t, err)
	g := &gapPair{Pair: p, c: capturePackets(p), got: map[uint32]int{}, seed: seed}
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		var s string
		switch ev := d.Event.(type) {
		case nil:
			if toZ && len(d.Message.Data) >= 4 {
				g.got[binary.BigEndian.Uint32(d.Message.Data)]++
			}
			return
		case *association.PaddrChange:
			s = fmt.Sprintf("%v %v", ev.Addr, ev.State)
		case *association.AssocChange:
			s = ev.State.String()
		default:
			return
		}
		if toZ {
			g.evZ = append(g.evZ, gapEvent{p.Now, s})
		} else {
			g.evA = append(g.evA, gapEvent{p.Now, s})
		}
	}
	require.NoError(t, p.Handshake(), "seed %d", seed)
	return g
}

// confirm runs until both sides confirmed both addresses of the peer.
func (g *gapPair) confirm(t *testing.T) {
	t.Helper()
	require.True(t, g.RunUntil(10*time.Second, func() bool {
		return pathState(g.A, z2) == association.PathActive && pathState(g.Z, a2) == association.PathActive
	}), "seed %d: second addresses not confirmed", g.seed)
}

// send queues message id of size bytes (at least 4) on stream 0 of A.
func (g *gapPair) send(t *testing.T, id uint32, size int) {
	t.Helper()
	b := make([]byte, size)
	binary.BigEndian.PutUint32(b, id)
	require.NoError(t, g.A.Send(g.Now, association.SendInfo{}, b))
}

// cut takes the link between two addresses down (both ways) or up.
func (g *gapPair) cut(x, y netip.AddrPort, down bool) {
	g.Net.SetDown(x, y, down)
	g.Net.SetDown(y, x, down)
}

// names returns the event strings of evs.
func names(evs []gapEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.s
	}
	return out
}

// pathOf returns A's or Z's PathInfo for the peer IP of addr.
func pathOf(t *testing.T, a *association.Association, addr netip.AddrPort) association.PathInfo {
	t.Helper()
	for _, p := range a.Paths() {
		if p.Addr.Addr() == addr.Addr() {
			return p
		}
	}
	t.Fatalf("no path to %v", addr)
	return association.PathInfo{}
}

// dataTSNs returns the TSNs of the DATA chunks of s.
func dataTSNs(t *testing.T, s *sentPacket) []chunk.TSN {
	t.Helper()
	var out []chunk.TSN
	it := s.pkt.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		if r.Type == chunk.TypeData {
			var d chunk.Data
			parseChunk(t, r, &d)
			out = append(out, d.TSN)
		}
	}
	return out
}

// pathStep is a state and error count of a path, and when it began.
type pathStep struct {
	state association.PathState
	errs  int
	at    timer.Time
}

// pathLog records the changes of the state and error count of one path,
// checked after every step of the simulation.
type pathLog []pathStep

// watch records the state of a's path to addr if it changed, and
// returns false (for RunUntil conditions).
func (l *pathLog) watch(now timer.Time, a *association.Association, addr netip.AddrPort) bool {
	for _, p := range a.Paths() {
		if p.Addr.Addr() != addr.Addr() {
			continue
		}
		if n := len(*l); n == 0 || (*l)[n-1].state != p.State || (*l)[n-1].errs != p.ErrorCount {
			*l = append(*l, pathStep{p.State, p.ErrorCount, now})
		}
	}
	return false
}

// steps returns the states and error counts of l as strings.
func (l pathLog) steps() []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = fmt.Sprintf("%v/%d", stateName(s.state), s.errs)
	}
	return out
}

// stateName names a path state; PathState.String calls potentially
// failed "undefined", as gen_sctp has no atom for it.
func stateName(s association.PathState) string {
	if s == association.PathPotentiallyFailed {
		return "pf"
	}
	return s.String()
}

// RFC 9260 Section 6.4: "An endpoint SHOULD transmit reply chunks (e.g.,
// SACK, HEARTBEAT ACK, etc.) to the same destination transport address
// from which it received the DATA or control chunk to which it is
// replying." With A's data on its second path (a2 -> z2), every SACK of
// Z goes z2 -> a2, and none takes the first path.
func TestMultihomeSACKToDataSource(t *testing.T) {
	// Without LoneSACKDelay, for the count below: the last packet of
	// each burst the congestion window lets A send is not SACKed alone.
	g := newGapPair(t, 101, nil, func(c *association.Config) { c.LoneSACKDelay = c.SACKDelay })
	g.confirm(t)
	require.True(t, g.A.SetPrimary(z2.Addr()))
	start := g.Now
	for i := uint32(0); i < 40; i++ {
		g.send(t, i, 1000)
	}
	require.True(t, g.RunUntil(10*time.Second, func() bool { return len(g.got) == 40 }), "seed %d", g.seed)
	g.Run(time.Second) // the last delayed SACK
	c := g.c.since(start)
	var sacks, data int
	for _, s := range c.pkts {
		if s.has(chunk.TypeData) {
			data++
			require.Equal(t, [2]netip.AddrPort{a2, z2}, [2]netip.AddrPort{s.from, s.to}, "DATA on the primary a2 -> z2")
		}
		if s.has(chunk.TypeSACK) {
			sacks++
			require.Equal(t, [2]netip.AddrPort{z2, a2}, [2]netip.AddrPort{s.from, s.to},
				"RFC 9260 Section 6.4: the SACK goes to the source of the DATA")
		}
	}
	require.Equal(t, 40, data, "one message of 1000 bytes per packet")
	// Delayed SACKs: one for every second packet (RFC 9260 Section 6.2),
	// so 20, give or take the first and the last.
	require.GreaterOrEqual(t, sacks, 20)
	require.LessOrEqual(t, sacks, 21)
}

// countFrom counts the packets of c from from to to carrying type t.
func countFrom(c *capture, from, to netip.AddrPort, t chunk.Type) uint64 {
	n := uint64(0)
	for i := range c.pkts {
		if s := &c.pkts[i]; s.from == from && s.to == to && s.has(t) {
			n++
		}
	}
	return n
}

// heartbeatInfo returns the Heartbeat Information of the first HEARTBEAT
// or HEARTBEAT ACK chunk of s.
func heartbeatInfo(t *testing.T, s *sentPacket) []byte {
	t.Helper()
	if r, ok := s.chunk(chunk.TypeHeartbeat); ok {
		var hb chunk.Heartbeat
		parseChunk(t, r, &hb)
		return hb.Info
	}
	r, ok := s.chunk(chunk.TypeHeartbeatAck)
	require.True(t, ok)
	var ack chunk.HeartbeatAck
	parseChunk(t, r, &ack)
	return ack.Info
}

// RFC 9260 Section 8.3: "The receiver of the HEARTBEAT chunk SHOULD
// immediately respond with a HEARTBEAT ACK chunk"; Section 6.4: reply
// chunks go "to the same destination transport address from which it
// received the ... control chunk to which it is replying". Every
// HEARTBEAT ACK goes back to the source of its HEARTBEAT at once, also
// when the HEARTBEAT arrived on another address than it was sent to: A's
// heartbeats for z1 are diverted to z2, and Z answers a1 all the same.
func TestMultihomeHeartbeatAckToSource(t *testing.T) {
	g := newGapPair(t, 102, nil, nil)
	g.confirm(t)
	diverted := 0
	g.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(d.Data); ct == chunk.TypeHeartbeat && d.From == a1 && d.To == z1 {
			d.To = z2
			diverted++
		}
		return sim.Pass
	})
	start := g.Now
	g.Run(10 * time.Second) // idle: heartbeats on every path, both ways
	c := g.c.since(start)
	pairs := map[[2]netip.AddrPort]int{}
	for i := range c.pkts {
		ack := &c.pkts[i]
		if !ack.has(chunk.TypeHeartbeatAck) {
			continue
		}
		info := heartbeatInfo(t, ack)
		var hb *sentPacket
		for j := i - 1; j >= 0 && hb == nil; j-- {
			if s := &c.pkts[j]; s.has(chunk.TypeHeartbeat) && string(heartbeatInfo(t, s)) == string(info) {
				hb = s
			}
		}
		require.NotNil(t, hb, "the HEARTBEAT answered at %v", ack.at)
		// The capture sees the diverted HEARTBEAT before the filter
		// rewrote it: its source is what counts.
		require.Equal(t, hb.from, ack.to, "HEARTBEAT ACK to the source of the HEARTBEAT")
		require.Equal(t, 10*time.Millisecond, ack.at.Sub(hb.at), "answered on arrival")
		pairs[[2]netip.AddrPort{ack.from, ack.to}]++
	}
	require.NotZero(t, diverted)
	// A answers Z's heartbeats on both paths; Z answers A's heartbeats for
	// z2 and the diverted ones for z1 towards a1, from z1 (the local
	// address of its path to a1).
	for _, k := range [][2]netip.AddrPort{{a1, z1}, {a2, z2}, {z1, a1}, {z2, a2}} {
		require.NotZero(t, pairs[k], "HEARTBEAT ACKs %v -> %v", k[0], k[1])
	}
	require.Len(t, pairs, 4, "no HEARTBEAT ACK crosses paths: %v", pairs)
	require.Equal(t, association.PathActive, pathState(g.A, z1), "the diverted heartbeats are answered")
}

// RFC 9260 Section 6.4.1: "When retransmitting data that timed out, if
// the endpoint is multihomed, it needs to consider each source-
// destination address pair in its retransmission selection policy", and
// Section 6.4: "the endpoint SHOULD try to retransmit a chunk that timed
// out to an active destination transport address that is different from
// the last destination address to which the DATA chunk was sent". After
// the first T3-rtx expiry on the cut primary (still active: one error
// of Path.Max.Retrans 3), the lost DATA goes to z2 at once; fresh data
// still goes to the primary while it is active ("an endpoint SHOULD send
// fresh data to the primary path if it is active").
func TestMultihomeRetransmitToAlternate(t *testing.T) {
	g := newGapPair(t, 103, func(c *association.Config) { c.NoDelay = true }, nil)
	g.confirm(t)
	g.Run(2 * time.Second)
	rto := pathOf(t, g.A, z1).RTO
	g.cut(a1, z1, true)
	cut := g.Now
	// Three packets: the initial cwnd of an idle path (RFC 9260 Section
	// 7.2.1: min(4 * PMDCS, max(2 * PMDCS, 4404))) lets them all go.
	for i := uint32(0); i < 3; i++ {
		g.send(t, i, 1000)
	}
	g.Exchange()
	lost := map[chunk.TSN]bool{}
	for _, s := range g.c.since(cut).with(a1, chunk.TypeData) {
		for _, tsn := range dataTSNs(t, s) {
			lost[tsn] = true
		}
	}
	require.Len(t, lost, 3, "three messages sent to the primary z1")
	var first *sentPacket
	require.True(t, g.RunUntil(10*time.Second, func() bool {
		for i := range g.c.pkts {
			if s := &g.c.pkts[i]; s.at >= cut && s.from == a2 && s.has(chunk.TypeData) {
				first = s
				return true
			}
		}
		return false
	}), "seed %d: no retransmission", g.seed)
	require.Equal(t, rto, first.at.Sub(cut), "the first T3-rtx expiry, one RTO after the send")
	require.Equal(t, z2, first.to)
	require.NotEmpty(t, dataTSNs(t, first))
	for _, tsn := range dataTSNs(t, first) {
		require.True(t, lost[tsn], "retransmission of a lost TSN")
	}
	pi := pathOf(t, g.A, z1)
	require.Equal(t, association.PathActive, pi.State, "the primary is still active")
	require.Equal(t, 1, pi.ErrorCount)
	require.True(t, pi.Primary)
	require.Equal(t, uint64(1), g.A.Stats().T3Expirations)
	// Fresh data still goes to the active primary.
	before := len(g.c.with(a1, chunk.TypeData))
	g.send(t, 3, 1000)
	g.RunUntil(time.Second, func() bool { return len(g.got) == 3 })
	fresh := g.c.with(a1, chunk.TypeData)
	require.Greater(t, len(fresh), before, "new DATA on the primary")
	require.Equal(t, z1, fresh[before].to)
	require.Len(t, g.got, 3, "the three retransmitted messages arrived over z2")
}

// RFC 9260 Section 5.4: "1) Any addresses passed to the sender of the
// INIT chunk by its upper layer in the request to initialize an
// association are automatically considered to be CONFIRMED. 2) For the
// receiver of the COOKIE ECHO chunk, the only CONFIRMED address is the
// address to which the packet containing the INIT ACK chunk was sent. 3)
// All other addresses not covered by rules 1 and 2 are considered
// UNCONFIRMED", and "An endpoint MUST NOT send any chunks to an
// UNCONFIRMED address", except HEARTBEATs with a nonce and HEARTBEAT
// ACKs. A's heartbeats to z2 are dropped and the primary is cut: z2 stays
// unconfirmed and carries nothing but HEARTBEAT and HEARTBEAT ACK chunks,
// even once the primary is inactive; when the heartbeats get through,
// z2 is confirmed and the data flows over it.
func TestMultihomeUnconfirmedCarriesNoData(t *testing.T) {
	g := newGapPair(t, 104, nil, nil)
	type st struct {
		addr    netip.AddrPort
		state   association.PathState
		primary bool
	}
	states := func(a *association.Association) []st {
		var out []st
		for _, p := range a.Paths() {
			out = append(out, st{p.Addr, p.State, p.Primary})
		}
		return out
	}
	require.Equal(t, []st{{z1, association.PathActive, true}, {z2, association.PathUnconfirmed, false}}, states(g.A),
		"rule 1: A connected to z1; z2 was only listed in the INIT ACK")
	require.Equal(t, []st{{a1, association.PathActive, true}, {a2, association.PathUnconfirmed, false}}, states(g.Z),
		"rule 2: the INIT ACK went to a1; a2 was only listed in the INIT")
	require.Equal(t, []string{"comm_up"}, names(g.evA))

	drop := g.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(d.Data); ct == chunk.TypeHeartbeat && d.To == z2 {
			return sim.Drop
		}
		return sim.Pass
	})
	g.cut(a1, z1, true)
	for i := uint32(0); i < 20; i++ {
		g.send(t, i, 1000)
	}
	require.True(t, g.RunUntil(time.Minute, func() bool { return pathState(g.A, z1) == association.PathInactive }),
		"seed %d", g.seed)
	g.Run(2 * time.Second)
	require.Equal(t, association.PathUnconfirmed, pathState(g.A, z2))
	require.Equal(t, association.StateEstablished, g.A.State())
	require.Empty(t, g.got)
	only := func(s *sentPacket) bool {
		for _, ty := range s.types() {
			if ty != chunk.TypeHeartbeat && ty != chunk.TypeHeartbeatAck {
				return false
			}
		}
		return true
	}
	toZ2 := 0
	for i := range g.c.pkts {
		if s := &g.c.pkts[i]; s.to == z2 {
			toZ2++
			require.True(t, only(s), "to unconfirmed z2 at %v: %v", s.at, s.types())
		}
	}
	require.NotZero(t, toZ2, "heartbeats probe z2")
	require.Equal(t, []string{"comm_up", "10.0.0.2:9899 addr_unreachable"}, names(g.evA))

	drop()
	confirmedFrom := len(g.c.pkts)
	require.True(t, g.RunUntil(time.Minute, func() bool { return len(g.got) == 20 }), "seed %d: %d of 20", g.seed, len(g.got))
	require.Equal(t, []string{"comm_up", "10.0.0.2:9899 addr_unreachable", "10.0.1.2:9899 addr_confirmed"}, names(g.evA))
	// DATA goes to z2 once it is confirmed, and at once: the
	// retransmissions waiting for the inactive z1 move to the newly
	// active path (RFC 9260 Section 6.4: retransmit "to an active
	// destination transport address").
	var firstData timer.Time
	for _, s := range g.c.pkts[confirmedFrom:] {
		if s.to == z2 && s.has(chunk.TypeData) {
			firstData = s.at
			break
		}
	}
	confirmedAt := g.evA[2].at
	require.NotZero(t, firstData)
	require.Equal(t, confirmedAt, firstData, "DATA as soon as z2 is confirmed")
}

// RFC 9260 Section 5.4: "Upon receipt of the HEARTBEAT ACK chunk, a
// verification is made that the nonce included in the Heartbeat Info
// parameter is the one sent to the address indicated inside the
// Heartbeat Info parameter. When this match occurs, the address that the
// original HEARTBEAT was sent to is now considered CONFIRMED." The
// HEARTBEAT ACKs from z2 have their nonce altered (and their checksum
// fixed): z2 stays unconfirmed, each ACK is discarded, and no
// addr_confirmed event comes; with the nonces left alone it is confirmed.
func TestMultihomeWrongNonceLeavesUnconfirmed(t *testing.T) {
	g := newGapPair(t, 105, nil, nil)
	altered := 0
	undo := g.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, _ := sim.FirstChunkType(d.Data); ct != chunk.TypeHeartbeatAck || d.From != z2 || d.To != a2 {
			return sim.Pass
		}
		// Common header (12), chunk header (4), Heartbeat Info parameter
		// header (4), our path index (4): the nonce is the next 8 bytes.
		b := append([]byte(nil), d.Data...)
		b[12+4+4+4] ^= 0x80
		packet.SetChecksum(b)
		d.Data = b
		altered++
		return sim.Pass
	})
	g.Run(5 * time.Second)
	require.NotZero(t, altered)
	require.Equal(t, association.PathUnconfirmed, pathState(g.A, z2))
	require.Equal(t, altered, g.Discards["stale heartbeat nonce"], "each altered HEARTBEAT ACK discarded")
	require.Equal(t, []string{"comm_up"}, names(g.evA))
	require.Equal(t, association.PathActive, pathState(g.Z, a2), "Z's own heartbeats confirmed a2")
	undo()
	require.True(t, g.RunUntil(10*time.Second, func() bool { return pathState(g.A, z2) == association.PathActive }))
	require.Equal(t, []string{"comm_up", "10.0.1.2:9899 addr_confirmed"}, names(g.evA))
}

// at returns the times of evs relative to t0, for the log.
func at(evs []gapEvent, t0 timer.Time) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = fmt.Sprintf("%v@%v", e.s, e.at.Sub(t0))
	}
	return out
}

// The address and association events of both sides, in their exact
// order, through a cut of the primary in the middle of a transfer,
// failover, the heal, and later the loss of every path (RFC 6458
// Section 6.1.2 events for the transitions of RFC 9260 Sections 5.4,
// 8.2 and 8.3: "When the value of this counter exceeds the protocol
// parameter 'Path.Max.Retrans' of that destination address, the
// endpoint SHOULD mark the destination transport address as inactive,
// and a notification SHOULD be sent to the upper layer"; Section 8.1:
// past Association.Max.Retrans the association closes, comm_lost).
func TestMultihomeEventSequence(t *testing.T) {
	g := newGapPair(t, 106, nil, nil)
	g.confirm(t)
	t0 := g.Now
	const n = 300
	id := uint32(0)
	var cutAt timer.Time
	for id < n {
		for g.A.Buffered() < 20000 && id < n {
			g.send(t, id, 1000)
			id++
		}
		g.Run(5 * time.Millisecond)
		if id >= n/3 && cutAt == 0 {
			cutAt = g.Now
			g.cut(a1, z1, true)
		}
	}
	require.True(t, g.RunUntil(time.Minute, func() bool { return len(g.got) == n }), "seed %d", g.seed)
	// Z notices the loss of a1 by its heartbeats (HB.interval 1 s + RTO).
	require.True(t, g.RunUntil(time.Minute, func() bool { return pathState(g.Z, a1) == association.PathInactive }))
	healAt := g.Now
	g.cut(a1, z1, false)
	require.True(t, g.RunUntil(time.Minute, func() bool {
		return pathState(g.A, z1) == association.PathActive && pathState(g.Z, a1) == association.PathActive
	}))
	g.Run(5 * time.Second)
	// Later every path goes down: the alternate first (both sides find
	// out by heartbeats, A's data being on the primary), then, with data
	// in flight, the primary.
	g.cut(a2, z2, true)
	altAt := g.Now
	require.True(t, g.RunUntil(time.Minute, func() bool {
		return pathState(g.A, z2) == association.PathInactive && pathState(g.Z, a2) == association.PathInactive
	}))
	downAt := g.Now
	for i := uint32(n); i < n+10; i++ {
		g.send(t, i, 1000)
	}
	g.cut(a1, z1, true)
	require.True(t, g.RunUntil(10*time.Minute, func() bool {
		return g.A.State() == association.StateClosed && g.Z.State() == association.StateClosed
	}))
	t.Logf("cut at %v, heal at %v, alternate down at %v, all down at %v", cutAt.Sub(t0), healAt.Sub(t0),
		altAt.Sub(t0), downAt.Sub(t0))
	t.Logf("A: %v", at(g.evA, t0))
	t.Logf("Z: %v", at(g.evZ, t0))
	require.Equal(t, []string{
		"comm_up", "10.0.1.2:9899 addr_confirmed",
		"10.0.0.2:9899 addr_unreachable", // cut
		"10.0.0.2:9899 addr_available",   // heal
		"10.0.1.2:9899 addr_unreachable", // the alternate down
		"10.0.0.2:9899 addr_unreachable", // all down
		"comm_lost",
	}, names(g.evA))
	require.Equal(t, []string{
		"comm_up", "10.0.1.1:9899 addr_confirmed",
		"10.0.0.1:9899 addr_unreachable",
		"10.0.0.1:9899 addr_available",
		"10.0.1.1:9899 addr_unreachable",
		"10.0.0.1:9899 addr_unreachable",
		"comm_lost",
	}, names(g.evZ))

	// Timings. A: Path.Max.Retrans + 1 = 4 T3-rtx expiries from RTO 200
	// ms doubling: 200 + 400 + 800 + 1600 ms, plus the sending delay.
	require.LessOrEqual(t, g.evA[2].at.Sub(cutAt), failoverBound(200*time.Millisecond, 2*time.Second, 20*time.Millisecond, 3))
	require.GreaterOrEqual(t, g.evA[2].at.Sub(cutAt), 3*time.Second)
	// Z: four unanswered heartbeats, each HB.interval + RTO +/- 50% RTO
	// after the last.
	require.Greater(t, g.evZ[2].at.Sub(cutAt), 4*time.Second)
	// A comes back with its next heartbeat to z1 (within HB.interval +
	// 1.5 RTO of 200 ms); Z, whose RTO for a1 was backed off to RTO.Max,
	// within HB.interval + 1.5 * RTO.Max.
	require.LessOrEqual(t, g.evA[3].at.Sub(healAt), time.Second+300*time.Millisecond)
	require.LessOrEqual(t, g.evZ[3].at.Sub(healAt), 4*time.Second)
	// All down: A fails after Association.Max.Retrans + 1 = 11 errors,
	// each T3-rtx backing off to RTO.Max.
	require.LessOrEqual(t, g.evA[6].at.Sub(downAt), failoverBound(200*time.Millisecond, 2*time.Second, 20*time.Millisecond, 10))
}

// cutPrimary confirms both paths of g, cuts a1 <-> z1, sends count
// messages of 1000 bytes and runs until cond holds (checked after every
// step), recording the state and error count of A's path to z1.
func (g *gapPair) cutPrimary(t *testing.T, count int, d time.Duration, cond func() bool) (pathLog, timer.Time) {
	t.Helper()
	g.confirm(t)
	g.Run(2 * time.Second)
	var l pathLog
	l.watch(g.Now, g.A, z1)
	g.cut(a1, z1, true)
	cut := g.Now
	for i := 0; i < count; i++ {
		g.send(t, uint32(i), 1000)
	}
	require.True(t, g.RunUntil(d, func() bool { return l.watch(g.Now, g.A, z1) || cond() }), "seed %d: %v", g.seed, l.steps())
	return l, cut
}

// RFC 7829 is off by default (Config.PotentiallyFailed false): under a
// cut the primary goes from active straight to inactive, one error per
// T3-rtx expiry, when its error count exceeds Path.Max.Retrans (RFC 9260
// Section 8.2), and never passes through the potentially-failed state.
// With PFMR >= PMR switched on, the same (RFC 7829 Section 3.2 rule 1:
// "If PFMR is set to be greater than or equal to PMR, the resulting PF
// threshold will be so high that the destination address will reach the
// inactive state before it can be classified as PF").
func TestMultihomePFOffByDefault(t *testing.T) {
	require.False(t, association.Config{}.WithDefaults().PotentiallyFailed)
	for _, tc := range []struct {
		name string
		cfg  func(*association.Config)
	}{
		{"default", nil},
		{"pfmr=pmr", func(c *association.Config) { c.PotentiallyFailed, c.PFMaxRetrans = true, 3 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGapPair(t, 107, tc.cfg, nil)
			l, cut := g.cutPrimary(t, 3, time.Minute, func() bool { return pathState(g.A, z1) == association.PathInactive })
			require.Equal(t, []string{"active/0", "active/1", "active/2", "active/3", "inactive/4"}, l.steps())
			// The first error is the T3-rtx expiry one RTO (200 ms) after
			// the send; the later ones come from T3-rtx expiries of data
			// sent to z1 afterwards and from unanswered heartbeats.
			require.Equal(t, 200*time.Millisecond, l[1].at.Sub(cut))
			t.Logf("errors at %v, %v, %v; inactive at %v after the cut", l[1].at.Sub(cut), l[2].at.Sub(cut),
				l[3].at.Sub(cut), l[4].at.Sub(cut))
			require.Len(t, g.got, 3, "the messages went over z2")
		})
	}
}

// RFC 7829 switched on (PFMR 0, its recommended value). Section 3.2 rule
// 2: "When the value in the destination address error counter exceeds
// PFMR, the endpoint MUST mark the destination address as in the PF
// state"; rule 3: "An SCTP-PF sender SHOULD NOT send data to destination
// addresses in PF state when alternative destination addresses in active
// state are available"; rule 5: "HEARTBEAT chunks are sent to
// destination addresses in PF state once per RTO"; rule 6: "HEARTBEATs
// are sent when a destination address reaches the PF state"; rule 7:
// "When the sender receives a HEARTBEAT ACK from a HEARTBEAT sent to a
// destination address in PF state, the sender SHOULD clear the error
// counter of the destination address and transition the destination
// address back to active state". The PF state is internal: no address
// event reports it (gen_sctp has no atom for it).
func TestMultihomePFBackOnHeartbeatAck(t *testing.T) {
	g := newGapPair(t, 108, func(c *association.Config) { c.PotentiallyFailed, c.NoDelay = true, true }, nil)
	l, cut := g.cutPrimary(t, 3, 10*time.Second, func() bool {
		return pathState(g.A, z1) == association.PathPotentiallyFailed
	})
	pfAt := l[len(l)-1].at
	require.Equal(t, []string{"active/0", "pf/1"}, l.steps(), "PF at the first T3-rtx expiry")
	require.Equal(t, 200*time.Millisecond, pfAt.Sub(cut))
	// Rule 6: a HEARTBEAT goes to z1 at once.
	hbs := g.c.since(pfAt).with(a1, chunk.TypeHeartbeat)
	require.NotEmpty(t, hbs)
	require.Equal(t, pfAt, hbs[0].at, "HEARTBEAT on entering PF")
	// Rule 3: the retransmissions and the fresh data go to z2.
	g.send(t, 3, 1000)
	require.True(t, g.RunUntil(5*time.Second, func() bool { return l.watch(g.Now, g.A, z1) || len(g.got) == 4 }))
	data := 0
	for _, s := range g.c.since(pfAt).pkts {
		if s.has(chunk.TypeData) {
			require.Equal(t, z2, s.to, "DATA at %v avoids the PF primary", s.at)
			data++
		}
	}
	require.Positive(t, data)
	require.Equal(t, association.PathPotentiallyFailed, pathState(g.A, z1))
	// Rule 5: heartbeats once per RTO (doubling with each timeout: RFC
	// 7829 rule 6, "exponentially backs off the RTO value").
	heal := pfAt.Add(time.Second)
	g.RunUntil(heal.Sub(g.Now), func() bool { return l.watch(g.Now, g.A, z1) })
	g.Now = heal
	hbs = g.c.since(pfAt).with(a1, chunk.TypeHeartbeat)
	require.GreaterOrEqual(t, len(hbs), 2)
	require.Equal(t, []time.Duration{400 * time.Millisecond}, intervals([]timer.Time{hbs[0].at, hbs[1].at}),
		"the second HEARTBEAT one (backed-off) RTO after the first")
	g.cut(a1, z1, false)
	healAt := g.Now
	require.True(t, g.RunUntil(10*time.Second, func() bool {
		l.watch(g.Now, g.A, z1)
		return pathState(g.A, z1) == association.PathActive
	}), "seed %d: %v", g.seed, l.steps())
	backAt := g.Now
	// Heartbeats at 0, 400 and 1200 ms after PF (RTO 400 then 800 ms);
	// the first two were lost, each timeout counting an error; the third,
	// after the heal, is answered.
	require.Equal(t, []string{"active/0", "pf/1", "pf/2", "pf/3", "active/0"}, l.steps())
	require.Equal(t, 1200*time.Millisecond+20*time.Millisecond, backAt.Sub(pfAt))
	// The HEARTBEAT ACK that brought z1 back arrived just then.
	var ackAt timer.Time
	for _, s := range g.c.since(healAt).with(z1, chunk.TypeHeartbeatAck) {
		if s.to == a1 {
			ackAt = s.at.Add(10 * time.Millisecond)
			break
		}
	}
	require.Equal(t, backAt, ackAt, "active again when the HEARTBEAT ACK arrives")
	t.Logf("PF %v after the cut; healed %v later; active %v after the heal", pfAt.Sub(cut), healAt.Sub(pfAt), backAt.Sub(healAt))
	require.Equal(t, []string{"comm_up", "10.0.1.2:9899 addr_confirmed"}, names(g.evA), "no event for PF")
	// Fresh data is back on the primary.
	before := len(g.c.with(a1, chunk.TypeData))
	g.send(t, 4, 1000)
	require.True(t, g.RunUntil(time.Second, func() bool { return len(g.got) == 5 }))
	require.Len(t, g.c.with(a1, chunk.TypeData), before+1)
}

// RFC 7829 Section 3.2 rule 1: "The sender maintains a new tunable SCTP
// Protocol Parameter called PotentiallyFailed.Max.Retrans (PFMR). ...
// When this threshold is exceeded, the destination address is
// classified as PF"; rule 8: "Additional PMR - PFMR consecutive timeouts
// on a destination address in PF state confirm the path failure".
// PFMR 1 and 2 with Path.Max.Retrans 3: PF after PFMR + 1 errors,
// inactive after 4, with an addr_unreachable event only for the latter.
func TestMultihomePFThreshold(t *testing.T) {
	for _, tc := range []struct {
		pfmr int
		want []string
	}{
		{1, []string{"active/0", "active/1", "pf/2", "pf/3", "inactive/4"}},
		{2, []string{"active/0", "active/1", "active/2", "pf/3", "inactive/4"}},
	} {
		t.Run(fmt.Sprint("pfmr=", tc.pfmr), func(t *testing.T) {
			g := newGapPair(t, 109, func(c *association.Config) {
				c.PotentiallyFailed, c.PFMaxRetrans, c.NoDelay = true, tc.pfmr, true
			}, nil)
			l, _ := g.cutPrimary(t, 3, time.Minute, func() bool { return pathState(g.A, z1) == association.PathInactive })
			require.Equal(t, tc.want, l.steps())
			require.Equal(t, []string{"comm_up", "10.0.1.2:9899 addr_confirmed", "10.0.0.2:9899 addr_unreachable"}, names(g.evA))
			require.Len(t, g.got, 3)
		})
	}
}

// RFC 7829 can be switched on and off on a live association
// (Reconfigure): switched on, the next cut makes the primary PF; switched
// off while it is PF, the path is active again at once (its errors stay,
// RFC 9260 Section 8.2 takes over) and goes inactive when they exceed
// Path.Max.Retrans, with the addr_unreachable event.
func TestMultihomePFSwitch(t *testing.T) {
	g := newGapPair(t, 110, func(c *association.Config) { c.NoDelay = true }, nil)
	cfg := g.A.Config()
	require.False(t, cfg.PotentiallyFailed)
	cfg.PotentiallyFailed = true
	require.NoError(t, g.A.Reconfigure(g.Now, cfg))
	l, _ := g.cutPrimary(t, 3, 10*time.Second, func() bool { return pathState(g.A, z1) == association.PathPotentiallyFailed })
	require.Equal(t, []string{"active/0", "pf/1"}, l.steps())
	cfg.PotentiallyFailed = false
	require.NoError(t, g.A.Reconfigure(g.Now, cfg))
	l.watch(g.Now, g.A, z1)
	require.True(t, g.RunUntil(time.Minute, func() bool {
		return l.watch(g.Now, g.A, z1) || pathState(g.A, z1) == association.PathInactive
	}))
	require.Equal(t, []string{"active/0", "pf/1", "active/1", "active/2", "active/3", "inactive/4"}, l.steps())
	require.Equal(t, []string{"comm_up", "10.0.1.2:9899 addr_confirmed", "10.0.0.2:9899 addr_unreachable"}, names(g.evA))
}

// maxSize returns the size of the largest packet of c from from to to
// that carries a DATA chunk.
func maxSize(c *capture, from, to netip.AddrPort) int {
	n := 0
	for i := range c.pkts {
		if s := &c.pkts[i]; s.from == from && s.to == to && s.has(chunk.TypeData) {
			n = max(n, len(s.pkt.Bytes()))
		}
	}
	return n
}

// A path MTU set on one path (gen_sctp sctp_paddrparams spp_pathmtu, RFC
// 6458 Section 8.1.12; here the SCTP packet budget, the IP path MTU less
// the IP and UDP headers) caps the packets on that path only: RFC 9260
// Section 6.9, "the sender ... MUST fragment the user message into
// multiple DATA chunks" that fit the PMTU of the destination. The link
// a2 -> z2 drops anything above 700 bytes; the other path keeps the
// default budget of 1452 bytes.
func TestMultihomePerPathMTU(t *testing.T) {
	g := newGapPair(t, 111, nil, nil)
	g.confirm(t)
	require.NoError(t, g.Net.SetLink(a2, z2, sim.LinkConfig{Delay: 10 * time.Millisecond, MTU: 700}))
	require.NoError(t, g.A.SetPathParams(g.Now, z2.Addr(), association.PathParams{PathMTU: 700}))
	pp, err := g.A.GetPathParams(z2.Addr())
	require.NoError(t, err)
	require.Equal(t, 700, pp.PathMTU)
	require.Equal(t, 700, pathOf(t, g.A, z2).MTU)
	require.Equal(t, association.DefaultMTU, pathOf(t, g.A, z1).MTU)
	require.Equal(t, association.DefaultMTU, pathOf(t, g.Z, a2).MTU, "the peer's own setting is not touched")

	start := g.Now
	id := uint32(0)
	for ; id < 10; id++ {
		g.send(t, id, 5000)
	}
	require.True(t, g.RunUntil(time.Minute, func() bool { return len(g.got) == 10 }))
	require.True(t, g.A.SetPrimary(z2.Addr()))
	for ; id < 20; id++ {
		g.send(t, id, 5000)
	}
	require.True(t, g.RunUntil(time.Minute, func() bool { return len(g.got) == 20 }), "seed %d: %d of 20", g.seed, len(g.got))
	c := g.c.since(start)
	// Full DATA packets: common header 12 + DATA chunk header 16 + user
	// data up to the budget.
	require.Equal(t, association.DefaultMTU, maxSize(c, a1, z1), "z1 keeps the default budget")
	require.Equal(t, 700, maxSize(c, a2, z2), "z2 packets fill exactly its 700-byte budget")
	require.Zero(t, g.Net.LinkStats(a2, z2).DroppedMTU, "nothing exceeded the link MTU")
	for i := uint32(0); i < 20; i++ {
		require.Equal(t, 1, g.got[i], "message %d", i)
	}
	// A budget below MinMTU is refused and changes nothing.
	require.ErrorIs(t, g.A.SetPathParams(g.Now, z2.Addr(), association.PathParams{PathMTU: association.MinMTU - 1}),
		association.ErrInvalidPathParams)
	require.Equal(t, 700, pathOf(t, g.A, z2).MTU)
}

// RFC 6951 Section 5.1: "An SCTP implementation supporting UDP
// encapsulation MUST maintain a remote UDP encapsulation port number per
// destination address for each SCTP association. ... because of
// remapping of ports by NATs, the remote ports associated with different
// remote IP addresses may not be identical, even if they are associated
// with the same stack"; Section 5.4: the port is learned from each valid
// received packet. Z's second address sits behind a NAT that maps its UDP
// port 9899 to 40000 and forwards nothing else: A first uses port 9899
// for z2 (the port of the INIT ACK that listed it), learns 40000 from
// Z's packets from z2, and then reaches z2 there, while z1 keeps 9899.
// When the NAT remaps to 40001, the path to z2 follows and z1 still keeps
// its port.
func TestMultihomePerAddressUDPPort(t *testing.T) {
	g := newGapPair(t, 112, nil, nil)
	public := uint16(40000)
	stale := 0
	g.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		switch {
		case d.From == z2: // outbound through the NAT
			d.From = netip.AddrPortFrom(z2.Addr(), public)
		case d.To.Addr() == z2.Addr() && d.To.Port() == public: // inbound, mapped
			d.To = z2
		case d.To.Addr() == z2.Addr():
			stale++ // no mapping: the NAT drops it
			return sim.Drop
		}
		return sim.Pass
	})
	require.Equal(t, z2, pathOf(t, g.A, z2).Addr, "listed in the INIT ACK from z1:9899")
	g.confirm(t)
	require.Equal(t, netip.AddrPortFrom(z2.Addr(), 40000), pathOf(t, g.A, z2).Addr, "learned from z2's packets")
	require.Equal(t, z1, pathOf(t, g.A, z1).Addr, "z1 keeps its port")
	require.Equal(t, []netip.AddrPort{a1, a2}, []netip.AddrPort{pathOf(t, g.Z, a1).Addr, pathOf(t, g.Z, a2).Addr})

	send := func(from uint32) {
		for i := from; i < from+10; i++ {
			g.send(t, i, 1000)
		}
		require.True(t, g.RunUntil(10*time.Second, func() bool { return len(g.got) == int(from)+10 }),
			"seed %d: %d delivered", g.seed, len(g.got))
	}
	require.True(t, g.A.SetPrimary(z2.Addr()))
	mark := len(g.c.pkts)
	send(0)
	data := 0
	for _, s := range g.c.pkts[mark:] {
		if s.has(chunk.TypeData) {
			require.Equal(t, netip.AddrPortFrom(z2.Addr(), 40000), s.to)
			data++
		}
	}
	require.Positive(t, data)
	// The NAT remaps: the next packets from z2 carry port 40001.
	public = 40001
	dropped := stale
	require.True(t, g.RunUntil(time.Minute, func() bool {
		return pathOf(t, g.A, z2).Addr.Port() == 40001
	}))
	mark = len(g.c.pkts)
	send(10)
	toZ2 := 0
	for _, s := range g.c.pkts[mark:] {
		if s.to.Addr() == z2.Addr() {
			require.Equal(t, uint16(40001), s.to.Port(), "%v at %v", s.types(), s.at)
			toZ2++
		}
	}
	require.Positive(t, toZ2)
	require.Equal(t, z1, pathOf(t, g.A, z1).Addr, "z1 keeps its port")
	require.Equal(t, association.PathActive, pathState(g.A, z2))
	t.Logf("packets the NAT dropped: %d before the remap, %d after", dropped, stale-dropped)
	require.NotZero(t, dropped, "A's first heartbeats to z2:9899")
}

// One-way failures of the primary path: only a1 -> z1 (the data
// direction) or only z1 -> a1 (the SACK direction) is cut while data
// flows. Either way A's DATA to z1 goes unacknowledged (in the SACK
// direction Z receives it, but its SACKs go back "to the same
// destination transport address from which it received the DATA", RFC
// 9260 Section 6.4, and are lost), so A marks z1 inactive after
// Path.Max.Retrans + 1 = 4 T3-rtx expiries, 200 + 400 + 800 + 1600 ms,
// and fails over to z2. Z sees the failure through its heartbeats to a1:
// either its HEARTBEAT or A's HEARTBEAT ACK takes the cut direction, so Z
// marks a1 inactive after four unanswered heartbeats (RFC 9260 Section
// 8.3). Healing the direction brings both back (addr_available).
func TestMultihomeOneWayStates(t *testing.T) {
	for _, dir := range []struct {
		name     string
		from, to netip.AddrPort
	}{{"data direction", a1, z1}, {"sack direction", z1, a1}} {
		t.Run(dir.name, func(t *testing.T) {
			g := newGapPair(t, 113, nil, nil)
			g.confirm(t)
			var la, lz pathLog
			watch := func() bool { la.watch(g.Now, g.A, z1); lz.watch(g.Now, g.Z, a1); return false }
			watch()
			g.Net.SetDown(dir.from, dir.to, true)
			cut := g.Now
			const n = 1500
			id := uint32(0)
			for i := 0; i < 3000 && (len(g.got) < n || pathState(g.Z, a1) != association.PathInactive); i++ {
				for g.A.Buffered() < 5000 && id < n {
					g.send(t, id, 1000)
					id++
				}
				limit := g.Now.Add(10 * time.Millisecond)
				g.RunUntil(10*time.Millisecond, watch)
				g.Now = limit
			}
			require.Len(t, g.got, n, "seed %d", g.seed)
			for i := uint32(0); i < n; i++ {
				require.Equal(t, 1, g.got[i], "message %d", i)
			}
			want := []string{"active/0", "active/1", "active/2", "active/3", "inactive/4"}
			require.Equal(t, want, la.steps(), "A's path to z1")
			require.Equal(t, want, lz.steps(), "Z's path to a1")
			require.Equal(t, 3*time.Second, la[4].at.Sub(cut), "A: four T3-rtx expiries")
			require.Greater(t, lz[4].at.Sub(cut), 4*time.Second, "Z: four heartbeat periods")
			require.Equal(t, association.PathActive, pathState(g.A, z2))
			require.Equal(t, association.PathActive, pathState(g.Z, a2))
			t.Logf("A: z1 inactive %v after the cut; Z: a1 inactive %v after", la[4].at.Sub(cut), lz[4].at.Sub(cut))

			g.Net.SetDown(dir.from, dir.to, false)
			healAt := g.Now
			require.True(t, g.RunUntil(time.Minute, func() bool {
				return pathState(g.A, z1) == association.PathActive && pathState(g.Z, a1) == association.PathActive
			}))
			t.Logf("healed: both active %v later", g.Now.Sub(healAt))
			require.Equal(t, []string{"comm_up", "10.0.1.2:9899 addr_confirmed", "10.0.0.2:9899 addr_unreachable",
				"10.0.0.2:9899 addr_available"}, names(g.evA))
			require.Equal(t, []string{"comm_up", "10.0.1.1:9899 addr_confirmed", "10.0.0.1:9899 addr_unreachable",
				"10.0.0.1:9899 addr_available"}, names(g.evZ))
		})
	}
}

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
	"github.com/gensctp/gensctp/congestion"
	"github.com/gensctp/gensctp/internal/sim"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

var (
	a1 = netip.MustParseAddrPort("10.0.0.1:9899")
	a2 = netip.MustParseAddrPort("10.0.1.1:9899")
	z1 = netip.MustParseAddrPort("10.0.0.2:9899")
	z2 = netip.MustParseAddrPort("10.0.1.2:9899")
)

// mhConfig is a configuration with a quick RTO, so that failover happens
// within seconds of simulated time.
func mhConfig(seed uint64, local, peer uint16) association.Config {
	cfg := associationtest.Config(seed, local, peer)
	cfg.RTO = congestion.RTOConfig{Initial: 300 * time.Millisecond, Min: 200 * time.Millisecond, Max: 2 * time.Second}
	cfg.PathMaxRetrans = 3
	cfg.MaxRetrans = 10
	cfg.HeartbeatInterval = time.Second
	return cfg
}

// mhPair is an established pair with two addresses on each side, A's
// primary path being a1 -> z1, and deliveries recorded.
type mhPair struct {
	*associationtest.Pair
	got     map[uint32]int
	order   []uint32
	events  []string // PaddrChange and AssocChange events of A, in order
	eventsZ []string
	// unreachableAt is when A reported a peer address unreachable.
	unreachableAt timer.Time
}

func newMHPair(t *testing.T, seed uint64) *mhPair {
	t.Helper()
	return newMHPairAddrs(t, seed, []netip.AddrPort{a1, a2}, []netip.AddrPort{z1, z2})
}

// newMHPairAddrs is newMHPair with the given addresses, the first of each
// side making the primary path.
func newMHPairAddrs(t *testing.T, seed uint64, addrsA, addrsZ []netip.AddrPort) *mhPair {
	t.Helper()
	p, err := associationtest.NewMultihomedPair(seed, mhConfig(seed, 5000, 5001), mhConfig(seed+7, 5001, 5000),
		sim.LinkConfig{Delay: 10 * time.Millisecond}, addrsA, addrsZ)
	require.NoError(t, err)
	m := &mhPair{Pair: p, got: map[uint32]int{}}
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		switch ev := d.Event.(type) {
		case nil:
			if toZ {
				id := binary.BigEndian.Uint32(d.Message.Data)
				m.got[id]++
				m.order = append(m.order, id)
			}
		case *association.PaddrChange:
			s := fmt.Sprintf("%v %v", ev.Addr.Addr(), ev.State)
			if toZ {
				m.eventsZ = append(m.eventsZ, s)
			} else {
				m.events = append(m.events, s)
				if ev.State == association.AddrUnreachable && m.unreachableAt == 0 {
					m.unreachableAt = m.Now
				}
			}
		case *association.AssocChange:
			if !toZ {
				m.events = append(m.events, ev.State.String())
			}
		}
	}
	require.NoError(t, p.Handshake(), "seed %d", seed)
	// Let heartbeats confirm the second addresses.
	p.Run(3 * time.Second)
	return m
}

func (m *mhPair) send(t *testing.T, id uint32) {
	b := make([]byte, 1000)
	binary.BigEndian.PutUint32(b, id)
	require.NoError(t, m.A.Send(m.Now, association.SendInfo{Stream: 0}, b))
}

// cut takes the link between two addresses down (both ways) or up.
func (m *mhPair) cut(x, y netip.AddrPort, down bool) {
	m.Net.SetDown(x, y, down)
	m.Net.SetDown(y, x, down)
}

func pathState(a *association.Association, addr netip.AddrPort) association.PathState {
	for _, p := range a.Paths() {
		if p.Addr.Addr() == addr.Addr() {
			return p.State
		}
	}
	return 255
}

// RFC 9260 Section 5.4: addresses listed in INIT and INIT ACK start
// unconfirmed and are confirmed by a HEARTBEAT with a nonce; each path
// sends from its own local address.
func TestMultihomeSetup(t *testing.T) {
	m := newMHPair(t, 1)
	require.Len(t, m.A.Paths(), 2)
	require.Len(t, m.Z.Paths(), 2)
	for _, a := range []*association.Association{m.A, m.Z} {
		for _, p := range a.Paths() {
			require.Equal(t, association.PathActive, p.State, "%v", p.Addr)
			require.Greater(t, p.SRTT, time.Duration(0), "heartbeat RTT measured on %v", p.Addr)
		}
	}
	require.Contains(t, m.events, "10.0.1.2 addr_confirmed")
	require.Contains(t, m.eventsZ, "10.0.1.1 addr_confirmed")
	// Each path uses its own local address: traffic on both disjoint links.
	require.NotZero(t, m.Net.LinkStats(a2, z2).Delivered, "a2 -> z2 used")
	require.NotZero(t, m.Net.LinkStats(z2, a2).Delivered, "z2 -> a2 used")
	require.Zero(t, m.Net.LinkStats(a1, z2).Sent, "no cross traffic a1 -> z2")
	require.Zero(t, m.Net.LinkStats(a2, z1).Sent, "no cross traffic a2 -> z1")
}

// failoverBound is the time a path needs to go inactive after a cut:
// Path.Max.Retrans + 1 consecutive T3 expiries, each RTO doubling from rto
// up to RTO.Max (RFC 9260 Sections 6.3.3 E2 and 8.2), plus, per expiry, up
// to one round trip before new data is on the path again and its T3-rtx
// restarts (retransmissions go first, to the alternate path).
func failoverBound(rto, rtoMax, rtt time.Duration, pmr int) time.Duration {
	var total time.Duration
	for i := 0; i <= pmr; i++ {
		total += rto + rtt
		rto = min(2*rto, rtoMax)
	}
	return total
}

// The primary path is cut in the middle of a transfer: the association
// fails over to the alternate within the bound set by the RTO and
// Path.Max.Retrans, nothing is lost or duplicated, and traffic returns to
// the primary once it heals (RFC 9260 Sections 6.4 and 8.2).
func TestMultihomeFailoverAndBack(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			m := newMHPair(t, seed)
			const n = 600
			id := uint32(0)
			var cutAt timer.Time
			rtoAtCut := time.Duration(0)
			for id < n {
				for m.A.Buffered() < 20000 && id < n {
					m.send(t, id)
					id++
				}
				m.Run(5 * time.Millisecond)
				if id >= n/3 && cutAt == 0 {
					cutAt = m.Now
					rtoAtCut = m.A.Paths()[0].RTO
					m.cut(a1, z1, true)
				}
			}
			require.True(t, m.RunUntil(time.Minute, func() bool { return m.unreachableAt != 0 }),
				"seed %d: the primary never failed", seed)
			failedAt := m.unreachableAt
			ok := m.RunUntil(2*time.Minute, func() bool { return len(m.got) == n })
			require.True(t, ok, "seed %d: %d of %d delivered", seed, len(m.got), n)
			bound := failoverBound(rtoAtCut, 2*time.Second, 20*time.Millisecond, 3)
			t.Logf("seed %d: failover after %v (bound %v from RTO %v)", seed, failedAt.Sub(cutAt), bound, rtoAtCut)
			require.LessOrEqual(t, failedAt.Sub(cutAt), bound, "seed %d", seed)
			for i := uint32(0); i < n; i++ {
				require.Equal(t, 1, m.got[i], "seed %d: message %d", seed, i)
			}
			for i := range m.order {
				require.Equal(t, uint32(i), m.order[i], "seed %d: in order", seed)
			}
			require.Contains(t, m.events, "10.0.0.2 addr_unreachable")

			// Heal: the primary comes back (heartbeat), then data uses it again.
			m.cut(a1, z1, false)
			require.True(t, m.RunUntil(time.Minute, func() bool {
				return pathState(m.A, z1) == association.PathActive
			}), "seed %d: primary back", seed)
			require.Equal(t, "10.0.0.2 addr_available", m.events[len(m.events)-1])
			before := m.Net.LinkStats(a1, z1).Delivered
			for i := 0; i < 20; i++ {
				m.send(t, n+uint32(i))
			}
			m.Run(time.Second)
			require.Greater(t, m.Net.LinkStats(a1, z1).Delivered, before+10, "seed %d: data back on the primary", seed)
		})
	}
}

// One-way failures: only one direction of the primary path is cut.
func TestMultihomeOneWayFailure(t *testing.T) {
	for _, dir := range []struct {
		name     string
		from, to netip.AddrPort
	}{{"data direction", a1, z1}, {"ack direction", z1, a1}} {
		t.Run(dir.name, func(t *testing.T) {
			m := newMHPair(t, 11)
			for i := uint32(0); i < 100; i++ {
				m.send(t, i)
			}
			m.Run(20 * time.Millisecond)
			m.Net.SetDown(dir.from, dir.to, true)
			for i := uint32(100); i < 300; i++ {
				m.send(t, i)
			}
			ok := m.RunUntil(2*time.Minute, func() bool { return len(m.got) == 300 })
			require.True(t, ok, "%d of 300 delivered", len(m.got))
			for i := uint32(0); i < 300; i++ {
				require.Equal(t, 1, m.got[i], "message %d", i)
			}
		})
	}
}

// A flapping primary path: up and down every 700 ms while data flows.
func TestMultihomeFlapping(t *testing.T) {
	m := newMHPair(t, 21)
	id := uint32(0)
	down := false
	next := m.Now.Add(700 * time.Millisecond)
	for id < 1500 {
		for m.A.Buffered() < 10000 && id < 1500 {
			m.send(t, id)
			id++
		}
		m.Run(10 * time.Millisecond)
		if m.Now >= next {
			down = !down
			m.cut(a1, z1, down)
			next = m.Now.Add(700 * time.Millisecond)
		}
	}
	m.cut(a1, z1, false)
	ok := m.RunUntil(5*time.Minute, func() bool { return len(m.got) == 1500 })
	require.True(t, ok, "%d of 1500 delivered", len(m.got))
	for i := range m.order {
		require.Equal(t, uint32(i), m.order[i])
	}
	require.Equal(t, association.StateEstablished, m.A.State())
}

// RFC 9260 Section 8.1: with every path down, the association fails after
// Association.Max.Retrans consecutive retransmissions: comm_lost.
func TestMultihomeAllPathsDown(t *testing.T) {
	m := newMHPair(t, 31)
	for i := uint32(0); i < 50; i++ {
		m.send(t, i)
	}
	m.Run(5 * time.Millisecond)
	start := m.Now
	m.cut(a1, z1, true)
	m.cut(a2, z2, true)
	ok := m.RunUntil(10*time.Minute, func() bool { return m.A.State() == association.StateClosed })
	require.True(t, ok)
	// Association.Max.Retrans = 10: 11 expiries with RTO doubling to 2 s.
	bound := failoverBound(m.A.Config().RTO.Max, 2*time.Second, 20*time.Millisecond, 10)
	require.LessOrEqual(t, m.Now.Sub(start), bound+time.Second)
	require.Equal(t, "comm_lost", m.events[len(m.events)-1], "events %v", m.events)
	// The events came in order: both paths unreachable before comm_lost.
	require.Contains(t, m.events, "10.0.0.2 addr_unreachable")
}

// The user sets the primary path (gen_sctp sctp_primary_addr): data moves
// to it and an addr_made_prim event is reported.
func TestMultihomeSetPrimary(t *testing.T) {
	m := newMHPair(t, 41)
	require.True(t, m.A.SetPrimary(z2.Addr()))
	require.False(t, m.A.SetPrimary(netip.MustParseAddr("192.0.2.9")))
	before := m.Net.LinkStats(a2, z2).Delivered
	for i := uint32(0); i < 50; i++ {
		m.send(t, i)
	}
	m.RunUntil(time.Minute, func() bool { return len(m.got) == 50 })
	require.Greater(t, m.Net.LinkStats(a2, z2).Delivered, before+40)
	m.Pair.Exchange()
	require.Contains(t, m.events, "10.0.1.2 addr_made_prim")
	_ = chunk.TypeData
}

// Peer addresses out of scope are not used: an association bound to
// loopback ignores the non-loopback addresses its peer lists.
func TestMultihomeScope(t *testing.T) {
	l1 := netip.MustParseAddrPort("127.0.0.1:9899")
	l2 := netip.MustParseAddrPort("127.0.0.2:9899")
	other := netip.MustParseAddrPort("10.9.9.9:9899")
	cfgA := mhConfig(51, 5000, 5001)
	cfgA.LocalAddrs = []netip.Addr{l1.Addr()}
	cfgZ := mhConfig(52, 5001, 5000)
	cfgZ.LocalAddrs = []netip.Addr{l2.Addr(), other.Addr()}
	p, err := associationtest.NewMultihomedPair(51, cfgA, cfgZ, sim.LinkConfig{Delay: time.Millisecond},
		[]netip.AddrPort{l1}, []netip.AddrPort{l2, other})
	require.NoError(t, err)
	// NewMultihomedPair sets LocalAddrs from the address lists.
	require.NoError(t, p.Handshake())
	p.Run(5 * time.Second)
	require.Len(t, p.A.Paths(), 1, "the 10.9.9.9 address is out of scope for a loopback-only end")
	require.Zero(t, p.Net.LinkStats(l1, other).Sent)
}

// RFC 7829 (potentially failed, switched on): after PFMR+1 timeouts the
// primary is avoided at once, so new data moves to the alternate after one
// RTO instead of after Path.Max.Retrans timeouts; nothing is lost.
func TestMultihomePotentiallyFailed(t *testing.T) {
	cfgA := mhConfig(61, 5000, 5001)
	cfgA.PotentiallyFailed = true
	p, err := associationtest.NewMultihomedPair(61, cfgA, mhConfig(62, 5001, 5000),
		sim.LinkConfig{Delay: 10 * time.Millisecond}, []netip.AddrPort{a1, a2}, []netip.AddrPort{z1, z2})
	require.NoError(t, err)
	got := map[uint32]int{}
	p.OnDeliver = func(toZ bool, d association.Delivery) {
		if toZ && d.Event == nil {
			got[binary.BigEndian.Uint32(d.Message.Data)]++
		}
	}
	require.NoError(t, p.Handshake())
	p.Run(3 * time.Second)
	send := func(id uint32) {
		b := make([]byte, 1000)
		binary.BigEndian.PutUint32(b, id)
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{}, b))
	}
	for i := uint32(0); i < 100; i++ {
		send(i)
	}
	p.Run(20 * time.Millisecond)
	p.Net.SetDown(a1, z1, true)
	p.Net.SetDown(z1, a1, true)
	cut := p.Now
	for i := uint32(100); i < 300; i++ {
		send(i)
	}
	require.True(t, p.RunUntil(time.Minute, func() bool { return len(got) == 300 }))
	// Everything arrives within a few RTOs, long before Path.Max.Retrans
	// timeouts (3 s) would have failed the primary over.
	require.Less(t, p.Now.Sub(cut), 2*time.Second, "delivered after %v", p.Now.Sub(cut))
	for i := uint32(0); i < 300; i++ {
		require.Equal(t, 1, got[i])
	}
	require.Equal(t, association.PathPotentiallyFailed, pathState(p.A, z1))
}

// newMHConnect is a pair with two addresses on each side, links of the
// given delay, and A about to connect to z1 and z2, in that order (as a
// connectx to both would), bound to a1 and a2.
func newMHConnect(t *testing.T, seed uint64, delay time.Duration) *associationtest.Pair {
	t.Helper()
	p, err := associationtest.NewMultihomedPair(seed, mhConfig(seed, 5000, 5001), mhConfig(seed+7, 5001, 5000),
		sim.LinkConfig{Delay: delay}, []netip.AddrPort{a1, a2}, []netip.AddrPort{z1, z2})
	require.NoError(t, err)
	cfgA := mhConfig(seed, 5000, 5001)
	cfgA.LocalAddrs = []netip.Addr{a1.Addr(), a2.Addr()}
	p.A, err = association.New(cfgA, p.Now, z1, z2)
	require.NoError(t, err)
	return p
}

// A peer given by two addresses, the first unreachable: the INIT's
// retransmission goes to the second (RFC 9260 Section 5.1: "Retransmissions
// of INIT chunks and COOKIE ECHO chunks SHOULD use all addresses of the
// peer"), the association comes up and the address that answered is its
// primary path.
func TestMultihomeInitToNextAddress(t *testing.T) {
	const seed = 11
	handshakeAround(t, newMHConnect(t, seed, 10*time.Millisecond), z1, z2)
}

// handshakeAround connects p's A with every packet to dead lost, and
// checks that the association comes up with live as its primary path and
// that an INIT went to dead.
func handshakeAround(t *testing.T, p *associationtest.Pair, dead, live netip.AddrPort) {
	t.Helper()
	for _, a := range []netip.AddrPort{a1, a2} {
		p.Net.SetDown(a, dead, true)
	}
	require.NoError(t, p.Handshake())
	for _, pi := range p.A.Paths() {
		require.Equal(t, pi.Addr == live, pi.Primary, "%v", pi.Addr)
	}
	require.NotZero(t, p.Net.LinkStats(a1, dead).Sent+p.Net.LinkStats(a2, dead).Sent, "an INIT went to %v", dead)
}

// A peer given by two addresses, the first answering every INIT later than
// T1-init: by the time its INIT ACK comes, the INIT was retransmitted to
// the second, unreachable address. The COOKIE ECHO goes to the address the
// INIT ACK came from, which becomes the primary path, not to the address
// the last INIT went to.
func TestMultihomeLateInitAckCookieToAnsweringAddress(t *testing.T) {
	const seed = 11
	// z1 answers every INIT, only later than T1 (a round trip of 800 ms,
	// an initial RTO of 300 ms).
	handshakeAround(t, newMHConnect(t, seed, 400*time.Millisecond), z2, z1)
}

// The COOKIE ECHO's retransmissions go to the peer's next address too (RFC
// 9260 Section 5.1: "Retransmissions of INIT chunks and COOKIE ECHO chunks
// SHOULD use all addresses of the peer"): every COOKIE ECHO sent to the
// address that answered the INIT is lost, the association comes up through
// the other.
func TestMultihomeCookieEchoToNextAddress(t *testing.T) {
	const seed = 12
	p := newMHConnect(t, seed, 10*time.Millisecond)
	lost := 0
	p.Net.AddFilter(func(d *sim.Datagram) sim.Verdict {
		if ct, ok := sim.FirstChunkType(d.Data); ok && ct == chunk.TypeCookieEcho && d.To.Addr() == z1.Addr() {
			lost++
			return sim.Drop
		}
		return sim.Pass
	})
	require.NoError(t, p.Handshake())
	require.NotZero(t, lost, "the first COOKIE ECHO went to z1")
}

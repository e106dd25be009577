package endpoint_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// muxSetup is a client endpoint (port 5000) in a Mux with idle other
// endpoints (ports 20000 and up), associated with a listening server
// endpoint (port 7), in a World.
type muxSetup struct {
	*setup
	m  *endpoint.Mux
	id endpoint.AssocID // the client's association
}

func newMuxSetup(tb testing.TB, idle int) *muxSetup {
	tb.Helper()
	st := newSetup(tb, 1, nil)
	m := endpoint.NewMux()
	for i := range idle {
		ep, err := endpoint.New(endpointtest.Config(uint64(100+i), uint16(20000+i)), st.w.Now)
		require.NoError(tb, err)
		require.NoError(tb, m.Add(ep))
	}
	require.NoError(tb, m.Add(st.c))
	st.w.Add(addrC, m)
	id, _ := st.connect(tb)
	return &muxSetup{setup: st, m: m, id: id}
}

// change sends a message through Assoc (a dirty mark only: the Mux is
// not called) and has the Mux write it out and compute its next deadline,
// as a stack does after an operation; it returns the endpoints the Mux
// visited.
func (ms *muxSetup) change(tb testing.TB) uint64 {
	v0 := ms.m.Visits()
	send(tb, ms.w.Now, ms.c, ms.id, "m")
	for _, o := range outputs(ms.w.Now, ms.m) { // the DATA, unless it waits for a SACK
		ms.w.Net.Send(ms.w.Now, addrC, o.To, o.Data)
	}
	ms.m.NextDeadline()
	return ms.m.Visits() - v0
}

// What a change costs the Mux does not grow with its idle endpoints
// (sockets sharing a UDP port): the Mux visits the endpoints that were
// called into or changed, not every endpoint for each packet written,
// next deadline and timeout.
func TestMuxVisitsOnlyChangedEndpoints(t *testing.T) {
	one := newMuxSetup(t, 0).change(t)
	many := newMuxSetup(t, 2000).change(t)
	t.Logf("endpoints visited per change: %d with 1 endpoint, %d with 2,000 idle ones besides", one, many)
	require.NotZero(t, one)
	require.LessOrEqual(t, many, 2*one)
}

// A change made through Assoc on an endpoint of a Mux (here a SHUTDOWN
// started by the user) is reported (SetNotify, TakeChanged) once the Mux
// writes out, although the Mux no longer asks every endpoint for a packet.
func TestMuxReportsChangesThroughAssoc(t *testing.T) {
	ms := newMuxSetup(t, 10)
	notified := 0
	ms.c.SetNotify(func() { notified++ })
	ms.c.TakeChanged(nil)
	require.Empty(t, outputs(ms.w.Now, ms.m))
	ms.m.NextDeadline() // the Mux has nothing left to send or re-read
	a, ok := ms.c.Assoc(ms.id)
	require.True(t, ok)
	require.NoError(t, a.Shutdown(ms.w.Now))
	require.Zero(t, notified)
	require.NotEmpty(t, outputs(ms.w.Now, ms.m)) // the SHUTDOWN
	require.Equal(t, 1, notified)
	cs := ms.c.TakeChanged(nil)
	require.Len(t, cs, 1)
	require.Equal(t, ms.id, cs[0].ID)
	require.NotZero(t, cs[0].What&endpoint.StateChanged)
}

// The Mux's deadline is its earliest endpoint's, and HandleTimeout runs
// the timers of the endpoints due: an INIT to a peer that never answers
// is retransmitted when its timer expires (RFC 9260 Section 6.3.3, T1-init
// for an INIT), however many endpoints are idle, and a removed endpoint's
// deadline no longer counts.
func TestMuxDeadlines(t *testing.T) {
	m := endpoint.NewMux()
	var idle []*endpoint.Endpoint
	for i := range 50 {
		ep, err := endpoint.New(endpointtest.Config(uint64(100+i), uint16(20000+i)), 0)
		require.NoError(t, err)
		require.NoError(t, m.Add(ep))
		idle = append(idle, ep)
	}
	rotation := m.NextDeadline()
	require.NotEqual(t, timer.Never, rotation)
	c, err := endpoint.New(endpointtest.Config(1, 5000), 0)
	require.NoError(t, err)
	require.NoError(t, m.Add(c))
	_, err = c.Connect(0, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	require.Len(t, outputs(0, m), 1) // the INIT
	t1 := m.NextDeadline()
	require.Equal(t, c.NextDeadline(), t1)
	require.Less(t, t1, rotation)

	v0 := m.Visits()
	m.HandleTimeout(t1)
	require.Len(t, outputs(t1, m), 1, "the INIT again")
	require.Less(t, m.Visits()-v0, uint64(len(idle)), "the idle endpoints were visited")
	require.Greater(t, m.NextDeadline(), t1)

	require.True(t, m.Remove(5000))
	require.Equal(t, rotation, m.NextDeadline())
	require.Empty(t, outputs(t1, m))
}

// An endpoint belongs to one Mux at a time.
func TestMuxAddTwice(t *testing.T) {
	ep, err := endpoint.New(endpointtest.Config(1, 7), 0)
	require.NoError(t, err)
	a, b := endpoint.NewMux(), endpoint.NewMux()
	require.NoError(t, a.Add(ep))
	require.ErrorIs(t, b.Add(ep), endpoint.ErrInvalidConfig)
	require.True(t, a.Remove(7))
	require.NoError(t, b.Add(ep))
}

// Endpoints lists the endpoints in the order they were added, without
// those removed, an endpoint added again last.
func TestMuxEndpointsInOrder(t *testing.T) {
	m := endpoint.NewMux()
	eps := map[uint16]*endpoint.Endpoint{}
	for _, port := range []uint16{9, 3, 7, 5} {
		ep, err := endpoint.New(endpointtest.Config(uint64(port), port), 0)
		require.NoError(t, err)
		require.NoError(t, m.Add(ep))
		eps[port] = ep
	}
	require.True(t, m.Remove(3))
	require.False(t, m.Remove(3))
	require.NoError(t, m.Add(eps[3]))
	require.True(t, m.Remove(7))
	require.Equal(t, []*endpoint.Endpoint{eps[9], eps[5], eps[3]}, m.Endpoints())
}

// BenchmarkMuxAddRemove: an endpoint added to a Mux and removed (a socket
// opened and closed on a UDP port) with idle endpoints besides: the cost
// stays flat, so that closing many sockets costs linear time, not
// quadratic.
func BenchmarkMuxAddRemove(b *testing.B) {
	for _, n := range []int{0, 20000} {
		b.Run(fmt.Sprintf("idle=%d", n), func(b *testing.B) {
			m := endpoint.NewMux()
			for i := range n {
				ep, err := endpoint.New(endpointtest.Config(uint64(100+i), uint16(20000+i)), 0)
				require.NoError(b, err)
				require.NoError(b, m.Add(ep))
			}
			m.NextDeadline() // settles the idle ones
			ep, err := endpoint.New(endpointtest.Config(1, 7), 0)
			require.NoError(b, err)
			b.ResetTimer()
			for range b.N {
				require.NoError(b, m.Add(ep))
				m.NextDeadline()
				require.True(b, m.Remove(7))
			}
		})
	}
}

// BenchmarkMuxIdleEndpoints: a message sent on one association, written
// out through the Mux, and the Mux's next deadline, with idle endpoints
// besides (one per socket sharing the UDP port): the cost per change,
// and the endpoints visited (visits/op), stay flat.
func BenchmarkMuxIdleEndpoints(b *testing.B) {
	for _, n := range []int{0, 2000} {
		b.Run(fmt.Sprintf("idle=%d", n), func(b *testing.B) {
			ms := newMuxSetup(b, n)
			v := uint64(0)
			b.ResetTimer()
			for i := range b.N {
				v += ms.change(b)
				if i%64 == 63 { // delivered and acknowledged: the buffers empty
					b.StopTimer()
					ms.w.Run(time.Second)
					ms.poll()
					ms.dc, ms.ds = ms.dc[:0], ms.ds[:0]
					b.StartTimer()
				}
			}
			b.ReportMetric(float64(v)/float64(b.N), "visits/op")
		})
	}
}

// TestMuxBoundAddresses checks that an endpoint bound to specific
// addresses takes only the packets sent to one of them: an INIT to
// another local address of the transport (one a wildcard UDP socket
// shared with other endpoints receives) is out of the blue and refused
// with an ABORT from that address (RFC 9260 Section 8.4 rule 3), one to
// its address or to an unknown destination gets its INIT ACK from where
// it was sent.
func TestMuxBoundAddresses(t *testing.T) {
	const port = 7
	cfg := endpointtest.Config(5, port)
	own, other := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	cfg.Assoc.LocalAddrs = []netip.Addr{own}
	ep, err := endpoint.New(cfg, 0)
	require.NoError(t, err)
	ep.Listen(true)
	m := endpoint.NewMux()
	require.NoError(t, m.Add(ep))
	peer := netip.MustParseAddrPort("10.0.0.9:9899")
	for _, tc := range []struct {
		to   netip.Addr
		want chunk.Type
	}{{other, chunk.TypeAbort}, {own, chunk.TypeInitAck}, {netip.Addr{}, chunk.TypeInitAck}} {
		err := m.HandleDatagram(&association.Datagram{From: peer, To: tc.to, Data: build(5000, port, 0, initChunk(1))})
		if tc.want == chunk.TypeAbort {
			var de *endpoint.DropError
			require.ErrorAs(t, err, &de)
			require.Equal(t, endpoint.DropOutOfTheBlue, de.Reason)
		} else {
			require.NoError(t, err)
		}
		out := outputs(0, m)
		require.Len(t, out, 1, "to %v", tc.to)
		_, first := parsed(t, out[0].Data)
		require.Equal(t, tc.want, first.Type, "to %v", tc.to)
		require.Equal(t, tc.to, out[0].From, "the reply leaves from the address the INIT went to")
	}
}

// TestMuxSharedPort checks that endpoints bound to disjoint addresses
// share a port, each taking the packets sent to its addresses, that one
// overlapping them (an address in common, or the wildcard) is refused,
// and that RemoveEndpoint detaches one alone.
func TestMuxSharedPort(t *testing.T) {
	const port = 7
	m := endpoint.NewMux()
	a1, a2 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	add := func(listen bool, addrs ...netip.Addr) (*endpoint.Endpoint, error) {
		cfg := endpointtest.Config(5, port)
		cfg.Assoc.LocalAddrs = addrs
		ep, err := endpoint.New(cfg, 0)
		require.NoError(t, err)
		ep.Listen(listen)
		return ep, m.Add(ep)
	}
	first, err := add(true, a1)
	require.NoError(t, err)
	_, err = add(false, a2)
	require.NoError(t, err, "disjoint addresses")
	_, err = add(true, a2, netip.MustParseAddr("10.0.0.3"))
	require.ErrorIs(t, err, endpoint.ErrPortInUse)
	_, err = add(true)
	require.ErrorIs(t, err, endpoint.ErrPortInUse, "the wildcard overlaps")
	peer := netip.MustParseAddrPort("10.0.0.9:9899")
	answer := func(to netip.Addr) chunk.Type {
		_ = m.HandleDatagram(&association.Datagram{From: peer, To: to, Data: build(5000, port, 0, initChunk(1))})
		out := outputs(0, m)
		require.Len(t, out, 1)
		_, first := parsed(t, out[0].Data)
		return first.Type
	}
	require.Equal(t, chunk.TypeInitAck, answer(a1), "the first endpoint listens")
	require.Equal(t, chunk.TypeAbort, answer(a2), "the second does not")
	require.True(t, m.RemoveEndpoint(first))
	require.False(t, m.RemoveEndpoint(first))
	ep, ok := m.Endpoint(port)
	require.True(t, ok)
	require.NotSame(t, first, ep)
	require.Equal(t, chunk.TypeAbort, answer(a1), "out of the blue")
}

// TestMuxWildcardFamilies checks that a wildcard endpoint leaving a
// family out (Config.NoIPv4, NoIPv6: an inet socket, an inet6 one with
// ipv6_v6only) does not take the packets sent to an address of that
// family, an IPv4-mapped IPv6 address being IPv4, nor, when the
// destination is unknown, those from a peer of that family: they are out
// of the blue unless another endpoint of the port has the family. Two
// wildcard endpoints share a port when their families are disjoint.
func TestMuxWildcardFamilies(t *testing.T) {
	const port = 7
	m := endpoint.NewMux()
	add := func(noIPv4, noIPv6 bool) (*endpoint.Endpoint, error) {
		cfg := endpointtest.Config(5, port)
		cfg.NoIPv4, cfg.NoIPv6 = noIPv4, noIPv6
		ep, err := endpoint.New(cfg, 0)
		require.NoError(t, err)
		ep.Listen(true)
		return ep, m.Add(ep)
	}
	peer4, peer6 := netip.MustParseAddrPort("10.0.0.9:9899"), netip.MustParseAddrPort("[fd00::9]:9899")
	own4, own6 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("fd00::1")
	mapped := netip.AddrFrom16(own4.As16())
	answer := func(from netip.AddrPort, to netip.Addr) chunk.Type {
		err := m.HandleDatagram(&association.Datagram{From: from, To: to, Data: build(5000, port, 0, initChunk(1))})
		out := outputs(0, m)
		require.Len(t, out, 1, "%v -> %v", from, to)
		_, first := parsed(t, out[0].Data)
		if first.Type == chunk.TypeAbort {
			var de *endpoint.DropError
			require.ErrorAs(t, err, &de)
			require.Equal(t, endpoint.DropOutOfTheBlue, de.Reason)
		}
		return first.Type
	}
	_, err := add(true, false) // inet6 with ipv6_v6only
	require.NoError(t, err)
	require.Equal(t, chunk.TypeInitAck, answer(peer6, own6))
	require.Equal(t, chunk.TypeAbort, answer(peer4, own4), "no IPv4")
	require.Equal(t, chunk.TypeAbort, answer(peer4, mapped), "an IPv4-mapped address is IPv4")
	require.Equal(t, chunk.TypeAbort, answer(peer4, netip.Addr{}), "an IPv4 peer, destination unknown")
	_, err = add(false, false)
	require.ErrorIs(t, err, endpoint.ErrPortInUse, "a wildcard of both families overlaps")
	_, err = add(true, false)
	require.ErrorIs(t, err, endpoint.ErrPortInUse, "IPv6 in common")
	_, err = add(false, true) // inet
	require.NoError(t, err, "disjoint families")
	for _, to := range []netip.Addr{own4, mapped, {}} {
		require.Equal(t, chunk.TypeInitAck, answer(peer4, to), "to %v", to)
	}
	require.Equal(t, chunk.TypeInitAck, answer(peer6, own6))
}

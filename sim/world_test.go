package sim_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/sim"
	"github.com/stretchr/testify/require"
)

var (
	hostA = netip.MustParseAddrPort("10.0.0.1:9899")
	hostB = netip.MustParseAddrPort("10.0.0.2:9899")
)

// transfer runs a lossy transfer of n messages on a World seeded with seed
// and returns the World and the bytes the server received.
func transfer(t *testing.T, seed uint64, n int) (*sim.World, int) {
	t.Helper()
	w, err := sim.NewWorld(seed, sim.LinkConfig{Delay: 10 * time.Millisecond, Jitter: time.Millisecond,
		Loss: 0.05, Duplicate: 0.01, Reorder: 0.01, ReorderDelay: 5 * time.Millisecond})
	require.NoError(t, err)
	w.Net.EnableTraceHash()
	client, err := w.NewHost(endpoint.Config{}, hostA)
	require.NoError(t, err)
	server, err := w.NewHost(endpoint.Config{}, hostB)
	require.NoError(t, err)
	server.Listen(true)
	id, err := client.Connect(sim.DefaultPort, hostB)
	require.NoError(t, err)
	require.True(t, w.RunUntil(time.Minute, func() bool { return client.Established(id) }))
	got, sent := 0, 0
	require.True(t, w.RunUntil(time.Hour, func() bool {
		for sent < n && client.Send(id, 0, make([]byte, 500)) == nil {
			sent++
		}
		for _, d := range server.Drain() {
			got += len(d.Message.Data)
		}
		return got == n*500
	}))
	return w, got
}

// The same seed replays the same run packet for packet (the trace hash);
// another seed gives another run.
func TestWorldReplay(t *testing.T) {
	w1, got1 := transfer(t, 7, 300)
	w2, got2 := transfer(t, 7, 300)
	w3, _ := transfer(t, 8, 300)
	require.Equal(t, 300*500, got1)
	require.Equal(t, got1, got2)
	require.Equal(t, w1.Now, w2.Now)
	require.Equal(t, w1.Net.TraceHash(), w2.Net.TraceHash())
	require.Equal(t, w1.Net.Stats(), w2.Net.Stats())
	require.NotEqual(t, w1.Net.TraceHash(), w3.Net.TraceHash())
}

// A multihomed node's packets leave from the address of their source IP,
// and it receives on all its addresses; Remove takes all of them off.
func TestWorldMultihomedSource(t *testing.T) {
	w, err := sim.NewWorld(1, sim.LinkConfig{})
	require.NoError(t, err)
	b2 := netip.MustParseAddrPort("10.9.0.2:9899")
	var sources []netip.AddrPort
	w.OnSend = func(from netip.AddrPort, _ association.Outgoing) bool {
		sources = append(sources, from)
		return true
	}
	n := &scripted{out: []association.Outgoing{
		{To: hostA, Data: []byte("no source")},
		{To: hostA, From: b2.Addr(), Data: []byte("second address")},
		{To: hostA, From: netip.MustParseAddr("10.7.7.7"), Data: []byte("not ours")},
	}}
	sink := &scripted{}
	w.AddMultihomed(n, hostB, b2)
	w.Add(hostA, sink)
	w.Exchange()
	require.Equal(t, []netip.AddrPort{hostB, b2, hostB}, sources)
	require.Len(t, sink.in, 3)
	require.Equal(t, b2, sink.in[1].From)

	w.Net.Send(w.Now, hostA, b2, []byte("to the second address"))
	w.Exchange()
	require.Len(t, n.in, 1)
	w.Remove(b2)
	w.Net.Send(w.Now, hostA, hostB, []byte("gone"))
	w.Exchange()
	require.Len(t, n.in, 1)
	require.Equal(t, 1, w.Drops["no node at "+hostB.String()])
	w.AddMultihomed(n) // no address: nothing
}

// What a RunUntil condition makes a node send goes out at the same
// virtual time, not at the next event.
func TestWorldRunUntilFlushesCondition(t *testing.T) {
	w, err := sim.NewWorld(1, sim.LinkConfig{Delay: time.Second})
	require.NoError(t, err)
	n, sink := &scripted{}, &scripted{}
	w.Add(hostA, n)
	w.Add(hostB, sink)
	sent := false
	require.True(t, w.RunUntil(time.Minute, func() bool {
		if !sent {
			n.out = append(n.out, association.Outgoing{To: hostB, Data: []byte("x")})
			sent = true
		}
		return len(sink.in) > 0
	}))
	require.Equal(t, time.Second, w.Now.Sub(0))
}

// scripted is a Node that sends what out holds and records what it
// receives.
type scripted struct {
	out []association.Outgoing
	in  []association.Datagram
}

func (s *scripted) HandleDatagram(d *association.Datagram) error {
	c := *d
	c.Data = append([]byte(nil), d.Data...)
	s.in = append(s.in, c)
	return nil
}

func (s *scripted) AppendPacket(_ sim.Time, buf []byte) (association.Outgoing, bool) {
	if len(s.out) == 0 {
		return association.Outgoing{}, false
	}
	o := s.out[0]
	s.out = s.out[1:]
	o.Data = append(buf[:0], o.Data...)
	return o, true
}

func (s *scripted) NextDeadline() sim.Time { return sim.Never }
func (s *scripted) HandleTimeout(sim.Time) {}

// The core's types are Nodes, as the World's doc says.
var (
	_ sim.Node = (*association.Association)(nil)
	_ sim.Node = (*endpoint.Endpoint)(nil)
	_ sim.Node = (*endpoint.Mux)(nil)
)

package endpoint_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/stretchr/testify/require"
)

// serverWith returns a World whose server endpoint (configured by mod) has
// one established association with each of n client hosts, and the
// server's IDs in the clients' order.
func serverWith(t *testing.T, seed uint64, n int, mod func(*endpoint.Config)) (*endpointtest.World,
	*endpoint.Endpoint, []*endpoint.Endpoint, []endpoint.AssocID, []netip.AddrPort) {
	t.Helper()
	w, err := endpointtest.New(seed, link)
	require.NoError(t, err)
	cfg := endpointtest.Config(seed, 7)
	cfg.Assoc.NoDelay = true
	if mod != nil {
		mod(&cfg)
	}
	s, err := endpoint.New(cfg, w.Now)
	require.NoError(t, err)
	s.Listen(true)
	w.Add(addrS, s)
	clients, addrs := hosts(t, w, n)
	ids := make([]endpoint.AssocID, n)
	for i, c := range clients {
		_, err := c.Connect(w.Now, []netip.AddrPort{addrS}, 7, nil)
		require.NoError(t, err)
		// One at a time, so that server IDs follow the clients' order.
		require.True(t, w.RunUntil(time.Second, func() bool {
			for _, d := range endpointtest.Drain(s) {
				if ac, ok := d.Event.(*association.AssocChange); ok && ac.State == association.CommUp {
					ids[i] = d.ID
				}
			}
			return ids[i] != 0
		}))
	}
	w.Run(time.Second)
	for _, c := range clients {
		endpointtest.Drain(c)
	}
	return w, s, clients, ids, addrs
}

// AppendPacket serves the associations round-robin: one busy association
// does not starve the others.
func TestAppendPacketFairness(t *testing.T) {
	for _, tc := range []struct {
		quantum int
		want    []int // index of the destination host of each packet
	}{
		{1, []int{0, 1, 2, 0, 0, 0}},
		{3, []int{0, 0, 0, 1, 2, 0}},
	} {
		w, s, _, ids, addrs := serverWith(t, 20, 3, func(c *endpoint.Config) { c.SendQuantum = tc.quantum })
		msg := make([]byte, 1000)
		for i := range 30 {
			a, _ := s.Assoc(ids[0])
			require.NoError(t, a.Send(w.Now, association.SendInfo{}, msg), "message %d", i)
		}
		for _, id := range ids[1:] {
			a, _ := s.Assoc(id)
			require.NoError(t, a.Send(w.Now, association.SendInfo{}, msg))
		}
		var got []int
		for _, out := range outputs(w.Now, s) {
			for i, a := range addrs {
				if out.To == a {
					got = append(got, i)
				}
			}
		}
		require.GreaterOrEqual(t, len(got), len(tc.want))
		require.Equal(t, tc.want, got[:len(tc.want)], "quantum %d: %v", tc.quantum, got)
	}
}

// Poll serves the associations round-robin, one delivery each, keeping
// each association's order.
func TestPollFairness(t *testing.T) {
	w, s, clients, ids, _ := serverWith(t, 21, 2, nil)
	for k, c := range clients {
		cid := c.Associations()[0]
		for i := range 4 {
			send(t, w.Now, c, cid, string(rune('a'+k))+string(rune('0'+i)))
		}
	}
	w.Run(time.Second)
	var got []string
	for {
		id, d, ok := s.Poll()
		if !ok {
			break
		}
		require.Nil(t, d.Event)
		require.Equal(t, ids[int(d.Message.Data[0]-'a')], id)
		got = append(got, string(d.Message.Data))
	}
	require.Equal(t, []string{"a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3"}, got)
}

// Given the same seed and the same inputs, the endpoints produce the same
// datagrams: the sans-IO core is deterministic.
func TestDeterministic(t *testing.T) {
	run := func() [32]byte {
		w, s, clients, ids, _ := serverWith(t, 22, 20, nil)
		w.Net.EnableTraceHash()
		for i, c := range clients {
			send(t, w.Now, c, c.Associations()[0], "ping")
			send(t, w.Now, s, ids[i], "pong")
		}
		w.Run(time.Minute) // heartbeats included
		s.Close(w.Now)
		w.Run(time.Minute)
		return w.Net.TraceHash()
	}
	require.Equal(t, run(), run())
}

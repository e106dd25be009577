package endpoint_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/endpoint/endpointtest"
	"github.com/stretchr/testify/require"
)

// label names an association by its addresses and ports as the server
// sees them, so that each side can check it got the other's messages.
func label(a *association.Association) string {
	cfg := a.Config()
	return fmt.Sprintf("%v/%d-%d", a.Paths()[0].Addr.Addr(), cfg.LocalPort, cfg.PeerPort)
}

// runMany connects every client endpoint to its server port, exchanges a
// message each way on every association and checks that each message
// arrived on the right association and nowhere else.
func runMany(t *testing.T, w *endpointtest.World, clients []*endpoint.Endpoint, servers []*endpoint.Endpoint,
	dial func(i int) (c *endpoint.Endpoint, self, peer netip.AddrPort, port uint16)) {
	t.Helper()
	n := len(clients)
	ids := make([]endpoint.AssocID, n)
	selves := make([]netip.AddrPort, n)
	for i := range n {
		c, self, peer, port := dial(i)
		selves[i] = self
		id, err := c.Connect(w.Now, []netip.AddrPort{peer}, port, nil)
		require.NoError(t, err)
		ids[i] = id
	}
	got := map[*endpoint.Endpoint][]endpointtest.Delivered{}
	var all []*endpoint.Endpoint
	for _, ep := range append(append([]*endpoint.Endpoint{}, clients...), servers...) {
		if _, ok := got[ep]; !ok {
			got[ep] = nil
			all = append(all, ep)
		}
	}
	drainAll := func() {
		for _, ep := range all {
			got[ep] = append(got[ep], endpointtest.Drain(ep)...)
		}
	}
	up := func() int {
		k := 0
		for _, ep := range all {
			for _, d := range got[ep] {
				if ac, ok := d.Event.(*association.AssocChange); ok && ac.State == association.CommUp {
					k++
				}
			}
		}
		return k
	}
	require.True(t, w.RunUntil(time.Minute, func() bool { drainAll(); return up() == 2*n }),
		"%d of %d up; drops %v", up(), 2*n, w.Drops)
	for i := range n {
		require.True(t, endpointtest.HasEvent(got[clients[i]], ids[i], association.CommUp), "client %d", i)
	}
	// Every client sends its label; every server association answers with
	// the label it received, prefixed.
	for i := range n {
		a, ok := clients[i].Assoc(ids[i])
		require.True(t, ok)
		require.NoError(t, a.Send(w.Now, association.SendInfo{}, []byte(fmt.Sprint("from client ", i))))
	}
	received := func() int {
		k := 0
		for _, ep := range servers {
			for _, d := range got[ep] {
				if d.Event == nil {
					k++
				}
			}
		}
		return k
	}
	require.True(t, w.RunUntil(10*time.Second, func() bool { drainAll(); return received() == n }))
	for _, ep := range servers {
		seen := map[endpoint.AssocID]bool{}
		for _, d := range got[ep] {
			if d.Event != nil {
				continue
			}
			require.False(t, seen[d.ID], "one message per association")
			seen[d.ID] = true
			a, ok := ep.Assoc(d.ID)
			require.True(t, ok)
			reply := fmt.Sprintf("%s %s", d.Message.Data, label(a))
			require.NoError(t, a.Send(w.Now, association.SendInfo{}, []byte(reply)))
		}
	}
	require.True(t, w.RunUntil(10*time.Second, func() bool {
		drainAll()
		for i := range n {
			if len(messages(got[clients[i]], ids[i])) == 0 {
				return false
			}
		}
		return true
	}))
	for i := range n {
		msgs := messages(got[clients[i]], ids[i])
		require.Len(t, msgs, 1, "client %d", i)
		// The server association that answered is the one whose peer is
		// this client's address and port, and it got this client's
		// message.
		a, _ := clients[i].Assoc(ids[i])
		cfg := a.Config()
		want := fmt.Sprintf("from client %d %v/%d-%d", i, selves[i].Addr(), cfg.PeerPort, cfg.LocalPort)
		require.Equal(t, want, msgs[0])
	}
	// Two idle minutes: heartbeats (RFC 9260 Section 8.3) of every
	// association, driven by the endpoints' deadline heaps, keep them all
	// up.
	w.Run(2 * time.Minute)
	drainAll()
	for _, ep := range all {
		for _, id := range ep.Associations() {
			a, _ := ep.Assoc(id)
			require.Equal(t, association.StateEstablished, a.State())
			require.Zero(t, a.Paths()[0].ErrorCount)
		}
	}
	require.Empty(t, w.Drops)
}

// 200 associations from one client endpoint to 200 server endpoints of a
// Mux, all between the same two UDP addresses (10.0.0.1:9899 and
// 10.0.0.2:9899): the SCTP ports tell them apart.
func TestManyAssociationsOneClientEndpoint(t *testing.T) {
	const n = 200
	w, err := endpointtest.New(7, link)
	require.NoError(t, err)
	c, err := endpoint.New(endpointtest.Config(1, 5000), w.Now)
	require.NoError(t, err)
	m := endpoint.NewMux()
	var servers []*endpoint.Endpoint
	for i := range n {
		s, err := endpoint.New(endpointtest.Config(uint64(100+i), uint16(6000+i)), w.Now)
		require.NoError(t, err)
		s.Listen(true)
		require.NoError(t, m.Add(s))
		servers = append(servers, s)
	}
	w.Add(addrC, c)
	w.Add(addrS, m)
	clients := make([]*endpoint.Endpoint, n)
	for i := range clients {
		clients[i] = c
	}
	runMany(t, w, clients, servers, func(i int) (*endpoint.Endpoint, netip.AddrPort, netip.AddrPort, uint16) {
		return c, addrC, addrS, uint16(6000 + i)
	})
	require.Equal(t, n, c.Len())
}

// 200 client endpoints with SCTP ports 10000-10199 in one Mux, to one
// server endpoint, all between the same two UDP addresses.
func TestManyClientPortsOneServerEndpoint(t *testing.T) {
	const n = 200
	w, err := endpointtest.New(8, link)
	require.NoError(t, err)
	s, err := endpoint.New(endpointtest.Config(1, 7), w.Now)
	require.NoError(t, err)
	s.Listen(true)
	m := endpoint.NewMux()
	var clients []*endpoint.Endpoint
	for i := range n {
		c, err := endpoint.New(endpointtest.Config(uint64(100+i), uint16(10000+i)), w.Now)
		require.NoError(t, err)
		require.NoError(t, m.Add(c))
		clients = append(clients, c)
	}
	w.Add(addrC, m)
	w.Add(addrS, s)
	runMany(t, w, clients, []*endpoint.Endpoint{s}, func(i int) (*endpoint.Endpoint, netip.AddrPort, netip.AddrPort, uint16) {
		return clients[i], addrC, addrS, 7
	})
	require.Equal(t, n, s.Len())
}

// 200 client endpoints on 200 hosts, all with the same SCTP and UDP ports,
// to one server endpoint: the peer IP tells them apart.
func TestManyHostsSamePorts(t *testing.T) {
	const n = 200
	w, err := endpointtest.New(9, link)
	require.NoError(t, err)
	s, err := endpoint.New(endpointtest.Config(1, 7), w.Now)
	require.NoError(t, err)
	s.Listen(true)
	w.Add(addrS, s)
	var clients []*endpoint.Endpoint
	var addrs []netip.AddrPort
	for i := range n {
		c, err := endpoint.New(endpointtest.Config(uint64(100+i), 5000), w.Now)
		require.NoError(t, err)
		addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}), 9899)
		w.Add(addr, c)
		clients = append(clients, c)
		addrs = append(addrs, addr)
	}
	runMany(t, w, clients, []*endpoint.Endpoint{s}, func(i int) (*endpoint.Endpoint, netip.AddrPort, netip.AddrPort, uint16) {
		return clients[i], addrs[i], addrS, 7
	})
	require.Equal(t, n, s.Len())
}

// replay is a rand.Source that records what it draws and plays back what
// it is given, so that an endpoint draws the same verification tag twice.
type replay struct {
	src       rand.Source
	rec, play []uint64
}

func (r *replay) Uint64() uint64 {
	if len(r.play) > 0 {
		v := r.play[0]
		r.play = r.play[1:]
		return v
	}
	v := r.src.Uint64()
	r.rec = append(r.rec, v)
	return v
}

// drawn returns what was drawn since the last call.
func (r *replay) drawn() []uint64 {
	d := r.rec
	r.rec = nil
	return d
}

func replayCrowd(t *testing.T) (*crowd, *replay) {
	var r *replay
	c := newCrowd(t, 2, func(cfg *endpoint.Config) {
		r = &replay{src: cfg.Assoc.Rand}
		cfg.Assoc.Rand = r
	})
	r.drawn()
	return c, r
}

// RFC 9260 Section 5.3.1: "Careful selection of Initiate Tags is also
// necessary". With tags drawn at random, one INIT in 2^32/n gets the tag
// of one of n associations held (one in 43,000 with 100,000 held); its
// COOKIE ECHO would carry that tag, and be routed to that association
// (Section 5.2.4 action B: the association takes the new peer's tag). The
// endpoint draws again: the INIT ACK carries a tag no association holds.
func TestInitAckTagNotInUse(t *testing.T) {
	c, r := replayCrowd(t)
	tag0, cookie := c.hello(t, 0)
	draws := r.drawn()
	c.send(t, 0, tag0, &chunk.CookieEcho{Cookie: cookie})
	c.answer(t)
	c.poll(t, association.CommUp)
	r.play = draws // peer 1's INIT gets the same draws as peer 0's
	tag1, _ := c.hello(t, 1)
	require.NotEqual(t, tag0, tag1)
}

// The race the check above leaves: two INIT ACKs with one tag, sent while
// no association held it (peers 0 and 1), then peer 0's COOKIE ECHO sets up
// an association with it. Peer 1's COOKIE ECHO carries the tag of peer 0's
// association, from an address that is not one of its paths, with a
// cookie for another peer tag: it is dropped (an ABORT could end either
// association), and peer 0's association keeps its peer's tag.
func TestCookieEchoTagOfAnotherPeer(t *testing.T) {
	c, r := replayCrowd(t)
	tag1, cookie1 := c.hello(t, 1)
	r.play = r.drawn()
	tag0, cookie0 := c.hello(t, 0)
	require.Equal(t, tag0, tag1)
	c.send(t, 0, tag0, &chunk.CookieEcho{Cookie: cookie0})
	c.answer(t)
	c.poll(t, association.CommUp)

	err := c.s.HandleDatagram(&association.Datagram{Now: c.now, From: crowdAddr(1),
		Data: build(5000, 7, tag1, &chunk.CookieEcho{Cookie: cookie1})})
	var drop *endpoint.DropError
	require.ErrorAs(t, err, &drop)
	require.Equal(t, endpoint.DropTag, drop.Reason)
	require.Empty(t, outputs(c.now, c.s))
	require.Equal(t, 1, c.s.Len())
	for id := range c.ids {
		a, ok := c.s.Assoc(id)
		require.True(t, ok)
		_, peer := a.Tags()
		require.Equal(t, crowdTag(0), peer)
		require.Equal(t, association.StateEstablished, a.State())
	}
}

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
	"github.com/stretchr/testify/require"
)

// shardedWorld is a server of n listening shards for SCTP port 7 at addrS,
// behind a Router, and clients, each an unsharded endpoint of its own
// address, in a World.
type shardedWorld struct {
	w       *endpointtest.World
	seed    uint64
	r       endpoint.Router
	shards  []*endpoint.Endpoint
	node    *endpointtest.Sharded
	clients []*endpoint.Endpoint
	caddrs  []netip.AddrPort
	// ds and dc are the deliveries polled from each shard and client.
	ds, dc [][]endpointtest.Delivered
}

func newShardedWorld(t *testing.T, seed uint64, n int, mod func(*endpoint.Config)) *shardedWorld {
	t.Helper()
	w, err := endpointtest.New(seed, link)
	require.NoError(t, err)
	cfg := endpointtest.Config(seed, 7)
	if mod != nil {
		mod(&cfg)
	}
	shards, err := endpointtest.ShardedEndpoints(n, seed, cfg, w.Now)
	require.NoError(t, err)
	nodes := make([]endpointtest.Node, n)
	for i, s := range shards {
		s.Listen(true)
		nodes[i] = s
	}
	sw := &shardedWorld{w: w, seed: seed, r: newRouter(t, n, seed), shards: shards, ds: make([][]endpointtest.Delivered, n)}
	sw.node, err = endpointtest.NewSharded(sw.r, nodes...)
	require.NoError(t, err)
	w.Add(addrS, sw.node)
	return sw
}

// addClient adds client k: address 10.1.k>>8.k, SCTP port 5000 + k%3.
func (sw *shardedWorld) addClient(t *testing.T, k int) *endpoint.Endpoint {
	t.Helper()
	port := uint16(5000 + k%3)
	c, err := endpoint.New(endpointtest.Config(sw.seed*1000+uint64(k), port), sw.w.Now)
	require.NoError(t, err)
	addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(k >> 8), byte(k)}), 9899)
	sw.w.Add(addr, c)
	sw.clients = append(sw.clients, c)
	sw.caddrs = append(sw.caddrs, addr)
	sw.dc = append(sw.dc, nil)
	return c
}

// connectClients adds peers clients, each connecting to the server, and
// returns their association IDs.
func (sw *shardedWorld) connectClients(t *testing.T, peers int) []endpoint.AssocID {
	t.Helper()
	ids := make([]endpoint.AssocID, peers)
	for k := range ids {
		c := sw.addClient(t, k)
		var err error
		ids[k], err = c.Connect(sw.w.Now, []netip.AddrPort{addrS}, 7, nil)
		require.NoError(t, err)
	}
	return ids
}

// poll drains every shard and client.
func (sw *shardedWorld) poll() {
	for i, s := range sw.shards {
		sw.ds[i] = append(sw.ds[i], endpointtest.Drain(s)...)
	}
	for k, c := range sw.clients {
		sw.dc[k] = append(sw.dc[k], endpointtest.Drain(c)...)
	}
}

// allUp reports whether every client's association ids[k] is up.
func (sw *shardedWorld) allUp(ids []endpoint.AssocID) bool {
	sw.poll()
	for k, id := range ids {
		if !endpointtest.HasEvent(sw.dc[k], id, association.CommUp) {
			return false
		}
	}
	return true
}

// held returns the associations of every shard.
func (sw *shardedWorld) held() [][]endpoint.AssocID {
	out := make([][]endpoint.AssocID, len(sw.shards))
	for i, s := range sw.shards {
		out[i] = s.Associations()
	}
	return out
}

// Many peers connect to a server of 4 shards, exchange messages and shut
// down: every packet lands on the shard of its association (no shard
// drops anything), each association is on the shard of its peer's source
// hash, with a local tag and an ID of that shard, and the associations
// spread over all shards.
func TestShardedHandshakesDataShutdown(t *testing.T) {
	const n, peers = 4, 40
	sw := newShardedWorld(t, 80, n, nil)
	ids := sw.connectClients(t, peers)
	require.True(t, sw.w.RunUntil(time.Minute, func() bool { return sw.allUp(ids) }), "drops %v", sw.w.Drops)

	total := 0
	for i, list := range sw.held() {
		require.NotEmpty(t, list, "shard %d holds associations", i)
		for _, id := range list {
			require.Equal(t, i, endpoint.ShardOfAssoc(id, n))
			a, ok := sw.shards[i].Assoc(id)
			require.True(t, ok)
			local, _ := a.Tags()
			require.EqualValues(t, i, uint32(local)%n, "local tag %d", local)
			peer := a.Paths()[0].Addr
			require.Equal(t, i, sw.r.ShardOfPeer(peer.Addr(), a.Config().PeerPort), "peer %v", peer)
		}
		total += len(list)
	}
	require.Equal(t, peers, total)

	// Each client sends a message; the shard that gets it echoes it.
	for k, c := range sw.clients {
		send(t, sw.w.Now, c, ids[k], fmt.Sprintf("hello %d", k))
	}
	require.True(t, sw.w.RunUntil(time.Minute, func() bool {
		sw.poll()
		got := 0
		for i := range sw.shards {
			for _, d := range sw.ds[i] {
				if d.Event == nil {
					got++
				}
			}
		}
		return got == peers
	}))
	for i, s := range sw.shards {
		for _, d := range sw.ds[i] {
			if d.Event == nil {
				send(t, sw.w.Now, s, d.ID, "re: "+string(d.Message.Data))
			}
		}
	}
	require.True(t, sw.w.RunUntil(time.Minute, func() bool {
		sw.poll()
		for k := range sw.clients {
			if len(messages(sw.dc[k], ids[k])) == 0 {
				return false
			}
		}
		return true
	}))
	for k := range sw.clients {
		require.Equal(t, []string{fmt.Sprintf("re: hello %d", k)}, messages(sw.dc[k], ids[k]))
	}

	// The clients shut down; everything goes away on both sides.
	for _, c := range sw.clients {
		c.Close(sw.w.Now)
	}
	require.True(t, sw.w.RunUntil(time.Minute, func() bool {
		sw.poll()
		for _, e := range append(sw.shards, sw.clients...) {
			if e.Len() > 0 {
				return false
			}
		}
		return true
	}))
	require.Empty(t, sw.w.Drops, "every packet reached the shard of its association")
	for i, r := range sw.node.Received {
		require.NotZero(t, r, "shard %d", i)
	}
}

// collide has shard sh of the server connect to client 0 (listening) while
// the client connects to the server: an initialization collision (RFC 9260
// Section 5.2.1). It returns the client's and the shard's IDs, once both
// are up, and the shards the client's INITs were routed to.
func (sw *shardedWorld) collide(t *testing.T, sh int) (endpoint.AssocID, endpoint.AssocID, []int) {
	t.Helper()
	p := sw.addClient(t, 0)
	p.Listen(true)
	var inits []int
	sw.node.OnRoute = func(d *association.Datagram, shard int) {
		if _, first := parsed(t, d.Data); first.Type == chunk.TypeInit {
			inits = append(inits, shard)
		}
	}
	sid, err := sw.shards[sh].Connect(sw.w.Now, []netip.AddrPort{sw.caddrs[0]}, 5000, nil)
	require.NoError(t, err)
	pid, err := p.Connect(sw.w.Now, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	require.True(t, sw.w.RunUntil(time.Minute, func() bool {
		sw.poll()
		return endpointtest.HasEvent(sw.dc[0], pid, association.CommUp) &&
			endpointtest.HasEvent(sw.ds[sh], sid, association.CommUp)
	}))
	sw.w.Run(10 * time.Second)
	sw.poll()
	return pid, sid, inits
}

// A Connect from the shard of Router.ShardOfPeer (the peer's primary
// address and SCTP port) meets the peer's crossing INIT on that shard: the
// collision resolves into one association on each side, with matching
// tags (RFC 9260 Section 5.2.1).
func TestShardedConnectCollision(t *testing.T) {
	const n = 4
	for seed := uint64(90); seed < 96; seed++ {
		sw := newShardedWorld(t, seed, n, nil)
		sh := sw.r.ShardOfPeer(netip.AddrFrom4([4]byte{10, 1, 0, 0}), 5000)
		pid, sid, inits := sw.collide(t, sh)
		require.NotEmpty(t, inits)
		for _, s := range inits {
			require.Equal(t, sh, s, "the peer's INIT reaches the shard that connected")
		}
		total := 0
		for _, list := range sw.held() {
			total += len(list)
		}
		require.Equal(t, 1, total, "seed %d: one association on the server", seed)
		require.Equal(t, 1, sw.clients[0].Len())
		pa, _ := sw.clients[0].Assoc(pid)
		sa, _ := sw.shards[sh].Assoc(sid)
		pl, pp := pa.Tags()
		sl, sp := sa.Tags()
		require.Equal(t, pl, sp)
		require.Equal(t, sl, pp)
		require.Equal(t, association.StateEstablished, sa.State())
	}
}

// The limit of the routing that Router documents: the same collision with
// a Connect from another shard than ShardOfPeer (as with an INIT from
// another address of a multihomed peer) is not seen as one: the peer's
// INIT reaches a shard without the association, which answers it as a new
// one, and the server ends up with two associations for the client's one.
func TestShardedConnectCollisionOtherShard(t *testing.T) {
	const n = 4
	for seed := uint64(90); seed < 93; seed++ {
		sw := newShardedWorld(t, seed, n, nil)
		sh := (sw.r.ShardOfPeer(netip.AddrFrom4([4]byte{10, 1, 0, 0}), 5000) + 1) % n
		_, _, inits := sw.collide(t, sh)
		require.NotContains(t, inits, sh)
		total := 0
		for _, list := range sw.held() {
			total += len(list)
		}
		require.Equal(t, 2, total, "seed %d", seed)
		require.Equal(t, 1, sw.clients[0].Len())
	}
}

// An ABORT with the T bit carries the peer's tag, not ours (RFC 9260
// Section 8.5.1 B): it is routed by its source to the association's shard,
// whatever shard the tag it carries would name. Here the client restarts
// and answers the server's next packet with an out-of-the-blue ABORT
// (Section 8.4 rule 8), whose tag is of another shard: the association
// hears it and is lost.
func TestShardedReflectedAbort(t *testing.T) {
	const n = 4
	sw := newShardedWorld(t, 100, n, nil)
	caddr := netip.MustParseAddrPort("10.1.0.0:9899")
	h := sw.r.ShardOfPeer(caddr.Addr(), 5000)
	cfg := endpointtest.Config(101, 5000)
	cfg.Shard = endpoint.Shard{Index: (h + 1) % n, Count: n} // tags of another shard
	c, err := endpoint.New(cfg, sw.w.Now)
	require.NoError(t, err)
	sw.w.Add(caddr, c)
	cid, err := c.Connect(sw.w.Now, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	var sid endpoint.AssocID
	require.True(t, sw.w.RunUntil(time.Minute, func() bool {
		sw.poll()
		for _, d := range sw.ds[h] {
			if ac, ok := d.Event.(*association.AssocChange); ok && ac.State == association.CommUp {
				sid = d.ID
			}
		}
		return sid != 0
	}))
	a, _ := c.Assoc(cid)
	ctag, _ := a.Tags()
	require.NotEqual(t, h, int(uint32(ctag)%n))

	fresh, err := endpoint.New(endpointtest.Config(102, 5000), sw.w.Now)
	require.NoError(t, err)
	sw.w.Add(caddr, fresh) // the client restarts
	abortShard := -1
	sw.node.OnRoute = func(d *association.Datagram, shard int) {
		p, first := parsed(t, d.Data)
		if first.Type == chunk.TypeAbort && chunk.TFlags(first.Flags).Reflected() {
			require.Equal(t, ctag, p.VerificationTag)
			abortShard = shard
		}
	}
	send(t, sw.w.Now, sw.shards[h], sid, "anyone there?")
	require.True(t, sw.w.RunUntil(time.Minute, func() bool {
		sw.poll()
		return endpointtest.HasEvent(sw.ds[h], sid, association.CommLost)
	}))
	require.Equal(t, h, abortShard)
	require.Zero(t, sw.shards[h].Len())
}

// Every local tag a shard hands out is of its class, tag mod n == i: the
// Initiate Tags of its INIT ACKs (thousands of INITs answered) and of its
// INITs (thousands of Connects); and every association ID is of its class
// too, whichever way the association was created.
func TestShardedTagsAndIDs(t *testing.T) {
	for _, n := range []int{4, 3} {
		for i := range n {
			shard := endpoint.Shard{Index: i, Count: n}
			c := newCrowd(t, 2000, func(cfg *endpoint.Config) { cfg.Shard = shard })
			for k := range 2000 {
				tag, _ := c.hello(t, k)
				require.Equal(t, i, int(uint32(tag))%n, "INIT ACK of shard %+v", shard)
			}
			c.connect(t, 0, 500)
			require.Len(t, c.ids, 500)
			for id := range c.ids {
				require.Equal(t, i, endpoint.ShardOfAssoc(id, n))
			}

			cfg := endpointtest.Config(uint64(10*n+i), 5000)
			cfg.Shard = shard
			ep, err := endpoint.New(cfg, 0)
			require.NoError(t, err)
			for k := range 2000 {
				id, err := ep.Connect(0, []netip.AddrPort{crowdAddr(k)}, 7, nil)
				require.NoError(t, err)
				require.Equal(t, i, endpoint.ShardOfAssoc(id, n))
				a, _ := ep.Assoc(id)
				tag, _ := a.Tags()
				require.Equal(t, i, int(uint32(tag))%n, "INIT of shard %+v", shard)
			}
		}
	}
}

// A Connect with a configuration of its own, and associations created
// after SetAssocConfig, keep the endpoint's shard.
func TestShardedConfigKept(t *testing.T) {
	shard := endpoint.Shard{Index: 2, Count: 3}
	cfg := endpointtest.Config(1, 5000)
	cfg.Shard = shard
	ep, err := endpoint.New(cfg, 0)
	require.NoError(t, err)
	own := endpointtest.Config(2, 5000).Assoc // no shard
	require.NoError(t, ep.SetAssocConfig(own))
	require.Equal(t, shard, ep.Config().Assoc.Shard)
	for k := range 100 {
		id, err := ep.Connect(0, []netip.AddrPort{crowdAddr(k)}, 7, &own)
		require.NoError(t, err)
		a, _ := ep.Assoc(id)
		tag, _ := a.Tags()
		require.Equal(t, 2, int(uint32(tag))%3)
		require.Equal(t, shard, a.Config().Shard)
	}
	bad := cfg
	bad.Shard = endpoint.Shard{Index: 3, Count: 3}
	_, err = endpoint.New(bad, 0)
	require.ErrorIs(t, err, endpoint.ErrInvalidConfig)
}

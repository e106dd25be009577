package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/packet"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/gensctp/gensctp/timer"
	"github.com/gensctp/gensctp/udpencap"
	"github.com/stretchr/testify/require"
)

// shardedStack returns a stack of n shards on 127.0.0.1, closed at the
// end of the test.
func shardedStack(t *testing.T, n int) *Stack { return shardedStackUDP(t, n, udpencap.Config{}) }

// shardedStackUDP is shardedStack with the UDP configuration cfg (its
// local address set to 127.0.0.1).
func shardedStackUDP(t *testing.T, n int, cfg udpencap.Config) *Stack {
	t.Helper()
	cfg.LocalAddrs = []netip.Addr{loopback}
	s, err := New(Config{UDP: cfg, Shards: n})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.Equal(t, n, s.Shards())
	return s
}

// shardedPipe returns two stacks of n shards over the ends of an
// in-memory pipe.
func shardedPipe(t *testing.T, n int) (a, b *Stack) {
	t.Helper()
	ca, cb := packetiotest.Pipe()
	a, err := New(Config{Transport: packetio.NewConn(ca), Shards: n})
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	b, err = New(Config{Transport: packetio.NewConn(cb), Shards: n})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return a, b
}

// Many associations of one server port, spread over the shards of its
// stack (4 here), each exchange messages with the server's echo at the
// same time, over real UDP sockets (their readers pushing the datagrams,
// and not) and over an in-memory pipe: every message comes back intact,
// in order per association, whichever shard and reader handled it.
func TestShardsEchoManyAssociations(t *testing.T) {
	for _, tc := range []struct {
		name string
		pair func(t *testing.T) (srv, cli *Stack)
		peer func(srv, cli *Stack) netip.AddrPort
	}{
		{"loopback", func(t *testing.T) (*Stack, *Stack) { return shardedStack(t, 4), shardedStack(t, 4) },
			func(srv, _ *Stack) netip.AddrPort { return srv.LocalAddrs()[0] }},
		{"loopback, no push", func(t *testing.T) (*Stack, *Stack) {
			cfg := udpencap.Config{DisablePush: true}
			return shardedStackUDP(t, 4, cfg), shardedStackUDP(t, 4, cfg)
		}, func(srv, _ *Stack) netip.AddrPort { return srv.LocalAddrs()[0] }},
		{"pipe", func(t *testing.T) (*Stack, *Stack) { return shardedPipe(t, 4) },
			func(_, cli *Stack) netip.AddrPort { return cli.Transport().(packetio.Connected).Peer() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, cli := tc.pair(t)
			ctx := waitCtx(t)
			sep, err := srv.AddEndpoint(epConfig(7))
			require.NoError(t, err)
			require.NoError(t, srv.Do(func(timer.Time) error { sep.Listen(true); return nil }))
			echoCtx, stop := context.WithCancel(ctx)
			defer stop()
			go echo(echoCtx, srv, sep)

			echoMany(t, ctx, cli, tc.peer(srv, cli), 16, 50)
			shards := map[int]int{}
			require.NoError(t, srv.Do(func(timer.Time) error {
				for _, id := range sep.Associations() {
					shards[endpoint.ShardOfAssoc(id, srv.Shards())]++
				}
				return nil
			}))
			require.Greater(t, len(shards), 1, "the associations are spread over the shards: %v", shards)
		})
	}
}

// echoMany runs echoRun on assocs endpoints of cli at once, each with
// msgs messages, and requires that all succeed.
func echoMany(t *testing.T, ctx context.Context, cli *Stack, peer netip.AddrPort, assocs, msgs int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, assocs)
	for i := range assocs {
		cep, err := cli.AddEndpoint(epConfig(uint16(40000 + i)))
		require.NoError(t, err)
		wg.Go(func() { errs <- echoRun(ctx, cli, cep, peer, i, msgs) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// echoRun connects ep to the echo server at peer, port 7, sends msgs
// messages and checks that they come back in order.
func echoRun(ctx context.Context, s *Stack, ep *Endpoint, peer netip.AddrPort, k, msgs int) error {
	var id endpoint.AssocID
	if err := s.Do(func(now timer.Time) error {
		var err error
		id, err = ep.Connect(now, []netip.AddrPort{peer}, 7, nil)
		return err
	}); err != nil {
		return err
	}
	sent, got := 0, 0
	var bad error
	err := s.Wait(ctx, func(now timer.Time) bool {
		for {
			_, d, ok := ep.Poll()
			if !ok {
				break
			}
			if ac, isAC := d.Event.(*association.AssocChange); isAC && ac.State != association.CommUp {
				bad = fmt.Errorf("association %d: %v", k, ac.State)
			}
			if d.Event == nil {
				if want := fmt.Sprintf("%d:%d", k, got); string(d.Message.Data) != want && bad == nil {
					bad = fmt.Errorf("got %q, want %q", d.Message.Data, want)
				}
				got++
			}
		}
		if a, ok := ep.Assoc(id); ok && a.State() == association.StateEstablished {
			for sent < msgs && a.Send(now, association.SendInfo{}, fmt.Appendf(nil, "%d:%d", k, sent)) == nil {
				sent++
			}
		}
		return bad != nil || got == msgs
	})
	if bad != nil {
		return bad
	}
	return err
}

// Two stacks connect to each other at the same time (an INIT collision,
// RFC 9260 Section 5.2.1): each Connect runs on the shard where the
// peer's INITs land (endpoint.Router.ShardOfPeer), so the collision is
// resolved into one association on each side, whatever the shards, for
// every pair of ports tried.
func TestShardsConnectCollision(t *testing.T) {
	a, b := shardedStack(t, 4), shardedStack(t, 4)
	ctx := waitCtx(t)
	for i := range 8 {
		pa, pb := uint16(5000+i), uint16(6000+i)
		aep, err := a.AddEndpoint(epConfig(pa))
		require.NoError(t, err)
		bep, err := b.AddEndpoint(epConfig(pb))
		require.NoError(t, err)
		for _, x := range []struct {
			s  *Stack
			ep *Endpoint
		}{{a, aep}, {b, bep}} {
			require.NoError(t, x.s.Do(func(timer.Time) error { x.ep.Listen(true); return nil }))
		}
		var ida, idb endpoint.AssocID
		require.NoError(t, a.Do(func(now timer.Time) error {
			ida, err = aep.Connect(now, b.LocalAddrs(), pb, nil)
			return err
		}))
		require.NoError(t, b.Do(func(now timer.Time) error {
			idb, err = bep.Connect(now, a.LocalAddrs(), pa, nil)
			if errors.Is(err, endpoint.ErrAssociationExists) {
				// a's handshake was done already: no collision this
				// time, and b has a's association.
				idb, err = bep.Associations()[0], nil
			}
			return err
		}))
		require.Equal(t, association.CommUp, waitOutcome(t, ctx, a, aep, ida, false), "ports %d, %d", pa, pb)
		require.Equal(t, association.CommUp, waitOutcome(t, ctx, b, bep, idb, false), "ports %d, %d", pa, pb)
		for _, x := range []struct {
			s  *Stack
			ep *Endpoint
		}{{a, aep}, {b, bep}} {
			require.NoError(t, x.s.Do(func(timer.Time) error {
				require.Len(t, x.ep.Associations(), 1, "one association, ports %d, %d", pa, pb)
				return nil
			}))
		}
	}
}

// MaxAssociations bounds the associations of a port over all its shards
// (a quota shared among them): with 4 shards and a limit of 3, three of
// eight peers get in, the others are refused; raising the limit lets the
// next ones in.
func TestShardsShareMaxAssociations(t *testing.T) {
	srv, cli := shardedStack(t, 4), shardedStack(t, 4)
	ctx := waitCtx(t)
	cfg := epConfig(7)
	cfg.MaxAssociations = 3
	sep, err := srv.AddEndpoint(cfg)
	require.NoError(t, err)
	require.NoError(t, srv.Do(func(timer.Time) error { sep.Listen(true); return nil }))
	connect := func(port uint16) association.AssocChangeState {
		cep, err := cli.AddEndpoint(epConfig(port))
		require.NoError(t, err)
		var id endpoint.AssocID
		require.NoError(t, cli.Do(func(now timer.Time) error {
			id, err = cep.Connect(now, srv.LocalAddrs(), 7, nil)
			return err
		}))
		return waitOutcome(t, ctx, cli, cep, id, false)
	}
	up := 0
	for i := range 8 {
		if connect(uint16(40000+i)) == association.CommUp {
			up++
		}
	}
	require.Equal(t, 3, up)
	require.NoError(t, srv.Do(func(timer.Time) error {
		require.Equal(t, 3, sep.Len())
		return sep.SetMaxAssociations(4)
	}))
	require.Equal(t, association.CommUp, connect(40100))
	require.Equal(t, association.CantAssoc, connect(40101))
}

// recorder is a packet transport whose reads are the packets pushed to
// it and whose writes are recorded, each after check.
type recorder struct {
	in    chan packetio.Message
	done  chan struct{}
	once  sync.Once
	check func()

	mu      sync.Mutex
	written [][]byte
}

func newRecorder() *recorder {
	return &recorder{in: make(chan packetio.Message, 16), done: make(chan struct{})}
}

func (r *recorder) ReadBatch(msgs []packetio.Message) (int, error) {
	select {
	case m := <-r.in:
		msgs[0] = m
		return 1, nil
	case <-r.done:
		return 0, ErrClosed
	}
}

func (r *recorder) ReleaseBatch(msgs []packetio.Message) {
	for i := range msgs {
		msgs[i] = packetio.Message{}
	}
}

func (r *recorder) WriteBatch(msgs []packetio.OutMessage) (int, error) {
	if r.check != nil {
		r.check()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		r.written = append(r.written, bytes.Clone(m.Data))
	}
	return len(msgs), nil
}

func (r *recorder) LocalAddrs() []netip.AddrPort {
	return []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:9899")}
}

func (r *recorder) Close() error {
	r.once.Do(func() { close(r.done) })
	return nil
}

// writes returns the number of packets written.
func (r *recorder) writes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.written)
}

// No packet is written under a lock other associations need: when the
// transport's WriteBatch runs, for the INIT of a Connect (a user
// operation) as for the INIT ACK answering an INIT (a reader), neither
// the stack's lock nor any shard's is held.
func TestWritesOutsideLocks(t *testing.T) {
	rec := newRecorder()
	s, err := New(Config{Transport: rec, Shards: 2})
	require.NoError(t, err)
	defer s.Close()
	var held []string
	var mu sync.Mutex
	rec.check = func() {
		locks := map[string]*sync.Mutex{"stack": &s.mu}
		for i, sh := range s.shards {
			locks[fmt.Sprint("shard ", i)] = &sh.mu
		}
		for name, l := range locks {
			if !l.TryLock() {
				mu.Lock()
				held = append(held, name)
				mu.Unlock()
				continue
			}
			l.Unlock()
		}
	}
	cep, err := s.AddEndpoint(epConfig(5000))
	require.NoError(t, err)
	require.NoError(t, s.Do(func(now timer.Time) error {
		_, err := cep.Connect(now, []netip.AddrPort{netip.MustParseAddrPort("127.0.0.2:9899")}, 7, nil)
		return err
	}))
	require.Equal(t, 1, rec.writes(), "the INIT is written before Do returns")

	sep, err := s.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	require.NoError(t, s.Do(func(timer.Time) error { sep.Listen(true); return nil }))
	rec.mu.Lock()
	init := rec.written[0]
	rec.mu.Unlock()
	// The INIT, back to the stack as if it came from 127.0.0.2: the
	// listening port answers it with an INIT ACK.
	rec.in <- packetio.Message{Data: init, From: netip.MustParseAddrPort("127.0.0.2:9899"),
		To: netip.MustParseAddrPort("127.0.0.1:9899")}
	require.Eventually(t, func() bool { return rec.writes() == 2 }, 10*time.Second, time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, held, "locks held while writing")
}

// Close writes what the shards queued before it closes the transport:
// packets produced by a reader, which wrote them once out of the shard's
// lock, while a user saw their association's change meanwhile and closed
// the stack (the SHUTDOWN COMPLETE of an association whose end let the
// user close, say), are not lost.
func TestCloseWritesQueued(t *testing.T) {
	rec := newRecorder()
	s, err := New(Config{Transport: rec, Shards: 2})
	require.NoError(t, err)
	cep, err := s.AddEndpoint(epConfig(5000))
	require.NoError(t, err)
	// Queue an INIT as a reader does, under the shard's lock, without
	// writing it yet.
	peer := netip.MustParseAddrPort("127.0.0.2:9899")
	sh := s.shards[s.router.ShardOfPeer(peer.Addr(), 7)]
	sh.mu.Lock()
	_, err = cep.eps[sh.index].Connect(s.Now(), []netip.AddrPort{peer}, 7, nil)
	require.NoError(t, err)
	require.True(t, s.settleShardLocked(sh, s.Now()), "the INIT is queued")
	sh.mu.Unlock()
	require.Zero(t, rec.writes())
	require.NoError(t, s.Close())
	require.Equal(t, 1, rec.writes(), "the INIT was written before the transport closed")
}

// initFrom returns an INIT from SCTP port port for port 7.
func initFrom(port uint16) []byte {
	var b packet.Builder
	b.Reset(make([]byte, 0, 1500), packet.Header{SrcPort: port, DstPort: 7}, 1500)
	b.Add(&chunk.Init{InitiateTag: 1, ARwnd: 1 << 16, OutboundStreams: 1, InboundStreams: 1, InitialTSN: 1})
	return b.Finish()
}

// A reader never waits for a shard another goroutine holds: the datagrams
// of a busy shard wait in its inbox while the reader handles the next
// ones (an INIT for another shard is answered meanwhile), and the
// goroutine holding the shard handles them when it lets it go (service).
func TestReaderSkipsBusyShard(t *testing.T) {
	rec := newRecorder()
	s, err := New(Config{Transport: rec, Shards: 2})
	require.NoError(t, err)
	defer s.Close()
	sep, err := s.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	require.NoError(t, s.Do(func(timer.Time) error { sep.Listen(true); return nil }))
	peer := netip.MustParseAddrPort("127.0.0.2:9899")
	to := netip.MustParseAddrPort("127.0.0.1:9899")
	busy := s.router.ShardOfPeer(peer.Addr(), 5000)
	other := uint16(5001)
	for s.router.ShardOfPeer(peer.Addr(), other) == busy {
		other++
	}
	sh := s.shards[busy]
	sh.mu.Lock() // as an operation on one of its associations does
	rec.in <- packetio.Message{Data: initFrom(5000), From: peer, To: to}
	rec.in <- packetio.Message{Data: initFrom(other), From: peer, To: to}
	require.Eventually(t, func() bool { return rec.writes() == 1 }, 10*time.Second, time.Millisecond,
		"the INIT for the free shard is answered while the other is held")
	require.True(t, sh.in.waiting(), "the INIT for the busy shard waits in its inbox")
	sh.mu.Unlock()
	s.service(sh)
	require.Equal(t, 2, rec.writes(), "the goroutine that held the shard answered the INIT left for it")
}

package stack

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// pusher is a packetio.Pusher over another transport: a goroutine of its
// own reads the inner transport and pushes what it reads once SetPush
// gave it a function (its ReadBatch then returns nothing but the end of
// the transport). It counts the packets pushed and those given back.
type pusher struct {
	packetio.Transport
	fn      atomic.Pointer[func(int, []packetio.Message, bool) (int, bool)]
	set     chan struct{}
	setOnce sync.Once
	done    chan struct{}
	ended   chan struct{}

	pushed, released, yields, partial atomic.Int64
}

func newPusher(inner packetio.Transport) *pusher {
	p := &pusher{Transport: inner, set: make(chan struct{}), done: make(chan struct{}), ended: make(chan struct{})}
	go p.run()
	return p
}

func (p *pusher) SetPush(fn func(int, []packetio.Message, bool) (int, bool)) {
	p.fn.Store(&fn)
	p.setOnce.Do(func() { close(p.set) })
}

// run pushes what the inner transport reads, until it is closed.
func (p *pusher) run() {
	defer close(p.ended)
	select {
	case <-p.set:
	case <-p.done:
		return
	}
	msgs := make([]packetio.Message, 8)
	for {
		n, err := p.Transport.ReadBatch(msgs)
		if n > 0 {
			p.pushed.Add(int64(n))
			// First without waiting, as a transport holding its socket
			// does, then the rest waiting.
			fn := *p.fn.Load()
			k, yield := fn(0, msgs[:n], false)
			if k < n {
				p.partial.Add(1)
				_, yield = fn(0, msgs[k:n], true)
			}
			if yield {
				p.yields.Add(1)
			}
		}
		if err != nil {
			return
		}
	}
}

// ReadBatch reports the end of the transport only: the packets are
// pushed.
func (p *pusher) ReadBatch([]packetio.Message) (int, error) {
	<-p.ended
	return 0, ErrClosed
}

func (p *pusher) ReleaseBatch(msgs []packetio.Message) {
	p.released.Add(int64(len(msgs)))
	p.Transport.ReleaseBatch(msgs)
}

func (p *pusher) Close() error {
	err := p.Transport.Close()
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	<-p.ended
	return err
}

// A transport that pushes its packets (packetio.Pusher) carries a stack's
// associations without a read of the stack's: the stacks of both ends, of
// one shard and of four, exchange messages over pushers; the stack asks
// the transport to yield after pushes that woke its callers, and gives
// back every packet pushed by the time it is closed.
func TestPushTransport(t *testing.T) {
	for _, shards := range []int{1, 4} {
		t.Run(fmt.Sprintf("shards=%d", shards), func(t *testing.T) {
			ca, cb := packetiotest.Pipe()
			pa, pb := newPusher(packetio.NewConn(ca)), newPusher(packetio.NewConn(cb))
			srv, err := New(Config{Transport: pa, Shards: shards})
			require.NoError(t, err)
			cli, err := New(Config{Transport: pb, Shards: shards})
			require.NoError(t, err)

			ctx := waitCtx(t)
			sep, err := srv.AddEndpoint(epConfig(7))
			require.NoError(t, err)
			require.NoError(t, srv.Do(func(timer.Time) error { sep.Listen(true); return nil }))
			echoCtx, stop := context.WithCancel(ctx)
			go echo(echoCtx, srv, sep)
			echoMany(t, ctx, cli, pb.Transport.(packetio.Connected).Peer(), 4, 50)
			stop()

			require.NoError(t, cli.Close())
			require.NoError(t, srv.Close())
			for _, p := range []*pusher{pa, pb} {
				require.Positive(t, p.pushed.Load())
				require.Positive(t, p.yields.Load(), "pushes that woke a caller ask to yield")
				require.Equal(t, p.pushed.Load(), p.released.Load(), "every packet pushed is given back")
			}
		})
	}
}

// Packets pushed after the stack closed are taken and given back at
// once, waiting or not.
func TestPushAfterClose(t *testing.T) {
	ca, _ := packetiotest.Pipe()
	p := newPusher(packetio.NewConn(ca))
	s, err := New(Config{Transport: p})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	before := p.released.Load()
	for _, wait := range []bool{false, true} {
		msgs := []packetio.Message{{Data: []byte{1}}, {Data: []byte{2}}}
		n, yield := s.pushed(0, msgs, wait)
		require.Equal(t, 2, n)
		require.False(t, yield)
		require.Equal(t, before+2, p.released.Load())
		before += 2
	}
}

// Poll and Deliverable skip, without locking it, a shard they found with
// nothing to deliver and that nobody locked since: a port whose
// associations are on one shard pays nothing per Poll for the others. A
// shard that was locked since is looked at again.
func TestPollSkipsUntouchedShard(t *testing.T) {
	s := shardedStack(t, 2)
	ep, err := s.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	poll := func() bool {
		var ok bool
		require.NoError(t, s.Do(func(timer.Time) error {
			_, _, ok = ep.Poll()
			require.Equal(t, ok, ep.Deliverable())
			return nil
		}))
		return ok
	}
	require.False(t, poll()) // finds both shards empty
	sh := s.shards[1]
	// White box: its mutex held without counting it in gen, as no real
	// holder does: Poll does not even try the shard.
	sh.mu.Lock()
	polled := make(chan bool, 1)
	go func() { polled <- poll() }()
	select {
	case ok := <-polled:
		require.False(t, ok)
	case <-time.After(10 * time.Second):
		t.Fatal("Poll waited for a shard it found empty and nobody released since")
	}
	gen := sh.unlock()
	require.Equal(t, gen, sh.gen.Load())
	sh.lock() // a reader holds it: Poll waits for what it may publish
	go func() { polled <- poll() }()
	select {
	case <-polled:
		t.Fatal("Poll skipped a shard released since it looked")
	case <-time.After(50 * time.Millisecond):
	}
	sh.unlock()
	require.False(t, <-polled)
}

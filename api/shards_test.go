package api

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/stretchr/testify/require"
)

// Shards sets the shards of the socket's stack; sockets joining the stack
// on its UDP port keep them (Shards(0), the default, joins any), and one
// asking for another number is refused.
func TestShardsOption(t *testing.T) {
	noLeak(t)
	a := open(t, Shards(3))
	require.Equal(t, 3, a.stk.Shards())
	b, err := Open(IP(lo), LocalUDPPort(a.UDPPort()), Shards(3))
	require.NoError(t, err)
	require.Same(t, a.stk, b.stk)
	require.NoError(t, b.Close())
	c, err := Open(IP(lo), LocalUDPPort(a.UDPPort()))
	require.NoError(t, err)
	require.Same(t, a.stk, c.stk)
	require.NoError(t, c.Close())
	_, err = Open(IP(lo), LocalUDPPort(a.UDPPort()), Shards(2))
	require.ErrorIs(t, err, ErrInvalidOption)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, "open", e.Op)
	one := open(t, Shards(1))
	require.Equal(t, 1, one.stk.Shards())
}

// Associations of one server socket on different shards of its stack are
// used at once from many goroutines: each peeled-off association echoes
// its client's messages while other ones are closed under their clients'
// sends. Every message of the live ones comes back, in order; the race
// detector sees the sharded event loop, the socket state and the
// associations of different shards used concurrently.
func TestShardsConcurrentAssociations(t *testing.T) {
	noLeak(t)
	srv := server(t, Shards(4), SCTPNodelay(true))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const live, closing, msgs = 6, 2, 100
	type pair struct {
		cli   *Socket
		assoc AssocID
		peer  *Socket
	}
	pairs := make([]pair, live+closing)
	shards := map[int]bool{}
	for i := range pairs {
		cli := clientOf(t, srv, SCTPNodelay(true))
		ac := connect(t, cli, srv)
		up := recvEvent[*AssocChange](t, srv)
		p, err := srv.Peeloff(up.AssocID)
		require.NoError(t, err)
		t.Cleanup(func() { p.Close() })
		pairs[i] = pair{cli: cli, assoc: ac.AssocID, peer: p}
		shards[endpoint.ShardOfAssoc(up.AssocID, srv.stk.Shards())] = true
	}
	require.Greater(t, len(shards), 1, "the associations are on several shards")
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(pairs))
	for i, p := range pairs {
		wg.Add(2)
		go func() { // the server side: echo until the socket closes
			defer wg.Done()
			for {
				d, err := p.peer.Recv(ctx)
				if err != nil {
					return
				}
				if d.Kind == KindData {
					_ = p.peer.SendInfoContext(ctx, d.Info, d.Data)
				}
			}
		}()
		go func() { // the client: send msgs and read them back
			defer wg.Done()
			err := echoMessages(ctx, p.cli, p.assoc, msgs)
			if i < live {
				errs <- err
			}
		}()
	}
	for _, p := range pairs[live:] {
		require.NoError(t, p.peer.Close())
	}
	for range live {
		require.NoError(t, <-errs)
	}
	for _, p := range pairs {
		require.NoError(t, p.peer.Close())
		require.NoError(t, p.cli.Close())
	}
	wg.Wait()
}

// echoMessages sends n numbered messages on assoc of s, one at a time,
// and checks that each comes back.
func echoMessages(ctx context.Context, s *Socket, assoc AssocID, n int) error {
	msg := make([]byte, 200)
	for i := range n {
		binary.BigEndian.PutUint32(msg, uint32(i))
		if err := s.SendContext(ctx, assoc, 0, msg); err != nil {
			return err
		}
		for {
			d, err := s.Recv(ctx)
			if err != nil {
				return err
			}
			if d.Kind != KindData {
				continue
			}
			if got := binary.BigEndian.Uint32(d.Data); got != uint32(i) || len(d.Data) != len(msg) {
				return fmt.Errorf("message %d came back as %d (%d bytes)", i, got, len(d.Data))
			}
			break
		}
	}
	return nil
}

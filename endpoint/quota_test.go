package endpoint_test

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/stretchr/testify/require"
)

// SharedLimit takes at most its limit, gives back, and follows a changed
// limit; 0 means none.
func TestSharedLimit(t *testing.T) {
	l := endpoint.NewSharedLimit(2)
	require.True(t, l.Acquire())
	require.True(t, l.Acquire())
	require.False(t, l.Acquire())
	require.Equal(t, 2, l.Count())
	l.SetLimit(1)
	l.Release()
	require.False(t, l.Acquire(), "one taken, the lowered limit")
	l.Release()
	require.True(t, l.Acquire())
	l.SetLimit(0)
	for range 100 {
		require.True(t, l.Acquire())
	}
	require.Equal(t, 101, l.Count())
	require.Zero(t, l.Limit())
	var zero endpoint.SharedLimit
	require.True(t, zero.Acquire())
}

// Shards taking and giving back units of one SharedLimit in parallel
// never hold more than the limit together, and every unit comes back.
func TestSharedLimitConcurrent(t *testing.T) {
	const limit, workers, rounds = 3, 8, 20_000
	l := endpoint.NewSharedLimit(limit)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var held, most atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				if ctx.Err() != nil {
					return
				}
				if !l.Acquire() {
					continue
				}
				h := held.Add(1)
				for m := most.Load(); h > m && !most.CompareAndSwap(m, h); m = most.Load() {
				}
				held.Add(-1)
				l.Release()
			}
		})
	}
	wg.Wait()
	require.NoError(t, ctx.Err())
	require.LessOrEqual(t, most.Load(), int64(limit))
	require.Zero(t, l.Count())
}

// outcomes counts the clients whose association came up and those whose
// handshake failed, each failure with an "Out of Resource" cause.
func (sw *shardedWorld) outcomes(t *testing.T) (up, refused int) {
	for k := range sw.clients {
		o := outcome(sw.dc[k])
		switch {
		case o == nil:
		case o.State == association.CommUp:
			up++
		case o.State == association.CantAssoc:
			require.Equal(t, chunk.CauseOutOfResource, o.Error)
			refused++
		}
	}
	return up, refused
}

// Config.AssocQuota bounds the associations of all shards together, as
// MaxAssociations bounds those of one endpoint: the COOKIE ECHOs beyond it
// get an ABORT with "Out of Resource", on whichever shard, as do INITs
// once it is reached, and a Connect on any shard fails; the units come
// back as the associations go.
func TestShardedAssocQuota(t *testing.T) {
	const n, limit, peers = 4, 10, 24
	q := endpoint.NewSharedLimit(limit)
	sw := newShardedWorld(t, 110, n, func(c *endpoint.Config) { c.AssocQuota = q })
	sw.connectClients(t, peers)
	require.True(t, sw.w.RunUntil(time.Minute, func() bool {
		sw.poll()
		up, refused := sw.outcomes(t)
		return up+refused == peers
	}))
	up, _ := sw.outcomes(t)
	require.Equal(t, limit, up)
	require.Equal(t, limit, q.Count())
	total, busy := 0, 0
	for _, list := range sw.held() {
		require.Less(t, len(list), limit)
		total += len(list)
		if len(list) > 0 {
			busy++
		}
	}
	require.Equal(t, limit, total)
	require.Greater(t, busy, 1, "the limit is shared by several shards")
	require.Equal(t, peers-limit, sw.w.Drops["too many associations"])

	// Reached: an INIT is refused at once, a Connect fails.
	late := sw.addClient(t, peers)
	_, err := late.Connect(sw.w.Now, []netip.AddrPort{addrS}, 7, nil)
	require.NoError(t, err)
	require.True(t, sw.w.RunUntil(time.Minute, func() bool { sw.poll(); return outcome(sw.dc[peers]) != nil }))
	require.Equal(t, association.CantAssoc, outcome(sw.dc[peers]).State)
	require.Equal(t, 1, sw.w.Drops["too many associations (rule 3)"])
	for i, s := range sw.shards {
		_, err := s.Connect(sw.w.Now, []netip.AddrPort{netip.MustParseAddrPort("10.9.0.1:9899")}, 5000, nil)
		require.ErrorIs(t, err, endpoint.ErrTooManyAssociations, "shard %d", i)
	}

	// The associations close: every unit comes back.
	for _, c := range sw.clients {
		c.Close(sw.w.Now)
	}
	require.True(t, sw.w.RunUntil(time.Minute, func() bool {
		sw.poll()
		for _, s := range sw.shards {
			if s.Len() > 0 {
				return false
			}
		}
		return true
	}))
	require.Zero(t, q.Count())
	_, err = sw.shards[0].Connect(sw.w.Now, []netip.AddrPort{netip.MustParseAddrPort("10.9.0.1:9899")}, 5000, nil)
	require.NoError(t, err)
	require.Equal(t, 1, q.Count())
}

// backlogWorld is 4 one-to-one shards sharing a backlog of limit, to
// which peers clients connected 2 s ago.
func backlogWorld(t *testing.T, seed uint64, limit, peers int) (*shardedWorld, *endpoint.SharedLimit) {
	t.Helper()
	q := endpoint.NewSharedLimit(limit)
	sw := newShardedWorld(t, seed, 4, func(c *endpoint.Config) {
		c.Style, c.Backlog, c.BacklogQuota = endpoint.OneToOne, 100, q
	})
	sw.connectClients(t, peers)
	sw.w.Run(2 * time.Second)
	return sw, q
}

// Config.BacklogQuota bounds the one-to-one backlogs of all shards
// together: beyond it COOKIE ECHOs are dropped (their peers retransmit
// them, RFC 9260 Section 5.1.6), and each Accept, on any shard, makes
// room for one more.
func TestShardedBacklogQuota(t *testing.T) {
	const limit, peers = 3, 9
	sw, q := backlogWorld(t, 120, limit, peers)
	sw.poll()
	up, _ := sw.outcomes(t)
	require.Equal(t, limit, up)
	require.Equal(t, limit, q.Count())
	require.Positive(t, sw.w.Drops["backlog full"])

	accepted := 0
	require.True(t, sw.w.RunUntil(10*time.Minute, func() bool {
		for _, s := range sw.shards {
			for _, ok := s.Accept(); ok; _, ok = s.Accept() {
				accepted++
			}
		}
		require.LessOrEqual(t, q.Count(), limit)
		return accepted == peers
	}))
	require.Zero(t, q.Count())
	sw.w.Run(time.Second) // the last COOKIE ACKs
	sw.poll()
	up, _ = sw.outcomes(t)
	require.Equal(t, peers, up)
}

// Closing the shards gives back the units of the associations their
// backlogs held, which Close aborts.
func TestShardedBacklogQuotaClose(t *testing.T) {
	const limit = 3
	sw, q := backlogWorld(t, 121, limit, 6)
	require.Equal(t, limit, q.Count())
	for _, s := range sw.shards {
		s.Close(sw.w.Now)
	}
	require.Zero(t, q.Count())
}

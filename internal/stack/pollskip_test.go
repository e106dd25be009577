package stack

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// A reader publishes the changes of a shard (settleShardLocked ->
// takeChangesLocked -> pending) before it unlocks it. A Poll that runs in
// between (the holder of the stack's lock drained the change and
// evaluates its condition again) must not skip the shard as known empty:
// nothing would wake it again once the reader unlocks, and the delivery
// would wait for the next unrelated event of that shard. The lock itself
// counts in the shard's gen, so the Poll waits for the reader and finds
// the message.
func TestPollSeesShardLockedSince(t *testing.T) {
	cli, srv := shardedPipe(t, 2)
	sep, err := srv.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	require.NoError(t, srv.Do(func(timer.Time) error { sep.Listen(true); return nil }))
	cep, err := cli.AddEndpoint(epConfig(5000))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var cid endpoint.AssocID
	require.NoError(t, cli.Do(func(now timer.Time) error {
		cid, err = cep.Connect(now, []netip.AddrPort{cli.Transport().(packetio.Connected).Peer()}, 7, nil)
		return err
	}))
	up := func(s *Stack, ep *Endpoint) endpoint.AssocID {
		var id endpoint.AssocID
		require.NoError(t, s.Wait(ctx, func(timer.Time) bool {
			for {
				got, d, ok := ep.Poll()
				if !ok {
					return false
				}
				if ac, is := d.Event.(*association.AssocChange); is && ac.State == association.CommUp {
					id = got
					return true
				}
			}
		}))
		return id
	}
	up(cli, cep)
	sid := up(srv, sep)
	// Both of the server's shards are found empty (emptyAt set).
	require.NoError(t, srv.Do(func(timer.Time) error {
		for {
			if _, _, ok := sep.Poll(); !ok {
				return nil
			}
		}
	}))
	sh := srv.shards[endpoint.ShardOfAssoc(sid, 2)]
	sh.lock() // a reader holds the shard...
	require.NoError(t, cli.Do(func(now timer.Time) error {
		a, _ := cep.Assoc(cid)
		return a.Send(now, association.SendInfo{}, []byte("hello"))
	}))
	require.Eventually(t, sh.in.waiting, 5*time.Second, time.Millisecond)
	srv.handleLocked(sh) // ...handles the DATA and publishes the change, not unlocked yet
	got := make(chan time.Time, 1)
	go func() {
		_ = srv.Wait(ctx, func(timer.Time) bool {
			_, d, ok := sep.Poll()
			return ok && d.Event == nil
		})
		got <- time.Now()
	}()
	time.Sleep(100 * time.Millisecond) // the condition ran (and skipped the shard)
	unlocked := time.Now()
	sh.unlock() // the reader goes on as readLoop does
	srv.service(sh)
	srv.kick()
	select {
	case at := <-got:
		require.Less(t, at.Sub(unlocked), 50*time.Millisecond, "delivery found only after an unrelated event")
	case <-time.After(5 * time.Second):
		t.Fatal("the delivery was never found: its shard is skipped as known empty")
	}
}

package stack

import (
	"context"
	"testing"
	"time"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Direct runs its function on the endpoint of the association's shard
// while an operation holds the stack's lock (it takes only the shard's),
// for an association of each shard; once the stack is closed it reports
// false without running it.
func TestDirect(t *testing.T) {
	s := shardedStack(t, 2)
	ep, err := s.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	held, release := make(chan struct{}), make(chan struct{})
	stuck := make(chan bool, 1) // the operation held the lock until ctx ended
	go func() {
		_ = s.Do(func(timer.Time) error {
			close(held)
			select {
			case <-release:
				stuck <- false
			case <-ctx.Done():
				stuck <- true
			}
			return nil
		})
	}()
	<-held
	for id := endpoint.AssocID(1); id <= 2; id++ {
		var shard int
		ok := ep.Direct(id, func(_ timer.Time, e *endpoint.Endpoint) bool {
			shard = e.Config().Shard.Index
			return true
		})
		require.True(t, ok)
		require.Equal(t, endpoint.ShardOfAssoc(id, 2), shard)
	}
	close(release)
	require.False(t, <-stuck, "Direct waited for the stack's lock")

	require.NoError(t, s.Close())
	require.False(t, ep.Direct(1, func(timer.Time, *endpoint.Endpoint) bool {
		t.Error("ran on a closed stack")
		return true
	}))
}

package association_test

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/stream"
	"github.com/stretchr/testify/require"
)

// Send copies the message into a buffer of the association's pool: the
// caller may reuse its slice at once, and the buffer goes back to the
// pool once the peer acknowledged the message, for the next Send to take.
func TestSendCopiesIntoPool(t *testing.T) {
	const seed, size = 90, 1200
	cfgA, cfgZ := scenarioConfigs(seed)
	pool := stream.NewBufPool(stream.DefaultPoolLimit)
	cfgA.Buffers = pool
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	require.Same(t, pool, p.A.Config().Buffers)

	msg := numbered(1, size)
	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, msg))
	clear(msg) // the caller reuses its slice
	require.Zero(t, pool.Retained(), "the message is held until acknowledged")
	p.Run(time.Second)
	got := messagesOf(p.DeliveredZ)
	require.Len(t, got, 1)
	require.Equal(t, numbered(1, size), got[0].Data)
	require.Zero(t, p.A.Outstanding())
	require.Equal(t, 2048, pool.Retained(), "acknowledged: its buffer is back")

	require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, numbered(2, size)))
	require.Zero(t, pool.Retained(), "the next message took the buffer")
	p.Run(time.Second)
	require.Equal(t, numbered(2, size), messagesOf(p.DeliveredZ)[1].Data)
	require.Equal(t, 2048, pool.Retained())
}

// The pool keeps at most its limit of free buffers, however many
// messages were acknowledged at once.
func TestSendPoolBounded(t *testing.T) {
	const seed, n, size = 91, 20, 1000
	cfgA, cfgZ := scenarioConfigs(seed)
	pool := stream.NewBufPool(4 << 10)
	cfgA.Buffers = pool
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1}, numbered(i, size)))
	}
	p.Run(5 * time.Second)
	require.Len(t, messagesOf(p.DeliveredZ), n)
	require.Zero(t, p.A.Outstanding())
	require.Equal(t, 4<<10, pool.Retained(), "four 1 KiB buffers kept, the rest dropped")
}

// The associations of an Acceptor share one pool, created when its
// configuration has none; Reconfigure keeps it.
func TestAcceptorSharesPool(t *testing.T) {
	p, _ := establishedPair(t, 92)
	pool := p.Acceptor.Config().Buffers
	require.NotNil(t, pool)
	require.Same(t, pool, p.Z.Config().Buffers)
	require.NotSame(t, pool, p.A.Config().Buffers, "New makes a pool of its own")
	require.NoError(t, p.Z.Reconfigure(p.Now, p.Z.Config()))
	require.Same(t, pool, p.Z.Config().Buffers)
	cfg := p.Acceptor.Config()
	cfg.Buffers = nil
	require.NoError(t, p.Acceptor.SetConfig(cfg))
	require.Same(t, pool, p.Acceptor.Config().Buffers, "SetConfig keeps the pool")
}

// An aborted association hands each message back in a SendFailed event,
// with the pool buffer holding it: Release gives it back to the pool.
func TestSendFailedBufferReleased(t *testing.T) {
	const seed, n, size = 93, 5, 1200
	cfgA, cfgZ := scenarioConfigs(seed)
	pool := stream.NewBufPool(stream.DefaultPoolLimit)
	cfgA.Buffers = pool
	p, _ := newScenarioPair(t, seed, cfgA, cfgZ)
	require.NoError(t, p.Handshake())
	p.Net.SetDown(p.AddrZ, p.AddrA, true) // nothing is acknowledged
	for i := range n {
		require.NoError(t, p.A.Send(p.Now, association.SendInfo{Stream: 1, Context: uint32(i)}, numbered(i, size)))
	}
	p.Exchange()
	p.A.Abort(p.Now, nil)
	p.Run(time.Second)
	failed := eventsOf[*association.SendFailed](p.DeliveredA)
	require.Len(t, failed, n)
	require.Zero(t, pool.Retained())
	for i, f := range failed {
		require.Equal(t, numbered(i, size), f.Data)
		p.A.Release(f.Data)
	}
	require.Equal(t, n*2048, pool.Retained())
}

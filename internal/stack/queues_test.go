package stack

import (
	"bytes"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/packetio"
	"github.com/gensctp/gensctp/packetio/packetiotest"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// queuedTransport is a packetio.Queued transport over another one: once
// SetQueues asked for n queues (at most max), a goroutine of its own
// reads the packets of the transport below and queues each on the queue
// packetio.QueueOf names, as udpencap's socket group does; it counts the
// packets read through each queue and through ReadBatch.
type queuedTransport struct {
	packetio.Transport
	max int

	once   sync.Once
	qs     []chan packetio.Message
	closed chan struct{} // the transport below closed: the queues end
	stop   chan struct{} // Close: the pump drops what it holds
	close  sync.Once
	perQ   []atomic.Int64
	plain  atomic.Int64
}

func newQueuedTransport(t packetio.Transport, maxQueues int) *queuedTransport {
	return &queuedTransport{Transport: t, max: maxQueues, closed: make(chan struct{}), stop: make(chan struct{})}
}

func (t *queuedTransport) SetQueues(n int) int {
	if n > t.max {
		return 1
	}
	t.once.Do(func() {
		t.perQ = make([]atomic.Int64, n)
		for range n {
			t.qs = append(t.qs, make(chan packetio.Message, 256))
		}
		go t.pump()
	})
	return n
}

// pump moves the packets of the transport below to the queues, until it
// closes.
func (t *queuedTransport) pump() {
	defer close(t.closed)
	buf := make([]packetio.Message, 16)
	for {
		n, err := t.Transport.ReadBatch(buf)
		for _, m := range buf[:n] {
			q := t.qs[packetio.QueueOf(m.Data, len(t.qs))]
			c := packetio.Message{Data: bytes.Clone(m.Data), From: m.From, To: m.To}
			select {
			case q <- c:
			case <-t.stop:
			}
		}
		t.Transport.ReleaseBatch(buf[:n])
		if err != nil {
			return // closed (the transports of these tests fail no other way)
		}
	}
}

func (t *queuedTransport) ReadQueue(q int, msgs []packetio.Message) (int, error) {
	n := 0
	select {
	case msgs[0] = <-t.qs[q]:
		n = 1
	case <-t.closed:
		return 0, net.ErrClosed
	}
	for n < len(msgs) {
		select {
		case msgs[n] = <-t.qs[q]:
			n++
			continue
		default:
		}
		break
	}
	t.perQ[q].Add(int64(n))
	return n, nil
}

func (t *queuedTransport) Close() error {
	t.close.Do(func() { close(t.stop) })
	return t.Transport.Close()
}

func (t *queuedTransport) ReadBatch(msgs []packetio.Message) (int, error) {
	n, err := t.Transport.ReadBatch(msgs)
	t.plain.Add(int64(n))
	return n, err
}

func (t *queuedTransport) ReleaseBatch(msgs []packetio.Message) {
	if len(t.qs) == 0 {
		t.Transport.ReleaseBatch(msgs)
		return
	}
	for i := range msgs {
		msgs[i].Buf, msgs[i].Data = nil, nil
	}
}

// A stack on a transport that splits its packets over a queue per shard
// (packetio.Queued) reads each queue with a reader of its own: the
// associations of a server port on 4 shards echo messages intact and in
// order (the INITs, steered to queue 0 by their tag 0, reach the shard of
// their source through its reader), every queue carries packets, and
// none goes through ReadBatch. A transport that cannot provide the
// queues asked for is read with ReadBatch, as before.
func TestShardsReadQueues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		queues int // the most the server's transport provides
	}{{"queued", 4}, {"fallback", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			ca, cb := packetiotest.Pipe()
			qt := newQueuedTransport(packetio.NewConn(ca), tc.queues)
			srv, err := New(Config{Transport: qt, Shards: 4})
			require.NoError(t, err)
			t.Cleanup(func() { srv.Close() })
			cli, err := New(Config{Transport: packetio.NewConn(cb), Shards: 4})
			require.NoError(t, err)
			t.Cleanup(func() { cli.Close() })
			require.Equal(t, tc.queues == 4, srv.queued)

			ctx := waitCtx(t)
			sep, err := srv.AddEndpoint(epConfig(7))
			require.NoError(t, err)
			require.NoError(t, srv.Do(func(timer.Time) error { sep.Listen(true); return nil }))
			go echo(ctx, srv, sep)
			echoMany(t, ctx, cli, cli.Transport().(packetio.Connected).Peer(), 12, 20)
			if !srv.queued {
				require.Positive(t, qt.plain.Load())
				return
			}
			require.Zero(t, qt.plain.Load(), "no packet read with ReadBatch")
			shards := map[int]bool{}
			require.NoError(t, srv.Do(func(timer.Time) error {
				for _, id := range sep.Associations() {
					shards[endpoint.ShardOfAssoc(id, srv.Shards())] = true
				}
				return nil
			}))
			for q := range qt.perQ {
				if shards[q] {
					require.Positive(t, qt.perQ[q].Load(), "queue %d of a shard with associations", q)
				}
			}
		})
	}
}

var _ packetio.Queued = (*queuedTransport)(nil)

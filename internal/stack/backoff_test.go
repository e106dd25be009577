package stack

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/packetio"
	"github.com/stretchr/testify/require"
)

// The pause after failed reads: none after the first failure, then
// backoffMin doubling up to backoffMax; a read with packets, or without
// an error, starts again from no pause.
func TestBackoff(t *testing.T) {
	fail := errors.New("transient")
	var b backoff
	var got []time.Duration
	for range 11 {
		got = append(got, b.next(0, fail))
	}
	ms := time.Millisecond
	require.Equal(t, []time.Duration{0, 5 * ms, 10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 320 * ms, 640 * ms, time.Second, time.Second}, got)
	require.Zero(t, b.next(1, fail), "packets came with the error")
	require.Zero(t, b.next(0, fail))
	require.Equal(t, 5*ms, b.next(0, fail))
	require.Zero(t, b.next(0, nil))
	require.Zero(t, b.next(0, fail))
}

// flakyTransport fails every read with a transient (non-closed) error
// until it is closed, and records when it was read.
type flakyTransport struct {
	mu     sync.Mutex
	reads  []time.Time
	more   chan struct{} // a read happened
	closed chan struct{}
}

func newFlakyTransport() *flakyTransport {
	return &flakyTransport{more: make(chan struct{}, 1), closed: make(chan struct{})}
}

func (f *flakyTransport) ReadBatch([]packetio.Message) (int, error) {
	select {
	case <-f.closed:
		return 0, net.ErrClosed
	default:
	}
	f.mu.Lock()
	f.reads = append(f.reads, time.Now())
	f.mu.Unlock()
	select {
	case f.more <- struct{}{}:
	default:
	}
	return 0, errors.New("transient")
}
func (f *flakyTransport) ReleaseBatch([]packetio.Message)                 {}
func (f *flakyTransport) WriteBatch(m []packetio.OutMessage) (int, error) { return len(m), nil }
func (f *flakyTransport) LocalAddrs() []netip.AddrPort                    { return nil }
func (f *flakyTransport) Close() error                                    { close(f.closed); return nil }

// A transport whose reads keep failing with an error other than a closed
// one does not make the reader spin: it reads again at once, then after
// pauses that double (5, 10, 20, 40 ms: 75 ms at least between the first
// read and the sixth).
func TestReadLoopBacksOffOnErrors(t *testing.T) {
	f := newFlakyTransport()
	s, err := New(Config{Transport: f})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for n := 0; n < 6; {
		select {
		case <-f.more:
		case <-ctx.Done():
			t.Fatal("the reader stopped reading")
		}
		f.mu.Lock()
		n = len(f.reads)
		f.mu.Unlock()
	}
	require.NoError(t, s.Close())
	f.mu.Lock()
	defer f.mu.Unlock()
	span := f.reads[5].Sub(f.reads[0])
	t.Logf("%d reads; 6 reads in %v", len(f.reads), span)
	require.GreaterOrEqual(t, span, 75*time.Millisecond, "the reader retried without pausing")
}

package api

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// readAll reads c in a goroutine until Read fails, appending to a buffer
// that got returns; the Read error is sent on errc. The goroutine ends
// at the test's cleanup (the Conn aborted).
func readAll(t *testing.T, c *Conn, n int) (got func() []byte, errc <-chan error) {
	var mu sync.Mutex
	var buf []byte
	ec, done := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(done)
		b := make([]byte, n)
		for {
			k, err := c.Read(b)
			if err != nil {
				ec <- err
				return
			}
			mu.Lock()
			buf = append(buf, b[:k]...)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		abort(c)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Read did not end")
		}
	})
	return func() []byte {
		mu.Lock()
		defer mu.Unlock()
		return append([]byte(nil), buf...)
	}, ec
}

// Conn.Read keeps the bytes of two messages apart: the wire sequence of
// one lost, later retransmitted DATA chunk: A (stream 0, past the partial
// delivery point) without its last fragment (TSN 29), W whole and X in
// pieces on stream 1, then TSN 29, then X's end. W, stashed while A went
// out in pieces, must not be gathered into X.
func TestConnReadKeepsMessagesApart(t *testing.T) {
	p, c := rawConn(t, Recbuf(64<<10)) // PD point 32768
	r := rand.New(rand.NewPCG(31, 32))
	const fr = 1200
	A, W, X := randomBytes(r, 29*fr), randomBytes(r, 1000), randomBytes(r, 30*fr)
	got, _ := readAll(t, c, 1<<16)
	for i := range 28 {
		p.data(chunk.TSN(1+i), 0, flagsOf(i, 29), 0, A[i*fr:(i+1)*fr])
		time.Sleep(time.Millisecond)
	}
	p.data(30, 1, chunk.FlagBeginning|chunk.FlagEnd, 0, W)
	for i := range 29 {
		p.data(chunk.TSN(31+i), 1, flagsOf(i, 30), 1, X[i*fr:(i+1)*fr])
		time.Sleep(time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	p.data(29, 0, chunk.FlagEnd, 0, A[28*fr:]) // the retransmission
	time.Sleep(200 * time.Millisecond)
	p.data(60, 1, chunk.FlagEnd, 1, X[29*fr:])
	want := bytes.Join([][]byte{A, W, X}, nil)
	require.Eventually(t, func() bool { return len(got()) >= len(want) }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, want, got(), "A, then W, then X (same stream, W first)")
}

// stashed returns the bytes that Conn.Read stashed on c's socket.
func stashed(t *testing.T, c *Conn) int {
	held := 0
	require.NoError(t, c.s.do(func(timer.Time) error {
		c.s.stash.filter(func(r rawDelivery) bool { held += len(r.d.Message.Data); return true })
		return nil
	}))
	return held
}

// A peer keeps one message in partial delivery (its next TSN never sent)
// and sends whole 60 KB messages on another stream: Conn.Read stashes
// them for after the message in pieces, charged to the association's
// MaxMessageSize budget; beyond it, the association is aborted (as for
// pieces beyond it) and Read fails, instead of stashing without bound.
func TestConnReadStashBounded(t *testing.T) {
	const maxMsg = 64 << 10
	p, c := rawConn(t, MaxMessageSize(maxMsg)) // Recbuf default 1 MiB: PD point 512 KiB
	tsn := chunk.TSN(1)
	for i := range 71 { // 568 KB of message A, no end
		p.dataAcked(tsn, 0, flagsOf(i, 1000), 0, make([]byte, 8000))
		tsn++
	}
	b := make([]byte, 1<<20)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err := c.Read(b) // A's first piece
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Time{}))
	_, errc := readAll(t, c, 1<<20)
	tsn++ // A's next fragment: never sent
	var rerr error
	for i := 0; i < 2500 && rerr == nil; i++ {
		p.data(tsn, 1, chunk.FlagBeginning|chunk.FlagEnd, uint16(i), make([]byte, 60000))
		tsn++
		time.Sleep(time.Millisecond)
		select {
		case rerr = <-errc:
		default:
		}
	}
	if rerr == nil {
		select {
		case rerr = <-errc:
		case <-time.After(10 * time.Second):
		}
	}
	held := stashed(t, c)
	t.Logf("stashed: %d bytes", held)
	require.LessOrEqual(t, held, maxMsg, "bounded by MaxMessageSize")
	var ee *EventError
	require.True(t, errors.As(rerr, &ee), "Read fails once the budget is exceeded: %v", rerr)
	require.IsType(t, &PdapiEvent{}, ee.Event, "the partial delivery aborted")
	require.ErrorIs(t, rerr, ErrMessageTooLarge, "and why")
}

// connPairShards is a dialed and an accepted Conn over loopback, the
// server's stack with n shards; both are aborted at the end of the test.
func connPairShards(t *testing.T, n int) (c1, c2 *Conn) {
	t.Helper()
	l := listenLo(t, Shards(n))
	c1, err := dialLo(t, l)
	require.NoError(t, err)
	c2, err = l.AcceptSCTP(testCtx(t))
	require.NoError(t, err)
	t.Cleanup(func() { abort(c1, c2) })
	return c1, c2
}

// awaitPending waits until the association of c holds n deliveries.
func awaitPending(t *testing.T, c *Conn, n int) {
	t.Helper()
	s := c.Socket()
	require.Eventually(t, func() bool {
		var k int
		_ = s.stk.Do(func(timer.Time) error { k = s.share.ep.PendingAssoc(s.assoc1); return nil })
		return k >= n
	}, 10*time.Second, time.Millisecond)
}

// An accepted Conn reads a message its association holds without the
// stack's lock (readDirect, under the lock of the association's shard
// only): a Read completes while an operation holds the stack's lock, so
// that the readers of associations on different shards do not queue
// behind each other and the other shards' operations.
func TestConnReadDirect(t *testing.T) {
	noLeak(t)
	c1, c2 := connPairShards(t, 2)
	for _, m := range []string{"one", "two"} {
		_, err := c1.Write([]byte(m))
		require.NoError(t, err)
	}
	buf := make([]byte, 16)
	n, err := c2.Read(buf) // under the stack's lock: it finds the receive side plain
	require.NoError(t, err)
	require.Equal(t, "one", string(buf[:n]))
	awaitPending(t, c2, 1)

	ctx := testCtx(t)
	held, release := make(chan struct{}), make(chan struct{})
	stuck := make(chan bool, 1) // the operation held the lock until ctx ended
	go func() {
		_ = c2.Socket().stk.Do(func(timer.Time) error {
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
	require.NoError(t, c2.SetReadDeadline(time.Now().Add(20*time.Second)))
	n, err = c2.Read(buf)
	close(release)
	require.NoError(t, err)
	require.Equal(t, "two", string(buf[:n]))
	require.False(t, <-stuck, "Read waited for the stack's lock")
	st, err := c2.Socket().Stats()
	require.NoError(t, err)
	require.Equal(t, uint64(2), st.RecvCnt, "the direct Read counted its message")
}

// A message that another path began handing out is finished before the
// next one: RecvBuffer on the socket of a Conn takes the first bytes of a
// message, and Read returns the rest of it, not the next message that
// the association holds (RecvBuffer's poll turned the direct path off).
func TestConnReadDirectAfterRecvBuffer(t *testing.T) {
	noLeak(t)
	c1, c2 := connPairShards(t, 2)
	for _, m := range []string{"one", "abcdef", "XY"} {
		_, err := c1.Write([]byte(m))
		require.NoError(t, err)
	}
	buf := make([]byte, 16)
	n, err := c2.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "one", string(buf[:n]))
	awaitPending(t, c2, 2)
	d, err := c2.Socket().RecvBuffer(testCtx(t), make([]byte, 3))
	require.NoError(t, err)
	require.Equal(t, "abc", string(d.Data))
	var reads []string
	for range 2 {
		n, err := c2.Read(buf)
		require.NoError(t, err)
		reads = append(reads, string(buf[:n]))
	}
	require.Equal(t, []string{"def", "XY"}, reads)
}

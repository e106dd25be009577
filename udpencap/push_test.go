package udpencap

import (
	"encoding/binary"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pushed collects what a Conn's SetPush function receives, on a channel
// the test reads.
type pushed struct {
	c  *Conn
	ch chan Message
}

// pushTo makes c push its datagrams to a new pushed, which keeps a copy
// of each and releases its buffer.
func pushTo(c *Conn, depth int) *pushed { return pushSlowTo(c, depth, 0) }

// pushSlowTo is pushTo with a push function that takes delay after it
// handed the datagrams over, as one that handles them would.
func pushSlowTo(c *Conn, depth int, delay time.Duration) *pushed {
	p := &pushed{c: c, ch: make(chan Message, depth)}
	c.SetPush(func(q int, msgs []Message, _ bool) (int, bool) {
		for i := range msgs {
			m := msgs[i]
			m.Data = append([]byte(nil), m.Data...)
			m.PTB = q // the queue, for the test to check
			c.Release(&msgs[i])
			p.ch <- m
		}
		if delay > 0 {
			time.Sleep(delay)
		}
		return len(msgs), false
	})
	return p
}

// next returns the next datagram pushed, failing after 10 s.
func (p *pushed) next(t *testing.T) Message {
	t.Helper()
	select {
	case m := <-p.ch:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no datagram pushed within 10 s")
		return Message{}
	}
}

// numbered returns a datagram of 100 bytes carrying i.
func numbered(i int) []byte {
	b := make([]byte, 100)
	binary.BigEndian.PutUint32(b, uint32(i))
	return b
}

// warmMark is the number carried by the datagram setStickyPush sends
// first.
const warmMark = 0xffffffff

// setStickyPush makes b push to fn once the reader has pushed a first
// datagram, which fn does not see. A reader already waiting in a plain
// read when SetPush is called reads the next datagram there and pushes
// it waiting; after that push it reads within a sticky read (Linux batch
// path), so the datagrams the test sends next are offered there.
func setStickyPush(t *testing.T, a, b *Conn, fn func(int, []Message, bool) (int, bool)) {
	t.Helper()
	warmed := make(chan struct{}, 1)
	b.SetPush(func(q int, msgs []Message, wait bool) (int, bool) {
		if len(msgs) > 0 && binary.BigEndian.Uint32(msgs[0].Data) == warmMark {
			b.ReleaseBatch(msgs[:1])
			warmed <- struct{}{}
			if len(msgs) == 1 {
				return 1, false
			}
			n, yield := fn(q, msgs[1:], wait)
			return 1 + n, yield
		}
		return fn(q, msgs, wait)
	})
	require.NoError(t, a.WriteTo(numbered(warmMark), b.LocalAddrs()[0], netip.Addr{}))
	select {
	case <-warmed:
	case <-time.After(10 * time.Second):
		t.Fatal("the first datagram was not pushed")
	}
}

// A Conn that pushes hands each datagram to the function, in order, on
// queue 0, once: one at a time (each read drains the socket, and the
// reader waits for the poller without a read first), also when the next
// arrives while the function still runs (the readiness it brings must
// not be forgotten), and in bursts of more than a read takes (it reads
// on without waiting). Nothing goes to ReadBatch meanwhile; after
// SetPush(nil), ReadBatch gets the datagrams again. The portable path
// pushes too.
func TestPushDelivers(t *testing.T) {
	for _, delay := range []time.Duration{0, time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			modes(t, func(t *testing.T, noBatch bool) { testPushDelivers(t, noBatch, delay) })
		})
	}
}

func testPushDelivers(t *testing.T, noBatch bool, delay time.Duration) {
	cfg := Config{LocalAddrs: []netip.Addr{lo4}, ReadBuffer: 1 << 20, DisableBatch: noBatch}
	a, b := listen(t, cfg), listen(t, cfg)
	to := b.LocalAddrs()[0]
	p := pushSlowTo(b, 1024, delay)
	want := 0
	check := func(m Message) {
		t.Helper()
		require.Equal(t, want, int(binary.BigEndian.Uint32(m.Data)), "in order, none lost")
		require.Equal(t, a.LocalAddrs()[0], m.From)
		require.Zero(t, m.PTB, "queue 0")
		want++
	}
	// One at a time: a datagram that arrives while the reader is
	// about to wait is not missed.
	for i := range 200 {
		require.NoError(t, a.WriteTo(numbered(i), to, netip.Addr{}))
		check(p.next(t))
	}
	// Bursts larger than one read (the batch size).
	const burst = 3 * defaultBatchSize
	for range 5 {
		out := make([]OutMessage, burst)
		for k := range out {
			out[k] = OutMessage{Data: numbered(want + k), To: to}
		}
		n, err := a.WriteBatch(out)
		require.NoError(t, err)
		require.Equal(t, burst, n)
		for range burst {
			check(p.next(t))
		}
	}
	require.Equal(t, uint64(want), b.Stats().DatagramsIn)

	b.SetPush(nil)
	require.NoError(t, a.WriteTo(numbered(want), to, netip.Addr{}))
	in := readN(t, b, 1, 10*time.Second)
	require.Equal(t, want, int(binary.BigEndian.Uint32(in[0].data)), "ReadBatch has it again")
	select {
	case m := <-p.ch:
		t.Fatalf("pushed after SetPush(nil): %x", m.Data[:4])
	default:
	}
}

// With Config.DisablePush, SetPush does nothing: the datagrams go to
// ReadBatch.
func TestPushDisabled(t *testing.T) {
	a := listen(t, Config{LocalAddrs: []netip.Addr{lo4}})
	b := listen(t, Config{LocalAddrs: []netip.Addr{lo4}, DisablePush: true})
	p := pushTo(b, 1)
	require.NoError(t, a.WriteTo(numbered(7), b.LocalAddrs()[0], netip.Addr{}))
	in := readN(t, b, 1, 10*time.Second)
	require.Equal(t, 7, int(binary.BigEndian.Uint32(in[0].data)))
	require.Empty(t, p.ch)
}

// Close ends a reader that waits for datagrams to push (within a sticky
// read on Linux), and one whose push function is busy.
func TestPushClose(t *testing.T) {
	modes(t, func(t *testing.T, noBatch bool) {
		cfg := Config{LocalAddrs: []netip.Addr{lo4}, DisableBatch: noBatch}
		a, b := listen(t, cfg), listen(t, cfg)
		p := pushTo(b, 1)
		require.NoError(t, a.WriteTo(numbered(0), b.LocalAddrs()[0], netip.Addr{}))
		p.next(t)
		// The channel holds one: once both are read, the push of the
		// second waits until the test reads the first, after Close
		// started. (A datagram not read when Close starts is dropped.)
		require.NoError(t, a.WriteTo(numbered(1), b.LocalAddrs()[0], netip.Addr{}))
		require.NoError(t, a.WriteTo(numbered(2), b.LocalAddrs()[0], netip.Addr{}))
		require.Eventually(t, func() bool { return b.Stats().DatagramsIn == 3 && len(p.ch) == 1 },
			10*time.Second, time.Millisecond)
		closed := make(chan error, 1)
		go func() { closed <- b.Close() }()
		p.next(t)
		p.next(t)
		select {
		case err := <-closed:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("Close did not return")
		}
	})
}

// A push function that takes nothing without waiting, and waits when
// asked to: the reader lets go of the socket before it offers the
// datagrams again, waiting, so that Unbind, which closes the socket,
// does not wait for the function (a stack's lock holder unbinding an
// address while the stack waits for that holder).
func TestPushRefusedOutsideSocket(t *testing.T) {
	modes(t, func(t *testing.T, noBatch bool) {
		cfg := Config{LocalAddrs: []netip.Addr{lo4}, DisableBatch: noBatch}
		a, b := listen(t, cfg), listen(t, cfg)
		to := b.LocalAddrs()[0]
		release := make(chan struct{})
		waiting := make(chan struct{}, 1)
		got := make(chan []byte, 1)
		setStickyPush(t, a, b, func(_ int, msgs []Message, wait bool) (int, bool) {
			if !wait {
				return 0, false
			}
			waiting <- struct{}{}
			<-release
			got <- append([]byte(nil), msgs[0].Data...)
			b.ReleaseBatch(msgs)
			return len(msgs), false
		})
		require.NoError(t, a.WriteTo(numbered(1), to, netip.Addr{}))
		select {
		case <-waiting:
		case <-time.After(10 * time.Second):
			t.Fatal("the datagram was not offered")
		}
		unbound := make(chan error, 1)
		go func() { unbound <- b.Unbind([]netip.Addr{lo4}) }()
		select {
		case err := <-unbound:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("Unbind waited for the push function")
		}
		close(release)
		require.Equal(t, numbered(1), <-got)
	})
}

// A Hook set while the reader pushes within a sticky read, whose verdict
// delays a datagram (Conn.delay takes the Conn's mutex, which Unbind
// holds while it closes the socket): the reader filters after it let go
// of the socket, and Unbind returns.
func TestPushHookSetDuringStickyRead(t *testing.T) {
	cfg := Config{LocalAddrs: []netip.Addr{lo4}, ReadBuffer: 1 << 20}
	a, b := listen(t, cfg), listen(t, cfg)
	in, token := make(chan int, 16), make(chan struct{})
	setStickyPush(t, a, b, func(_ int, msgs []Message, _ bool) (int, bool) {
		n := len(msgs)
		b.ReleaseBatch(msgs)
		in <- n
		<-token
		return n, false
	})
	to := b.LocalAddrs()[0]
	require.NoError(t, a.WriteTo(numbered(0), to, netip.Addr{}))
	require.Equal(t, 1, <-in) // a read that drained the socket
	var k atomic.Int32
	b.SetHook(func(d Direction, _, _ netip.AddrPort, _ []byte) Verdict {
		if d == In && k.Add(1) == 3 {
			return Delay(time.Millisecond)
		}
		return Pass
	})
	for i := range defaultBatchSize + 5 {
		require.NoError(t, a.WriteTo(numbered(1+i), to, netip.Addr{}))
	}
	done := make(chan error, 1)
	go func() { done <- b.Unbind([]netip.Addr{lo4}) }()
	time.Sleep(100 * time.Millisecond) // Unbind waits in the socket's Close
	close(token)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Unbind deadlocked with the reader")
	}
}

// Within its sticky read the reader's push function writes (the stack's
// pushed flushes the shard's replies: flushShard -> WriteBatch). A Hook
// set meanwhile (stickyOK looks at it only between steps) that delays an
// outgoing datagram queues it under the delay queue's own mutex, not the
// Conn's, which Unbind holds while its close of the reader's socket waits
// for the reader to let go: Unbind returns.
func TestPushHookOutDuringStickyRead(t *testing.T) {
	need127x(t)
	cfg := Config{LocalAddrs: []netip.Addr{lo4, lo4b}}
	a, b := listen(t, Config{LocalAddrs: []netip.Addr{lo4}}), listen(t, cfg)
	if _, ok := b.sockets()[0].r.(stickyReader); !ok {
		t.Skip("no sticky reads here: they need the batch path (Linux recvmmsg)")
	}
	inside, proceed := make(chan struct{}, 1), make(chan struct{})
	setStickyPush(t, a, b, func(_ int, msgs []Message, wait bool) (int, bool) {
		n := len(msgs)
		b.ReleaseBatch(msgs)
		if !wait { // within the sticky read: the reply goes out from here
			inside <- struct{}{}
			<-proceed
			_ = b.WriteTo(numbered(9), a.LocalAddrs()[0], lo4b)
		}
		return n, false
	})
	require.NoError(t, a.WriteTo(numbered(0), netip.AddrPortFrom(lo4, uint16(b.Port())), netip.Addr{}))
	select {
	case <-inside:
	case <-time.After(10 * time.Second):
		t.Fatal("the datagram was not offered within a sticky read")
	}
	b.SetHook(func(d Direction, _, _ netip.AddrPort, _ []byte) Verdict {
		if d == Out {
			return Delay(time.Millisecond)
		}
		return Pass
	})
	done := make(chan error, 1)
	go func() { done <- b.Unbind([]netip.Addr{lo4}) }()
	time.Sleep(100 * time.Millisecond) // Unbind holds c.mu, waiting in the socket's Close
	close(proceed)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Unbind deadlocked with the reader's write inside its sticky read")
	}
}

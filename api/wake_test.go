package api

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// waiting waits until q of s has n callers.
func waiting(t *testing.T, s *Socket, q *stack.WaitQueue, n int) {
	t.Helper()
	waitCount(t, s, q.Len, n)
}

// sending waits until n callers of s wait for send buffer space, on the
// queues of any of its associations.
func sending(t *testing.T, s *Socket, n int) {
	t.Helper()
	waitCount(t, s, func() int { return sendersWaiting(s) }, n)
}

// sendersWaiting returns the callers of s waiting for send buffer space.
// Call it with the stack locked.
func sendersWaiting(s *Socket) int {
	got := 0
	for _, q := range s.senders {
		got += q.Len()
	}
	return got
}

// waitCount waits until count, called with the stack locked, returns n.
func waitCount(t *testing.T, s *Socket, count func() int, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		got := 0
		_ = s.stk.Do(func(timer.Time) error { got = count(); return nil })
		return got == n
	}, 10*time.Second, time.Millisecond)
}

// A message on one Conn wakes its reader, not the readers of the idle
// Conns: with 100 idle Conns, each with a server goroutine blocked in
// Read, an echo round trip costs the server a few wake-ups (the reader,
// then the writer), not one per idle reader.
func TestWakeOnlyTheReader(t *testing.T) {
	noLeak(t)
	const idle, trips = 100, 20
	e := newIdleEcho(t, idle)
	c := e.active()
	require.NoError(t, c.SetDeadline(time.Now().Add(20*time.Second)))
	msg, buf := []byte("ping"), make([]byte, 4)
	w0 := e.wakeups()
	for range trips {
		_, err := c.Write(msg)
		require.NoError(t, err)
		_, err = io.ReadFull(c, buf)
		require.NoError(t, err)
	}
	per := float64(e.wakeups()-w0) / trips
	t.Logf("%.1f wake-ups per round trip with %d idle readers", per, idle)
	require.LessOrEqual(t, per, 6.0, "the idle readers were woken")
}

// Dial succeeds while 1,000 accepted Conns each have a goroutine blocked
// in Read (100 under the race detector, whose cost grows with the
// goroutines), and the new Conn echoes.
func TestDialWithIdleConns(t *testing.T) {
	noLeak(t)
	idle := 1000
	if raceDetector {
		idle = 100
	}
	e := newIdleEcho(t, idle)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, "sctp", e.l.Addr().String(), append(scaleClientOpts(e.l), Port(39999))...)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(20*time.Second)))
	_, err = c.Write([]byte("hello"))
	require.NoError(t, err)
	buf := make([]byte, 5)
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	require.Equal(t, "hello", string(buf))
}

// Active mode delivers for the socket that was notified only: a message
// on one of many active accepted sockets runs that socket's delivery, not
// every socket's.
func TestWakeOnlyTheActiveSocket(t *testing.T) {
	noLeak(t)
	const idle, msgs = 50, 20
	srv := server(t, append(scaleServerOpts(), Type(Stream))...)
	var cli *Socket
	var acc *Socket
	for i := range idle + 1 {
		// Distinct SCTP ports (see newIdleEcho).
		cli = clientOf(t, srv, Type(Stream), SCTPNodelay(true), Port(uint16(40000+i)))
		connect(t, cli, srv)
		a, err := srv.Accept(testCtx(t))
		require.NoError(t, err)
		t.Cleanup(func() { a.Close() })
		require.NoError(t, a.SetOpts(Active(ActiveTrue)))
		up := next(t, a.Deliveries())
		require.Equal(t, CommUp, up.Event.(*AssocChange).State)
		acc = a
	}
	w0 := srv.stk.Wakeups()
	for range msgs {
		require.NoError(t, cli.Send(0, 0, []byte("m")))
		require.Equal(t, "m", string(nextData(t, acc.Deliveries()).Data))
	}
	per := float64(srv.stk.Wakeups()-w0) / msgs
	t.Logf("%.1f wake-ups per message with %d idle active sockets", per, idle)
	require.LessOrEqual(t, per, 4.0, "the idle sockets' deliveries ran")
}

// Changes of the socket itself wake its callers: a Recv blocked when the
// socket turns active fails with ErrActive; a Send blocked on a full send
// buffer (the peer reads nothing, its window is closed) goes through when
// the buffer grows; a Send blocked when the socket closes fails with
// net.ErrClosed.
func TestWakeOnSocketChanges(t *testing.T) {
	noLeak(t)
	srv := server(t, Recbuf(4000))
	cli := clientOf(t, srv, Sndbuf(4000), SCTPNodelay(true))
	ac := connect(t, cli, srv)

	recvErr := make(chan error, 1)
	go func() {
		_, err := cli.Recv(testCtx(t))
		recvErr <- err
	}()
	waiting(t, cli, &cli.rq, 1)
	require.NoError(t, cli.SetOpts(Active(ActiveTrue)))
	select {
	case err := <-recvErr:
		require.ErrorIs(t, err, ErrActive)
	case <-time.After(10 * time.Second):
		t.Fatal("Recv not woken by the change of mode")
	}

	blocked := sendUntilBlocked(t, cli, ac.AssocID)
	require.NoError(t, cli.SetOpts(Sndbuf(1<<20)))
	select {
	case err := <-blocked:
		require.NoError(t, err, "the larger buffer takes it")
	case <-time.After(10 * time.Second):
		t.Fatal("Send not woken by the larger buffer")
	}

	blocked = sendUntilBlocked(t, cli, ac.AssocID)
	require.NoError(t, cli.SetOpts(Linger(true, 0)))
	require.NoError(t, cli.Close())
	select {
	case err := <-blocked:
		require.ErrorIs(t, err, net.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Send not woken by Close")
	}
}

// Send buffer space freed on one association wakes the senders of that
// association only: with K associations whose peers do not read, each
// with a goroutine blocked in Send, the traffic of a busy association
// on the same one-to-many socket costs a few wake-ups per message, not K.
func TestWakeOnlyTheAssociationSenders(t *testing.T) {
	noLeak(t)
	const K, msgs = 40, 30
	// Closed with an ABORT: their queued data would never be read.
	srv := server(t, Sndbuf(4000), SCTPNodelay(true), Linger(true, 0))
	var ids []AssocID
	var clis []*Socket
	for i := range K + 1 {
		// Distinct SCTP ports (see newIdleEcho).
		cli := clientOf(t, srv, Recbuf(4000), Port(uint16(42000+i)), Linger(true, 0))
		connect(t, cli, srv)
		up := recvEvent[*AssocChange](t, srv)
		ids = append(ids, up.AssocID)
		clis = append(clis, cli)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for _, id := range ids[:K] { // their peers never read: their senders block
		wg.Add(1)
		go func() {
			defer wg.Done()
			for srv.SendContext(ctx, id, 0, make([]byte, 3000)) == nil {
			}
		}()
	}
	sending(t, srv, K)
	busy, cli := ids[K], clis[K] // its peer reads every message
	w0 := srv.stk.Wakeups()
	for range msgs {
		require.NoError(t, srv.SendContext(testCtx(t), busy, 0, []byte("m")))
		recvData(t, cli)
		sending(t, srv, K) // the senders woken, if any, are back asleep
	}
	per := float64(srv.stk.Wakeups()-w0) / msgs
	t.Logf("%.1f wake-ups per message on the busy association with %d blocked senders on others", per, K)
	require.Less(t, per, 6.0, "senders of other associations were woken")
}

// A delivery wakes one of the readers blocked on a socket, not all: with
// R goroutines in Recv on a one-to-many socket, a message costs a few
// wake-ups, not R; and every message is received.
func TestWakeOneReaderPerDelivery(t *testing.T) {
	noLeak(t)
	const R, msgs = 40, 30
	srv := server(t)
	cli := clientOf(t, srv, SCTPNodelay(true))
	ac := connect(t, cli, srv)
	recvEvent[*AssocChange](t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	got := make(chan struct{}, msgs)
	for range R {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				d, err := srv.Recv(ctx)
				if err != nil {
					return
				}
				if d.Kind == KindData {
					got <- struct{}{}
				}
			}
		}()
	}
	waiting(t, srv, &srv.rq, R)
	w0 := srv.stk.Wakeups()
	for range msgs {
		require.NoError(t, cli.Send(ac.AssocID, 0, []byte("m")))
		select {
		case <-got:
		case <-time.After(10 * time.Second):
			t.Fatal("message not received")
		}
		waiting(t, srv, &srv.rq, R) // the woken reader is back asleep
	}
	per := float64(srv.stk.Wakeups()-w0) / msgs
	t.Logf("%.1f wake-ups per message with %d readers", per, R)
	require.Less(t, per, 6.0, "every reader was woken")
}

// sendUntilBlocked sends 3000-byte messages on assoc of s until one
// blocks (the peer reads nothing), and returns the result of that one,
// once its Send waits.
func sendUntilBlocked(t *testing.T, s *Socket, assoc AssocID) <-chan error {
	t.Helper()
	for range 1000 {
		errc := make(chan error, 1)
		go func() { errc <- s.SendContext(testCtx(t), assoc, 0, make([]byte, 3000)) }()
		// Either the Send completes (there was room: send another) or it
		// waits on its association's queue. (A slow machine may take
		// longer than any fixed delay to do either.)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case err := <-errc:
				require.NoError(t, err)
				goto next
			case <-time.After(time.Millisecond):
			}
			got := 0
			_ = s.stk.Do(func(timer.Time) error { got = sendersWaiting(s); return nil })
			if got == 1 {
				return errc
			}
		}
		t.Fatal("Send neither completed nor waited")
	next:
	}
	t.Fatal("Send never blocked")
	panic("unreachable")
}

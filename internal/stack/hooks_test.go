package stack

import (
	"context"
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// Hooks run under the lock after every change: at AddHook, after Do and
// after each evaluation of a Wait condition; not after RemoveHook.
func TestHookRuns(t *testing.T) {
	s := newStack(t)
	runs := 0
	h, err := s.AddHook(func(timer.Time) bool { runs++; return false })
	require.NoError(t, err)
	count := func() int {
		n := 0
		_ = s.Do(func(timer.Time) error { n = runs; return nil })
		return n
	}
	// count's own Do runs the hooks after reading.
	require.Equal(t, 1, count(), "once at AddHook")
	require.Equal(t, 2, count(), "after the Do of count")
	evals := 0
	require.NoError(t, s.Wait(context.Background(), func(timer.Time) bool { evals++; return true }))
	require.Equal(t, 1, evals)
	require.Equal(t, 4, count(), "after the Do of count and the Wait condition")
	s.RemoveHook(h)
	s.RemoveHook(h) // no-op
	s.RemoveHook(nil)
	require.Equal(t, 5, count())
	require.Equal(t, 5, count(), "removed: runs no more")
}

// A hook that asks for it wakes the waiters although no condition is
// done: a Wait blocked in another goroutine re-evaluates its condition.
func TestHookWakes(t *testing.T) {
	s := newStack(t)
	wake := false
	_, err := s.AddHook(func(timer.Time) bool { w := wake; wake = false; return w })
	require.NoError(t, err)
	evals := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- s.Wait(ctx, func(timer.Time) bool {
			select {
			case evals <- struct{}{}:
			default:
			}
			return false
		})
	}()
	<-evals // first evaluation
	// A Wait condition of another caller during which the hook asks to
	// wake: the blocked Wait evaluates again.
	require.NoError(t, s.Wait(ctx, func(timer.Time) bool { wake = true; return true }))
	select {
	case <-evals:
	case <-time.After(10 * time.Second):
		t.Fatal("the blocked Wait was not woken")
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// A value parked for a full channel is sent by the stack's sender
// goroutine once the channel has room; sent runs once, under the lock,
// and the sender goroutine exits when nothing is parked any more.
func TestParkSendsWhenRoom(t *testing.T) {
	s := newStack(t)
	ch := make(chan int, 1)
	ch <- 1
	var p Parked
	sent := 0
	require.NoError(t, s.Do(func(timer.Time) error {
		Park(s, &p, ch, 2, func(timer.Time) { sent++ })
		require.True(t, p.IsParked())
		Park(s, &p, ch, 3, func(timer.Time) { sent += 100 }) // already parked: ignored
		return nil
	}))
	require.Equal(t, 1, <-ch)
	require.Equal(t, 2, <-ch)
	require.Eventually(t, func() bool {
		var ok bool
		_ = s.Do(func(timer.Time) error { ok = sent == 1 && !p.IsParked() && !s.sending; return nil })
		return ok
	}, 10*time.Second, time.Millisecond, "sent once, the sender gone")
	select {
	case v := <-ch:
		t.Fatalf("unexpected value %d", v)
	default:
	}
}

// Unpark cancels a parked value: after it returns the value was sent and
// its sent function ran, or it is never sent. Raced against a reader, the
// two always agree.
func TestUnparkSentOrNot(t *testing.T) {
	s := newStack(t)
	for i := range 200 {
		ch := make(chan int) // unbuffered: sent only when read
		var p Parked
		sent := false
		require.NoError(t, s.Do(func(timer.Time) error {
			Park(s, &p, ch, i, func(timer.Time) { sent = true })
			return nil
		}))
		got := make(chan bool, 1)
		go func() {
			select {
			case v := <-ch:
				if v != i {
					panic("wrong value")
				}
				got <- true
			case <-time.After(time.Duration(i%3) * time.Millisecond):
				got <- false
			}
		}()
		if i%2 == 0 {
			time.Sleep(time.Duration(i%4) * time.Millisecond)
		}
		s.Unpark(&p)
		var wasSent, parked bool
		_ = s.Do(func(timer.Time) error { wasSent, parked = sent, p.IsParked(); return nil })
		require.False(t, parked, "iteration %d", i)
		// After Unpark nothing more is sent: the reader either got the
		// value already (and sent ran) or times out.
		require.Equal(t, wasSent, <-got, "iteration %d: sent function and reader disagree", i)
	}
}

// Close stops the sender goroutine even while values are parked, and
// Unpark on the closed stack returns.
func TestCloseWithParked(t *testing.T) {
	s := newStack(t)
	ch := make(chan int)
	var p Parked
	require.NoError(t, s.Do(func(timer.Time) error {
		Park(s, &p, ch, 1, func(timer.Time) { t.Error("sent on a closed stack") })
		return nil
	}))
	require.NoError(t, s.Close())
	require.False(t, s.sending, "the sender goroutine exited")
	s.Unpark(&p)
	require.False(t, p.IsParked())
	_, err := s.AddHook(func(timer.Time) bool { return false })
	require.ErrorIs(t, err, ErrClosed)
}

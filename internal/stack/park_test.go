package stack

import (
	"testing"
	"time"

	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// A value parked for a full channel is sent by its goroutine once the
// channel has room; sent runs once, under the lock, and the goroutine
// exits.
func TestParkSendsWhenRoom(t *testing.T) {
	s := newStack(t)
	ch := make(chan int, 1)
	ch <- 1
	var p Parker[int]
	sent := 0
	require.NoError(t, s.Do(func(timer.Time) error {
		p.Park(s, ch, 2, func(timer.Time) { sent++ })
		require.True(t, p.IsParked())
		p.Park(s, ch, 3, func(timer.Time) { sent += 100 }) // already parked: ignored
		return nil
	}))
	require.Equal(t, 1, <-ch)
	require.Equal(t, 2, <-ch)
	exited := p.exited
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the goroutine of the parked value did not exit")
	}
	var parked bool
	_ = s.Do(func(timer.Time) error { parked = p.IsParked(); return nil })
	require.False(t, parked)
	require.Equal(t, 1, sent)
	select {
	case v := <-ch:
		t.Fatalf("unexpected value %d", v)
	default:
	}
}

// The sent function may park the next value at once (a sender draining
// a queue into a slow channel): each value goes out in order.
func TestParkFromSent(t *testing.T) {
	s := newStack(t)
	ch := make(chan int)
	var p Parker[int]
	next := 0
	var sent func(timer.Time)
	sent = func(timer.Time) {
		if next++; next < 5 {
			p.Park(s, ch, next, sent)
		}
	}
	require.NoError(t, s.Do(func(timer.Time) error { p.Park(s, ch, 0, sent); return nil }))
	for i := range 5 {
		select {
		case v := <-ch:
			require.Equal(t, i, v)
		case <-time.After(10 * time.Second):
			t.Fatalf("value %d not sent", i)
		}
	}
	p.Unpark(s)
	require.Equal(t, 5, next)
}

// Unpark cancels a parked value: after it returns the value was sent and
// its sent function ran, or it is never sent. Raced against a reader, the
// two always agree.
func TestUnparkSentOrNot(t *testing.T) {
	s := newStack(t)
	for i := range 200 {
		ch := make(chan int) // unbuffered: sent only when read
		var p Parker[int]
		sent := false
		require.NoError(t, s.Do(func(timer.Time) error {
			p.Park(s, ch, i, func(timer.Time) { sent = true })
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
		p.Unpark(s)
		var wasSent, parked bool
		_ = s.Do(func(timer.Time) error { wasSent, parked = sent, p.IsParked(); return nil })
		require.False(t, parked, "iteration %d", i)
		// After Unpark nothing more is sent: the reader either got the
		// value already (and sent ran) or times out.
		require.Equal(t, wasSent, <-got, "iteration %d: sent function and reader disagree", i)
	}
}

// Close stops the goroutines of parked values and waits for them; Unpark
// on the closed stack returns, and Park does nothing.
func TestCloseWithParked(t *testing.T) {
	s := newStack(t)
	ch := make(chan int)
	var p, q Parker[int]
	require.NoError(t, s.Do(func(timer.Time) error {
		p.Park(s, ch, 1, func(timer.Time) { t.Error("sent on a closed stack") })
		return nil
	}))
	exited := p.exited
	require.NoError(t, s.Close())
	select {
	case <-exited:
	default:
		t.Fatal("Close returned before the goroutine of the parked value exited")
	}
	p.Unpark(s)
	require.False(t, p.IsParked())
	s.mu.Lock()
	q.Park(s, ch, 2, func(timer.Time) {})
	parked := q.IsParked()
	s.mu.Unlock()
	require.False(t, parked, "closed: not parked")
}

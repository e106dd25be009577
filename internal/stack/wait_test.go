package stack

import (
	"context"
	"testing"
	"time"

	"github.com/gensctp/gensctp/endpoint"
	"github.com/gensctp/gensctp/timer"
	"github.com/stretchr/testify/require"
)

// waitCtx returns a context that bounds a test's waits.
func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// blockOn starts a WaitOn on q whose condition counts its evaluations
// (read under the lock) and holds until *until; it returns the channel
// of its result, once it waits.
func blockOn(t *testing.T, ctx context.Context, s *Stack, q *WaitQueue, evals *int, until *bool) <-chan error {
	t.Helper()
	n0 := queued(s, q)
	done := make(chan error, 1)
	go func() {
		done <- s.WaitOn(ctx, q, func(timer.Time) bool { *evals++; return *until })
	}()
	require.Eventually(t, func() bool { return queued(s, q) == n0+1 }, 10*time.Second, time.Millisecond,
		"the caller waits on its queue")
	return done
}

// queued returns the number of callers waiting on q.
func queued(s *Stack, q *WaitQueue) int {
	n := 0
	_ = s.Do(func(timer.Time) error { n = q.Len(); return nil })
	return n
}

// Waking a queue wakes its callers only: a caller on another queue does
// not evaluate its condition again, nor does an operation that changes
// nothing wake anyone.
func TestWaitOnWakesItsQueueOnly(t *testing.T) {
	s := newStack(t)
	ctx := waitCtx(t)
	var qa, qb WaitQueue
	var ea, eb int
	var ua, ub bool
	da := blockOn(t, ctx, s, &qa, &ea, &ua)
	db := blockOn(t, ctx, s, &qb, &eb, &ub)
	for range 10 {
		require.NoError(t, s.Do(func(timer.Time) error { return nil }))
	}
	evals := func() (int, int) {
		var a, b int
		_ = s.Do(func(timer.Time) error { a, b = ea, eb; return nil })
		return a, b
	}
	a, b := evals()
	require.Equal(t, 1, a, "nothing changed: evaluated once")
	require.Equal(t, 1, b)

	require.NoError(t, s.Do(func(timer.Time) error { ua = true; qa.Wake(); return nil }))
	require.NoError(t, <-da)
	a, b = evals()
	require.Equal(t, 2, a)
	require.Equal(t, 1, b, "the other queue was not woken")
	require.NoError(t, s.Do(func(timer.Time) error { ub = true; qb.Wake(); return nil }))
	require.NoError(t, <-db)
	_ = s.Do(func(timer.Time) error {
		require.Zero(t, qa.Len()+qb.Len(), "the callers left their queues")
		return nil
	})
	require.Equal(t, uint64(4), s.Wakeups())
}

// A caller waits on its queue from its first failing evaluation: a wake
// made right after it (here by a task its condition scheduled, run before
// the lock is released) is not lost.
func TestWaitOnNoLostWakeup(t *testing.T) {
	s := newStack(t)
	var q WaitQueue
	ready := false
	task := &Task{Run: func(timer.Time) { ready = true; q.Wake() }}
	evals := 0
	require.NoError(t, s.WaitOn(waitCtx(t), &q, func(timer.Time) bool {
		evals++
		if !ready {
			s.Schedule(task)
		}
		return ready
	}))
	require.Equal(t, 2, evals)
}

// A blocked WaitOn ends with its context or when the stack closes, and
// leaves its queue.
func TestWaitOnEnds(t *testing.T) {
	s := newStack(t)
	var q WaitQueue
	var evals int
	var never bool
	ctx, cancel := context.WithCancel(waitCtx(t))
	done := blockOn(t, ctx, s, &q, &evals, &never)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	_ = s.Do(func(timer.Time) error { require.Zero(t, q.Len()); return nil })

	done = blockOn(t, waitCtx(t), s, &q, &evals, &never)
	require.NoError(t, s.Close())
	require.ErrorIs(t, <-done, ErrClosed)
	require.ErrorIs(t, s.WaitOn(waitCtx(t), &q, func(timer.Time) bool { return true }), ErrClosed)
}

// Wait (the stack's own queue) is woken by every operation, as simple
// users of the stack expect.
func TestWaitWokenByEveryChange(t *testing.T) {
	s := newStack(t)
	var evals int
	var until bool
	done := blockOn(t, waitCtx(t), s, &s.wake.any, &evals, &until)
	require.NoError(t, s.Do(func(timer.Time) error { until = true; return nil }))
	require.NoError(t, <-done)
}

// A task scheduled several times before it runs runs once, after the
// function of Do; one it schedules again runs again, in the next round.
func TestScheduleOnce(t *testing.T) {
	s := newStack(t)
	runs, order := 0, ""
	var task *Task
	task = &Task{Run: func(timer.Time) {
		runs++
		order += "t"
		if runs == 1 {
			s.Schedule(task)
		}
	}}
	require.NoError(t, s.Do(func(timer.Time) error {
		s.Schedule(task)
		s.Schedule(task)
		order += "f"
		return nil
	}))
	require.Equal(t, 2, runs)
	require.Equal(t, "ftt", order)
}

// The watcher of an endpoint gets the associations that changed: over
// real sockets, a client's watcher hears of its association (set up, then
// a message to poll) and wakes the reader waiting on its queue, which
// Wait's callers never were.
func TestWatchWakesReader(t *testing.T) {
	srv, cli := newStack(t), newStack(t)
	ctx := waitCtx(t)
	sep, err := srv.AddEndpoint(epConfig(7))
	require.NoError(t, err)
	require.NoError(t, srv.Do(func(timer.Time) error { sep.Listen(true); return nil }))
	go echo(ctx, srv, sep)
	cep, err := cli.AddEndpoint(epConfig(40000))
	require.NoError(t, err)
	var q WaitQueue
	var seen []endpoint.Change
	require.NoError(t, cli.Watch(cep, func(_ timer.Time, cs []endpoint.Change) {
		seen = append(seen, cs...)
		q.Wake()
	}))
	require.ErrorIs(t, cli.Watch(sep, nil), ErrNoEndpoint)
	var id endpoint.AssocID
	require.NoError(t, cli.Do(func(now timer.Time) error {
		id, err = cep.Connect(now, srv.LocalAddrs(), 7, nil)
		return err
	}))
	got := ""
	require.NoError(t, cli.WaitOn(ctx, &q, func(now timer.Time) bool {
		for {
			_, d, ok := cep.Poll()
			if !ok {
				return got != ""
			}
			if d.Event == nil {
				got = string(d.Message.Data)
				continue
			}
			a, _ := cep.Assoc(id)
			_ = a.SendDefault(now, 0, []byte("ping"))
		}
	}))
	require.Equal(t, "ping", got)
	var what endpoint.Readiness
	for _, c := range seen {
		require.Equal(t, id, c.ID, "only the client's association")
		what |= c.What
	}
	require.Equal(t, endpoint.StateChanged|endpoint.Readable, what&(endpoint.StateChanged|endpoint.Readable))
}

// WaitOnUntil ends with ErrExpired when its expire channel closes, and
// leaves its queue; a nil expire, or one not closed, changes nothing.
func TestWaitOnUntilExpires(t *testing.T) {
	s := newStack(t)
	ctx := waitCtx(t)
	var q WaitQueue
	expire := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.WaitOnUntil(ctx, expire, &q, func(timer.Time) bool { return false })
	}()
	require.Eventually(t, func() bool {
		n := 0
		_ = s.Do(func(timer.Time) error { n = q.Len(); return nil })
		return n == 1
	}, 10*time.Second, time.Millisecond, "the caller waits on its queue")
	close(expire)
	require.ErrorIs(t, <-done, ErrExpired)
	_ = s.Do(func(timer.Time) error {
		require.Zero(t, q.Len(), "the caller left its queue")
		return nil
	})
	require.NoError(t, s.WaitOnUntil(ctx, expire, &q, func(timer.Time) bool { return true }),
		"a condition that holds at once returns nil, expired or not")
}

// WakeOne wakes one caller, the one that has waited longest among those
// not woken yet: a caller woken for nothing that waits again goes to the
// back of the queue.
func TestWakeOne(t *testing.T) {
	s := newStack(t)
	ctx := waitCtx(t)
	var q WaitQueue
	var evals [3]int
	var until [3]bool
	var done [3]<-chan error
	for i := range done {
		done[i] = blockOn(t, ctx, s, &q, &evals[i], &until[i])
	}
	wakeOne := func(n int) {
		_ = s.Do(func(timer.Time) error {
			for range n {
				q.WakeOne()
			}
			return nil
		})
	}
	evaluated := func(want [3]int) {
		t.Helper()
		require.Eventually(t, func() bool {
			var got [3]int
			_ = s.Do(func(timer.Time) error { got = evals; return nil })
			return got == want && queued(s, &q) == 3
		}, 10*time.Second, time.Millisecond, "evaluations %v", want)
	}
	wakeOne(1)
	evaluated([3]int{2, 1, 1}) // the first; it waits again, behind the others
	wakeOne(2)
	evaluated([3]int{2, 2, 2})
	wakeOne(1)
	evaluated([3]int{3, 2, 2})
	_ = s.Do(func(timer.Time) error { until = [3]bool{true, true, true}; q.Wake(); return nil })
	for _, d := range done {
		require.NoError(t, <-d)
	}
}

// A caller that WakeOne chose but whose context ended before it
// evaluates its condition wakes another caller in its place: the change
// is not lost. (Its context ends while the lock is held, just before the
// wake-up: which it sees first may vary, so the case is played several
// times.)
func TestWakeOnePassedOnByCancelled(t *testing.T) {
	s := newStack(t)
	for range 20 {
		var q WaitQueue
		var ea, eb int
		var ua, ub bool
		ctxA, cancelA := context.WithCancel(waitCtx(t))
		da := blockOn(t, ctxA, s, &q, &ea, &ua)
		db := blockOn(t, waitCtx(t), s, &q, &eb, &ub)
		_ = s.Do(func(timer.Time) error { cancelA(); q.WakeOne(); return nil })
		require.ErrorIs(t, <-da, context.Canceled)
		require.Eventually(t, func() bool {
			looked := false
			_ = s.Do(func(timer.Time) error { looked = ea == 2 || eb == 2; return nil })
			return looked
		}, 10*time.Second, time.Millisecond, "neither the chosen caller nor another evaluated")
		_ = s.Do(func(timer.Time) error { ub = true; q.Wake(); return nil })
		require.NoError(t, <-db)
	}
}

// A condition that consumes one of several items wakes the next caller
// with WakeOne: not itself (it is off the queue while it evaluates), so
// each item finds a caller.
func TestWakeOneFromCondition(t *testing.T) {
	s := newStack(t)
	ctx := waitCtx(t)
	var q WaitQueue
	items := 0
	take := func(timer.Time) bool {
		if items == 0 {
			return false
		}
		if items--; items > 0 {
			q.WakeOne()
		}
		return true
	}
	done := make(chan error, 3)
	for i := range 3 {
		go func() { done <- s.WaitOn(ctx, &q, take) }()
		require.Eventually(t, func() bool { return queued(s, &q) == i+1 }, 10*time.Second, time.Millisecond)
	}
	_ = s.Do(func(timer.Time) error { items = 3; q.WakeOne(); return nil })
	for range 3 {
		require.NoError(t, <-done)
	}
}

// WaitForUntil waits on the queue its condition names, which may change from
// one evaluation to the next: a caller that moved to another queue is
// woken by that one only.
func TestWaitForMovesBetweenQueues(t *testing.T) {
	s := newStack(t)
	var qa, qb WaitQueue
	evals, stage := 0, 0
	done := make(chan error, 1)
	go func() {
		done <- s.WaitForUntil(waitCtx(t), nil, func(timer.Time) *WaitQueue {
			evals++
			return [...]*WaitQueue{&qa, &qb, nil}[stage]
		})
	}()
	require.Eventually(t, func() bool { return queued(s, &qa) == 1 }, 10*time.Second, time.Millisecond)
	_ = s.Do(func(timer.Time) error { stage = 1; qa.Wake(); return nil })
	require.Eventually(t, func() bool { return queued(s, &qb) == 1 }, 10*time.Second, time.Millisecond)
	_ = s.Do(func(timer.Time) error {
		require.Zero(t, qa.Len())
		stage = 2
		qa.Wake() // not its queue any more
		return nil
	})
	_ = s.Do(func(timer.Time) error { require.Equal(t, 2, evals); qb.Wake(); return nil })
	require.NoError(t, <-done)
	require.Equal(t, 3, evals)
}

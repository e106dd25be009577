package api

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// net.Conn deadline semantics: setting a deadline for the first time, or
// moving it, applies to the calls already pending; an expired deadline
// fails calls at once until it is set again.
func TestDeadlineMovesPendingCalls(t *testing.T) {
	noLeak(t)
	srv := server(t)
	errc := make(chan error, 2)
	go func() {
		_, err := srv.Recv(context.Background())
		errc <- err
	}()
	go func() {
		_, err := srv.Recv(testCtx(t)) // a cancellable context too
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, srv.SetReadDeadline(time.Now().Add(-time.Second)))
	for range 2 {
		select {
		case err := <-errc:
			require.ErrorIs(t, err, os.ErrDeadlineExceeded)
		case <-time.After(10 * time.Second):
			t.Fatal("pending Recv not timed out")
		}
	}
	_, err := srv.Recv(context.Background())
	require.ErrorIs(t, err, os.ErrDeadlineExceeded, "still expired")

	// A far deadline moved closer applies to the pending call.
	require.NoError(t, srv.SetReadDeadline(time.Now().Add(time.Hour)))
	go func() {
		_, err := srv.Recv(context.Background())
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, srv.SetReadDeadline(time.Now().Add(20*time.Millisecond)))
	select {
	case err := <-errc:
		require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	case <-time.After(10 * time.Second):
		t.Fatal("pending Recv not timed out")
	}

	// Cleared: calls block again (until their context ends).
	require.NoError(t, srv.SetReadDeadline(time.Time{}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err = srv.Recv(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestDeadlineSetRace(t *testing.T) {
	var d deadline
	for i := range 200 {
		d.set(time.Now().Add(time.Duration(i%3) * time.Microsecond))
		_ = d.expired()
		_ = d.done()
	}
	d.set(time.Time{})
	require.False(t, d.expired())
}

// A deadline moved ahead does not pass when its earlier time comes (the
// timer's run for it, if already under way, arms the timer again), and
// moving it costs nothing while it has not passed: the pending calls
// keep their channel. Once it passed, setting it again starts anew.
func TestDeadlineMoved(t *testing.T) {
	var d deadline
	d.set(time.Now().Add(time.Hour))
	ch := d.done()
	allocs := testing.AllocsPerRun(100, func() {
		d.set(time.Now().Add(time.Millisecond))
		d.set(time.Now().Add(time.Hour))
	})
	require.Zero(t, allocs)
	time.Sleep(20 * time.Millisecond)
	require.False(t, d.expired(), "moved ahead before it passed")
	require.Equal(t, ch, d.done(), "the same channel")

	d.set(time.Now().Add(5 * time.Millisecond))
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("not passed")
	}
	require.True(t, d.expired())
	d.set(time.Now().Add(time.Hour))
	require.False(t, d.expired(), "a new deadline")
	require.NotEqual(t, ch, d.done())
	d.set(time.Now().Add(-time.Second))
	require.True(t, d.expired(), "set in the past: passed at once")
}

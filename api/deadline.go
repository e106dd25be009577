package api

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// errClosed is the error of operations on a closed socket.
var errClosed = net.ErrClosed

// deadline is a read or write deadline with net.Conn semantics: it applies
// to pending and future calls, and setting it, even for the first time,
// moves it for the pending calls too. It is a context cancelled (with
// cause os.ErrDeadlineExceeded) when the deadline passes, so that it
// composes with the caller's context; once it has passed, the next set
// starts a new one.
type deadline struct {
	mu     sync.Mutex
	ctx    context.Context // nil until first used
	cancel context.CancelCauseFunc
	timer  *time.Timer
}

// set sets the deadline; the zero time means none.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fired := d.timer != nil && !d.timer.Stop() // firing: its context ends
	d.timer = nil
	if d.ctx == nil || fired || d.ctx.Err() != nil {
		d.ctx, d.cancel = context.WithCancelCause(context.Background())
	}
	if t.IsZero() {
		return
	}
	dur := time.Until(t)
	if dur <= 0 {
		d.cancel(os.ErrDeadlineExceeded)
		return
	}
	cancel := d.cancel
	d.timer = time.AfterFunc(dur, func() { cancel(os.ErrDeadlineExceeded) })
}

// current returns the deadline's context, which pending calls keep
// watching when the deadline moves.
func (d *deadline) current() context.Context {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		d.ctx, d.cancel = context.WithCancelCause(context.Background())
	}
	return d.ctx
}

// merge returns a context that ends with ctx or with the deadline, and
// the function that releases it. Without a cancellable ctx it is the
// deadline's context itself (no cost).
func (d *deadline) merge(ctx context.Context) (context.Context, func()) {
	dctx := d.current()
	if ctx.Done() == nil {
		return dctx, func() {}
	}
	c, cancel := context.WithCancelCause(ctx)
	if dctx.Err() != nil {
		cancel(os.ErrDeadlineExceeded)
		return c, func() {}
	}
	stop := context.AfterFunc(dctx, func() { cancel(os.ErrDeadlineExceeded) })
	return c, func() { stop(); cancel(nil) }
}

// cause returns the error to report for a wait on ctx (from merge) that
// failed with err: os.ErrDeadlineExceeded when the deadline passed, the
// context's error when it ended, net.ErrClosed when the stack closed.
func (d *deadline) cause(ctx context.Context, err error) error {
	if errors.Is(err, net.ErrClosed) {
		return errClosed
	}
	if ctx.Err() != nil {
		if c := context.Cause(ctx); c != nil {
			return c
		}
		return ctx.Err()
	}
	return err
}

// SetReadDeadline sets the deadline of Recv and Accept: calls blocked
// then or later fail with an error satisfying errors.Is(err,
// os.ErrDeadlineExceeded) (reason timeout, Timeout() true). The zero time
// means none.
func (s *Socket) SetReadDeadline(t time.Time) error {
	s.rdl.set(t)
	return nil
}

// SetWriteDeadline sets the deadline of the Send family and Connect.
func (s *Socket) SetWriteDeadline(t time.Time) error {
	s.wdl.set(t)
	return nil
}

// SetDeadline sets both deadlines.
func (s *Socket) SetDeadline(t time.Time) error {
	s.rdl.set(t)
	s.wdl.set(t)
	return nil
}

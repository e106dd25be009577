package stack

import "time"

// Bounds of the pause between failed reads (backoff).
const (
	backoffMin = 5 * time.Millisecond
	backoffMax = time.Second
)

// backoff paces a reader goroutine whose reads keep failing with an error
// that does not close the transport (one its adapter does not know for a
// closed connection, a device gone, ...): retrying at once would spin a
// core for as long as the error lasts. The first failure is retried at
// once, the next ones after a pause of backoffMin doubling up to
// backoffMax; a read that returns packets starts again from no pause. The
// zero value is ready to use; each reader has its own.
type backoff struct {
	pause time.Duration // before the next read if it fails again
}

// next returns how long to wait before the next read, after one that
// returned n packets and err.
func (b *backoff) next(n int, err error) time.Duration {
	if err == nil || n > 0 {
		b.pause = 0
		return 0
	}
	d := b.pause
	b.pause = min(max(2*b.pause, backoffMin), backoffMax)
	return d
}

// pause waits d, or less if the stack closes: it reports false then.
func (s *Stack) pause(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}

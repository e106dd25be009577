package packetio

import (
	"sync"
	"time"
)

// Deadline is a deadline kept in user space, for transports whose reads
// cannot time out by themselves (after pipeDeadline in the standard
// library's net/pipe.go): the channel of Wait is closed while the
// deadline is past. The zero value has no deadline. Safe for concurrent
// use.
type Deadline struct {
	mu     sync.Mutex // guards timer and cancel
	timer  *time.Timer
	cancel chan struct{}
}

// initLocked makes cancel.
func (d *Deadline) initLocked() {
	if d.cancel == nil {
		d.cancel = make(chan struct{})
	}
}

// Set moves the deadline to t; a zero t clears it.
func (d *Deadline) Set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.initLocked()
	if d.timer != nil && !d.timer.Stop() {
		<-d.cancel // the timer fired: wait for its function to close cancel
	}
	d.timer = nil
	closed := isClosed(d.cancel)
	if t.IsZero() {
		if closed {
			d.cancel = make(chan struct{})
		}
		return
	}
	if dur := time.Until(t); dur > 0 {
		if closed {
			d.cancel = make(chan struct{})
		}
		cancel := d.cancel
		d.timer = time.AfterFunc(dur, func() { close(cancel) })
		return
	}
	if !closed {
		close(d.cancel)
	}
}

// Wait returns a channel that is closed when the deadline passes.
func (d *Deadline) Wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.initLocked()
	return d.cancel
}

// Stop cancels a pending timer (when the transport closes).
func (d *Deadline) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && d.timer.Stop() {
		d.timer = nil
	}
}

// Passed reports whether the deadline is past.
func (d *Deadline) Passed() bool { return isClosed(d.Wait()) }

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

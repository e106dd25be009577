package timer

import "time"

// Timer is one protocol timer held as data: a deadline, a base duration, a
// backoff policy, a restart budget and a generation counter. Nothing fires by
// itself: the owner asks Expire(now) when its clock has passed Deadline (a
// Set finds the due timer among many).
//
// The zero value is a stopped timer with ID Unnamed, BackoffFixed, no
// backoff cap and MaxRestarts 0 (one-shot). Configure the exported fields
// before the first Start; changing them later takes effect at the next
// expiry. A Timer may be embedded by value in another struct; it must not be
// copied while registered in a Set, which holds its address.
//
// Not safe for concurrent use; the caller serialises.
type Timer struct {
	// ID names the timer, for logs and Tokens.
	ID ID
	// Backoff selects the duration of automatic restarts.
	Backoff Backoff
	// running and generation fill the word of ID and Backoff: a Timer
	// takes 48 bytes, and an association holds several per path.
	running    bool
	generation uint32
	// MaxBackoff caps the duration of an automatic restart (for example
	// RTO.Max for T3-rtx, RFC 9260 Section 6.3.3 rule E2). Zero or negative
	// means no cap.
	MaxBackoff time.Duration
	// MaxRestarts is the number of automatic restarts allowed after
	// expiries since the last Start; the expiry after the last allowed
	// restart reports exhausted and stops the timer. Negative means
	// unlimited. For T1-init, MaxRestarts = Max.Init.Retransmits (RFC 9260
	// Section 4, note 2: "This MUST be repeated up to
	// 'Max.Init.Retransmits' times."), so with 8 the timer fires 9 times:
	// 8 expiries that retransmit the INIT and restart, then a 9th that
	// reports exhausted, on which the caller aborts.
	MaxRestarts int

	base        time.Duration
	deadline    Time
	expirations int
}

// Token identifies one armed instance of a Timer: its ID, its generation and
// its deadline. An I/O edge that scheduled a wake-up for a Token can ask
// Timer.Valid whether the wake-up is still current.
type Token struct {
	// ID is the Timer's ID when the Token was taken.
	ID ID
	// Generation is the Timer's generation when the Token was taken.
	Generation uint32
	// Deadline is the Timer's deadline when the Token was taken (Never if
	// it was stopped).
	Deadline Time
}

// Start (re)arms the timer: it expires at now+base, the expiry count goes
// back to zero, base becomes the duration of fixed-backoff restarts and the
// generation changes, so every earlier Token becomes stale. A negative base
// is treated as zero (due at now).
func (t *Timer) Start(now Time, base time.Duration) {
	if base < 0 {
		base = 0
	}
	t.base = base
	t.expirations = 0
	t.arm(now.Add(base))
}

// Stop disarms the timer and changes its generation. Stopping a stopped
// timer only changes the generation. Expirations keeps its value.
func (t *Timer) Stop() {
	t.running = false
	t.deadline = Never
	t.generation++
}

// Running reports whether the timer is armed.
func (t *Timer) Running() bool { return t.running }

// Deadline returns the instant the timer is due, or Never when stopped.
func (t *Timer) Deadline() Time {
	if !t.running {
		return Never
	}
	return t.deadline
}

// Generation returns a counter that changes on every Start, Stop and
// automatic restart. It wraps around after 2^32 changes.
func (t *Timer) Generation() uint32 { return t.generation }

// Expirations returns the number of expiries since the last Start,
// including the one that exhausted the timer.
func (t *Timer) Expirations() int { return t.expirations }

// Base returns the base duration: the one given to the last Start, or set by
// SetBase since.
func (t *Timer) Base() time.Duration { return t.base }

// SetBase changes the base duration without touching the current deadline;
// it takes effect at the next automatic restart (or the next Start, which
// sets its own base). A negative d is treated as zero.
func (t *Timer) SetBase(d time.Duration) {
	if d < 0 {
		d = 0
	}
	t.base = d
}

// Token returns the identity of the current armed instance.
func (t *Timer) Token() Token {
	return Token{ID: t.ID, Generation: t.generation, Deadline: t.Deadline()}
}

// Valid reports whether tok was taken from t's current armed instance: the
// timer is running and neither started, stopped nor restarted since.
func (t *Timer) Valid(tok Token) bool {
	return t.running && tok.ID == t.ID && tok.Generation == t.generation &&
		tok.Deadline == t.deadline
}

// Expire handles the timer at now. If the timer is not running or not yet
// due (now before Deadline), it returns fired = false and changes nothing.
// Otherwise the expiry is counted and fired is true; then, if MaxRestarts is
// non-negative and the count exceeds it, the timer stops and exhausted is
// true; else the timer restarts itself at now + Duration(Expirations()) with
// a new generation.
//
// The restarted deadline is always strictly after now, even for a zero
// duration, so a loop that drains Set.Due(now) terminates.
func (t *Timer) Expire(now Time) (fired, exhausted bool) {
	if !t.running || now < t.deadline {
		return false, false
	}
	t.expirations++
	if t.MaxRestarts >= 0 && t.expirations > t.MaxRestarts {
		t.Stop()
		return true, true
	}
	d := t.Duration(t.expirations)
	if d <= 0 {
		d = 1
	}
	t.arm(now.Add(d))
	return true, false
}

// Duration returns the duration of the automatic restart that follows the
// n-th expiry: Base for BackoffFixed, Base * 2^n for BackoffExponential,
// capped at MaxBackoff when that is positive. Large n saturate instead of
// overflowing.
func (t *Timer) Duration(n int) time.Duration {
	d := t.base
	if t.Backoff == BackoffExponential && d > 0 {
		d = doubled(d, n)
	}
	if t.MaxBackoff > 0 && d > t.MaxBackoff {
		d = t.MaxBackoff
	}
	return d
}

// doubled returns d * 2^n for d > 0, saturating at the largest Duration.
func doubled(d time.Duration, n int) time.Duration {
	const maxDuration = time.Duration(1<<63 - 1)
	for ; n > 0; n-- {
		if d > maxDuration/2 {
			return maxDuration
		}
		d *= 2
	}
	return d
}

func (t *Timer) arm(deadline Time) {
	t.deadline = deadline
	t.running = true
	t.generation++
}

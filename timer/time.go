package timer

import (
	"math"
	"time"
)

// Time is a monotonic instant: nanoseconds on an arbitrary timeline chosen
// by the caller (the real monotonic clock at the I/O edge, a virtual clock
// in simulations). The zero Time is a valid instant; Never is later than
// every instant.
type Time int64

// Never is later than any instant a caller can reach. A deadline of Never
// means "no deadline".
const Never Time = math.MaxInt64

// Add returns t+d, saturating at Never and at the most negative Time.
func (t Time) Add(d time.Duration) Time {
	s := t + Time(d)
	switch {
	case d > 0 && s < t:
		return Never
	case d < 0 && s > t:
		return math.MinInt64
	}
	return s
}

// Sub returns the duration t-u, saturating at the limits of time.Duration.
func (t Time) Sub(u Time) time.Duration {
	d := time.Duration(t - u)
	switch {
	case u < t && d < 0:
		return math.MaxInt64
	case u > t && d > 0:
		return math.MinInt64
	}
	return d
}

// Before reports whether t is earlier than u.
func (t Time) Before(u Time) bool { return t < u }

// After reports whether t is later than u.
func (t Time) After(u Time) bool { return t > u }

// Min returns the earlier of t and u.
func Min(t, u Time) Time {
	if u < t {
		return u
	}
	return t
}

// String formats t as a duration since the origin of its timeline, or
// "never".
func (t Time) String() string {
	if t == Never {
		return "never"
	}
	return time.Duration(t).String()
}

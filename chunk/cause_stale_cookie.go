package chunk

import (
	"encoding/binary"
	"math"
	"time"
)

// RFC 9260 Section 3.3.10.3: Stale Cookie (3)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 3         |       Cause Length = 8        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Measure of Staleness (usec.)                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// StaleCookieCause is the Stale Cookie error cause (RFC 9260 Section
// 3.3.10.3): a valid State Cookie was received after it expired.
type StaleCookieCause struct {
	// Staleness is the Measure of Staleness in microseconds: how long
	// past its expiration the cookie was received, or 0 if the sender
	// does not say.
	Staleness uint32
}

// Duration returns the Measure of Staleness as a time.Duration.
func (c *StaleCookieCause) Duration() time.Duration {
	return time.Duration(c.Staleness) * time.Microsecond
}

// SetDuration sets the Measure of Staleness to d, rounded up to a whole
// number of microseconds (RFC 9260 Section 3.3.10.3: "the difference,
// rounded up in microseconds"). Negative durations give 0; durations
// longer than 2^32-1 microseconds (about 71 minutes) saturate.
func (c *StaleCookieCause) SetDuration(d time.Duration) {
	if d <= 0 {
		c.Staleness = 0
		return
	}
	us := (d-1)/time.Microsecond + 1
	if us > math.MaxUint32 {
		us = math.MaxUint32
	}
	c.Staleness = uint32(us)
}

// CauseCode implements Cause.
func (c *StaleCookieCause) CauseCode() CauseCode { return CauseStaleCookie }

// Len implements Cause.
func (c *StaleCookieCause) Len() int { return 8 }

// Append implements Cause.
func (c *StaleCookieCause) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(CauseStaleCookie), 8)
	return binary.BigEndian.AppendUint32(b, c.Staleness)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies. The Cause Length must be 8.
func (c *StaleCookieCause) Parse(b []byte) (int, error) {
	v, n, err := openFixedCause(b, CauseStaleCookie, 8)
	if err != nil {
		return 0, err
	}
	c.Staleness = binary.BigEndian.Uint32(v)
	return n, nil
}

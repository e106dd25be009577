package sim

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// MaxDatagram is the largest datagram the network carries: the largest UDP
// payload length field. Larger datagrams are dropped and counted with the
// MTU drops, even on links without an MTU.
const MaxDatagram = 65535

// MaxQueueLimit is the largest QueueLimit that Validate accepts (1 GiB).
const MaxQueueLimit = 1 << 30

// ErrInvalidConfig is matched (errors.Is) by every error Validate returns.
var ErrInvalidConfig = errors.New("sim: invalid link configuration")

// ConfigError reports a LinkConfig field with a nonsensical value. It
// matches ErrInvalidConfig under errors.Is.
type ConfigError struct {
	// Field is the name of the offending LinkConfig field.
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error implements error.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("sim: invalid link configuration: %s %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalidConfig.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// LinkConfig describes one direction of a simulated link. The zero value is
// a perfect link: no delay, unlimited bandwidth, no loss.
type LinkConfig struct {
	// Delay is the minimum one-way latency after the datagram has been
	// serialised onto the link.
	Delay time.Duration
	// Jitter is the upper bound of a uniform extra latency in [0, Jitter];
	// the one-way latency is therefore in [Delay, Delay+Jitter]. Jitter
	// does not reorder datagrams of one link (see the package doc).
	Jitter time.Duration
	// Bandwidth is the bottleneck rate in bits per second; 0 means
	// unlimited (no serialisation delay, no queue).
	Bandwidth int64
	// QueueLimit is the number of bytes that may wait for the bottleneck
	// (the backlog not yet serialised, counting the new datagram) before
	// tail drop; 0 means unlimited. It is ignored when Bandwidth is 0.
	QueueLimit int
	// CEThreshold makes the bottleneck an ECN-marking queue (RFC 3168
	// Section 5, a step marking of the kind of DCTCP's): an ECN-capable
	// datagram (Datagram.ECN ECT(0) or ECT(1)) that finds more than
	// CEThreshold bytes waiting is marked CE (3) instead of being queued
	// unmarked; other datagrams are not marked. 0 means no marking. It is
	// ignored when Bandwidth is 0; QueueLimit still drops what does not
	// fit.
	CEThreshold int
	// Loss is the probability that a datagram is dropped.
	Loss float64
	// BurstLoss is the probability that a datagram starts a loss burst
	// (the Gilbert-Elliott model): it is dropped, and so are the
	// datagrams after it on the link while the burst lasts.
	BurstLoss float64
	// BurstLength is the mean number of datagrams a burst drops, the
	// first included: the burst goes on after each dropped datagram
	// with probability 1 - 1/BurstLength (geometric lengths). 0 or 1
	// means bursts of one datagram.
	BurstLength float64
	// Duplicate is the probability that a datagram is delivered twice.
	Duplicate float64
	// Reorder is the probability that a datagram is held back by
	// ReorderDelay extra, letting later datagrams overtake it.
	Reorder float64
	// ReorderDelay is the extra latency of a reordered datagram; it must
	// be positive when Reorder is.
	ReorderDelay time.Duration
	// Corrupt is the probability of flipping 1 to 3 distinct random bits
	// of a datagram.
	Corrupt float64
	// MTU is the largest datagram (UDP payload) in bytes the link carries;
	// larger ones are dropped and counted. 0 means unlimited (up to
	// MaxDatagram).
	MTU int
	// Down cuts the link: every datagram sent on it is dropped. Datagrams
	// already in flight when the link goes down are still delivered.
	Down bool
}

// Validate reports the first nonsensical field of c as a *ConfigError:
// negative durations, rates, limits or MTU, probabilities outside [0, 1]
// (or NaN), a BurstLength outside [0, 1e9], a QueueLimit or CEThreshold above MaxQueueLimit, or Reorder without a positive
// ReorderDelay.
func (c LinkConfig) Validate() error {
	durations := [...]struct {
		name string
		d    time.Duration
	}{{"Delay", c.Delay}, {"Jitter", c.Jitter}, {"ReorderDelay", c.ReorderDelay}}
	for _, f := range durations {
		if f.d < 0 {
			return &ConfigError{Field: f.name, Reason: "is negative"}
		}
	}
	probs := [...]struct {
		name string
		p    float64
	}{{"Loss", c.Loss}, {"BurstLoss", c.BurstLoss}, {"Duplicate", c.Duplicate}, {"Reorder", c.Reorder}, {"Corrupt", c.Corrupt}}
	for _, f := range probs {
		if math.IsNaN(f.p) || f.p < 0 || f.p > 1 {
			return &ConfigError{Field: f.name, Reason: "is not a probability in [0, 1]"}
		}
	}
	switch {
	case c.Bandwidth < 0:
		return &ConfigError{Field: "Bandwidth", Reason: "is negative"}
	case c.QueueLimit < 0:
		return &ConfigError{Field: "QueueLimit", Reason: "is negative"}
	case c.QueueLimit > MaxQueueLimit:
		return &ConfigError{Field: "QueueLimit", Reason: "exceeds MaxQueueLimit"}
	case c.CEThreshold < 0:
		return &ConfigError{Field: "CEThreshold", Reason: "is negative"}
	case c.CEThreshold > MaxQueueLimit:
		return &ConfigError{Field: "CEThreshold", Reason: "exceeds MaxQueueLimit"}
	case math.IsNaN(c.BurstLength) || c.BurstLength < 0 || c.BurstLength > 1e9:
		return &ConfigError{Field: "BurstLength", Reason: "is not in [0, 1e9]"}
	case c.MTU < 0:
		return &ConfigError{Field: "MTU", Reason: "is negative"}
	case c.Reorder > 0 && c.ReorderDelay == 0:
		return &ConfigError{Field: "ReorderDelay", Reason: "must be positive when Reorder is"}
	}
	return nil
}

// serialization returns the time it takes to put n bytes on a link of bw
// bits per second, rounded up so that the link never exceeds its rate.
// Integer arithmetic keeps it identical on every architecture.
func serialization(n int, bw int64) time.Duration {
	if bw <= 0 || n <= 0 {
		return 0
	}
	bits := int64(n) * 8 * int64(time.Second) // n <= MaxQueueLimit: no overflow
	q := bits / bw
	if bits%bw != 0 {
		q++
	}
	return time.Duration(q)
}

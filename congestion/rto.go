package congestion

import (
	"errors"
	"fmt"
	"time"
)

// RFC 9260 Section 16 protocol parameters used by the RTO estimator.
const (
	// DefaultRTOInitial is RTO.Initial: 1 second.
	DefaultRTOInitial = time.Second
	// DefaultRTOMin is RTO.Min: 1 second.
	DefaultRTOMin = time.Second
	// DefaultRTOMax is RTO.Max: 60 seconds.
	DefaultRTOMax = 60 * time.Second

	// RTOAlphaShift expresses RTO.Alpha = 1/8 as a right shift by 3.
	RTOAlphaShift = 3
	// RTOBetaShift expresses RTO.Beta = 1/4 as a right shift by 2.
	RTOBetaShift = 2

	// ClockGranularity is G of RFC 9260 Section 6.3.1 rule G1: the
	// granularity assumed for RTT measurements. Time in gensctp is kept in
	// nanoseconds, but the RTT samples that reach the estimator come from
	// timestamps of real kernels and runtimes whose useful resolution is
	// about a millisecond, so G is 1 ms.
	ClockGranularity = time.Millisecond

	// maxSample bounds an RTT sample so that 8*SRTT cannot overflow.
	maxSample = time.Duration(1<<63-1) / 8
)

// ErrInvalidConfig is the sentinel wrapped by every configuration error of
// this package; test for it with errors.Is.
var ErrInvalidConfig = errors.New("congestion: invalid configuration")

// ConfigError reports which configuration field is invalid and why. It
// unwraps to ErrInvalidConfig.
type ConfigError struct {
	// Field is the name of the offending field, e.g. "RTOConfig.Min".
	Field string
	// Reason says what rule the value breaks.
	Reason string
}

// Error implements error.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("congestion: invalid %s: %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalidConfig.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// RTOConfig holds the RTO protocol parameters of one association (RFC 9260
// Section 16).
type RTOConfig struct {
	// Initial is RTO.Initial, the RTO before the first measurement.
	Initial time.Duration
	// Min is RTO.Min, the lower bound of a computed RTO (rule C6).
	Min time.Duration
	// Max is RTO.Max, the upper bound of a computed or backed-off RTO
	// (rules C7 and E2).
	Max time.Duration
}

// DefaultRTOConfig returns the values RFC 9260 Section 16 recommends:
// RTO.Initial 1 s, RTO.Min 1 s, RTO.Max 60 s.
func DefaultRTOConfig() RTOConfig {
	return RTOConfig{Initial: DefaultRTOInitial, Min: DefaultRTOMin, Max: DefaultRTOMax}
}

// Validate reports a *ConfigError unless 0 < Min <= Initial <= Max.
func (c RTOConfig) Validate() error {
	switch {
	case c.Min <= 0:
		return &ConfigError{Field: "RTOConfig.Min", Reason: fmt.Sprintf("%v is not positive", c.Min)}
	case c.Initial < c.Min:
		return &ConfigError{Field: "RTOConfig.Initial", Reason: fmt.Sprintf("%v is less than RTO.Min %v", c.Initial, c.Min)}
	case c.Max < c.Initial:
		return &ConfigError{Field: "RTOConfig.Max", Reason: fmt.Sprintf("%v is less than RTO.Initial %v", c.Max, c.Initial)}
	}
	return nil
}

// RTOEstimator computes the retransmission timeout of one destination
// transport address from RTT measurements (RFC 9260 Section 6.3.1) and backs
// it off on T3-rtx expiry (RFC 9260 Section 6.3.3 rule E2).
//
// Karn's algorithm is the caller's job: RFC 9260 Section 6.3.1 rule C5 "RTT
// measurements MUST NOT be made using chunks that were retransmitted", and
// "RTT measurements SHOULD only be made using a DATA chunk with TSN r if no
// DATA chunk with TSN less than or equal to r was retransmitted since the
// DATA chunk with TSN r was sent first." So is rule C4, one measurement per
// round trip. The estimator trusts every sample it is given.
//
// The zero value uses DefaultRTOConfig and has no measurement. It is a
// plain value: embed it in the per-path state.
//
// Not safe for concurrent use; the caller serialises.
type RTOEstimator struct {
	cfg      RTOConfig
	srtt     time.Duration
	rttvar   time.Duration
	rto      time.Duration
	measured bool
}

// NewRTOEstimator returns an estimator with no measurement (RTO =
// cfg.Initial), or a *ConfigError if cfg is invalid.
func NewRTOEstimator(cfg RTOConfig) (RTOEstimator, error) {
	var e RTOEstimator
	err := e.Reset(cfg)
	return e, err
}

// Reset forgets every measurement and adopts cfg (rule C1: RTO =
// RTO.Initial). If cfg is invalid it returns a *ConfigError and leaves e
// unchanged.
func (e *RTOEstimator) Reset(cfg RTOConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	*e = RTOEstimator{cfg: cfg, rto: cfg.Initial}
	return nil
}

// Config returns the parameters in use.
func (e *RTOEstimator) Config() RTOConfig {
	if e.cfg.Max == 0 {
		return DefaultRTOConfig()
	}
	return e.cfg
}

// RTO returns the current retransmission timeout: RTO.Initial until the
// first measurement (rule C1), then the computed value, doubled by each
// Backoff since, always within [RTO.Min, RTO.Max].
func (e *RTOEstimator) RTO() time.Duration {
	if e.rto == 0 {
		return e.Config().Initial
	}
	return e.rto
}

// SRTT returns the smoothed round-trip time, or 0 before the first
// measurement.
func (e *RTOEstimator) SRTT() time.Duration { return e.srtt }

// RTTVAR returns the round-trip time variation, or 0 before the first
// measurement.
func (e *RTOEstimator) RTTVAR() time.Duration { return e.rttvar }

// Measured reports whether at least one RTT measurement has been made.
func (e *RTOEstimator) Measured() bool { return e.measured }

// Measure feeds one RTT measurement R and recomputes SRTT, RTTVAR and RTO
// (rules C2 and C3, G1, C6 and C7); this collapses any backoff. RTTVAR
// never drops below ClockGranularity (rule G1). A negative
// R is taken as 0 and an R beyond about 13 days is clamped there, so the
// arithmetic cannot overflow.
func (e *RTOEstimator) Measure(rtt time.Duration) {
	r := min(max(rtt, 0), maxSample)
	if !e.measured {
		// Rule C2: SRTT = R, RTTVAR = R/2.
		e.srtt = r
		e.rttvar = r / 2
		e.measured = true
	} else {
		// Rule C3: RTTVAR = (1 - RTO.Beta) * RTTVAR + RTO.Beta * |SRTT - R'|
		// with the old SRTT, then SRTT = (1 - RTO.Alpha) * SRTT +
		// RTO.Alpha * R'. Computed as (3*RTTVAR + |d|) / 4 and
		// (7*SRTT + R') / 8 to round once.
		d := e.srtt - r
		if d < 0 {
			d = -d
		}
		e.rttvar = (e.rttvar<<RTOBetaShift - e.rttvar + d) >> RTOBetaShift
		e.srtt = (e.srtt<<RTOAlphaShift - e.srtt + r) >> RTOAlphaShift
	}
	// Rule G1: "Whenever RTTVAR is computed, if RTTVAR == 0, then adjust
	// RTTVAR = G." The arithmetic here runs in nanoseconds, finer than G, so
	// any RTTVAR below G reads as 0 at granularity G and becomes G.
	if e.rttvar < ClockGranularity {
		e.rttvar = ClockGranularity
	}
	// RTO = SRTT + 4 * RTTVAR, then rules C6 and C7.
	e.rto = e.clamp(e.srtt + 4*e.rttvar)
}

// Backoff doubles the RTO after a T3-rtx expiry, capped at RTO.Max (RFC
// 9260 Section 6.3.3 rule E2: "set RTO = RTO * 2 ("back off the timer").
// The maximum value discussed in rule C7 above ('RTO.Max') MAY be used to
// provide an upper bound to this doubling operation."). It does not touch
// SRTT or RTTVAR.
func (e *RTOEstimator) Backoff() {
	rto, maxRTO := e.RTO(), e.Config().Max
	if rto > maxRTO/2 {
		e.rto = maxRTO
		return
	}
	e.rto = rto * 2
}

// clamp applies rule C6 ("Whenever RTO is computed, if it is less than
// 'RTO.Min' seconds, then it is rounded up to 'RTO.Min' seconds.") and rule
// C7 ("A maximum value MAY be placed on RTO, provided it is at least
// 'RTO.Max' seconds."), using RTO.Max itself as the maximum.
func (e *RTOEstimator) clamp(rto time.Duration) time.Duration {
	cfg := e.Config()
	return min(max(rto, cfg.Min), cfg.Max)
}

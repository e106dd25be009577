package congestion

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const ms = time.Millisecond

func TestDefaultRTOConfig(t *testing.T) {
	// RFC 9260 Section 16 (https://www.rfc-editor.org/rfc/rfc9260#section-16):
	// "RTO.Initial: 1 second RTO.Min: 1 second RTO.Max: 60 seconds [...]
	// RTO.Alpha: 1/8 RTO.Beta: 1/4".
	cfg := DefaultRTOConfig()
	require.Equal(t, RTOConfig{Initial: time.Second, Min: time.Second, Max: 60 * time.Second}, cfg)
	require.NoError(t, cfg.Validate())
	require.Equal(t, 8, 1<<RTOAlphaShift)
	require.Equal(t, 4, 1<<RTOBetaShift)
}

func TestRTOConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg   RTOConfig
		field string
	}{
		{RTOConfig{}, "RTOConfig.Min"},
		{RTOConfig{Initial: time.Second, Min: -1, Max: time.Minute}, "RTOConfig.Min"},
		{RTOConfig{Initial: 100 * ms, Min: time.Second, Max: time.Minute}, "RTOConfig.Initial"},
		{RTOConfig{Initial: 2 * time.Minute, Min: time.Second, Max: time.Minute}, "RTOConfig.Max"},
	} {
		err := tc.cfg.Validate()
		require.ErrorIs(t, err, ErrInvalidConfig)
		var ce *ConfigError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, tc.field, ce.Field)
		require.Contains(t, err.Error(), tc.field)

		_, err = NewRTOEstimator(tc.cfg)
		require.True(t, errors.Is(err, ErrInvalidConfig))
	}
	require.NoError(t, RTOConfig{Initial: time.Second, Min: time.Second, Max: time.Second}.Validate())
}

func TestRTOEstimatorResetInvalidKeepsState(t *testing.T) {
	e, err := NewRTOEstimator(RTOConfig{Initial: 3 * time.Second, Min: 10 * ms, Max: time.Minute})
	require.NoError(t, err)
	e.Measure(100 * ms)
	before := e
	require.Error(t, e.Reset(RTOConfig{}))
	require.Equal(t, before, e)
	require.NoError(t, e.Reset(DefaultRTOConfig()))
	require.False(t, e.Measured())
	require.Equal(t, time.Second, e.RTO())
	require.Zero(t, e.SRTT())
}

// TestRTOSequence pins RFC 9260 Section 6.3.1
// (https://www.rfc-editor.org/rfc/rfc9260#section-6.3.1) rules C1 ("Until an
// RTT measurement has been made for a packet sent to the given destination
// transport address, set RTO to the protocol parameter 'RTO.Initial'."), C2
// ("SRTT = R RTTVAR = R/2 RTO = SRTT + 4 * RTTVAR") and C3 ("RTTVAR = (1 -
// RTO.Beta) * RTTVAR + RTO.Beta * |SRTT - R'| SRTT = (1 - RTO.Alpha) * SRTT +
// RTO.Alpha * R'" with "The value of SRTT used in the update to RTTVAR is
// its value before updating SRTT itself"), with exact nanoseconds.
func TestRTOSequence(t *testing.T) {
	e, err := NewRTOEstimator(RTOConfig{Initial: 3 * time.Second, Min: 10 * ms, Max: time.Minute})
	require.NoError(t, err)
	require.False(t, e.Measured())
	require.Equal(t, 3*time.Second, e.RTO(), "C1")

	for i, step := range []struct {
		r, srtt, rttvar, rto time.Duration
	}{
		// C2: SRTT = 100, RTTVAR = 50, RTO = 100 + 4*50.
		{100 * ms, 100 * ms, 50 * ms, 300 * ms},
		// C3: RTTVAR = 3/4*50 + 1/4*|100-120| = 42.5; SRTT = 7/8*100 + 1/8*120 = 102.5.
		{120 * ms, 102500 * time.Microsecond, 42500 * time.Microsecond, 272500 * time.Microsecond},
		// RTTVAR = 3/4*42.5 + 1/4*22.5 = 37.5; SRTT = 7/8*102.5 + 1/8*80 = 99.6875.
		{80 * ms, 99687500, 37500 * time.Microsecond, 249687500},
		// RTTVAR = (3*37.5 + 0.3125)/4 = 28.203125; SRTT = (7*99.6875 + 100)/8
		// = 99.7265625, truncated to the nanosecond.
		{100 * ms, 99726562, 28203125, 99726562 + 4*28203125},
	} {
		e.Measure(step.r)
		require.True(t, e.Measured())
		require.Equal(t, step.srtt, e.SRTT(), "SRTT after sample %d", i)
		require.Equal(t, step.rttvar, e.RTTVAR(), "RTTVAR after sample %d", i)
		require.Equal(t, step.rto, e.RTO(), "RTO after sample %d", i)
	}
}

// TestRTOClamp pins rules C6 ("Whenever RTO is computed, if it is less than
// 'RTO.Min' seconds, then it is rounded up to 'RTO.Min' seconds.") and C7
// ("A maximum value MAY be placed on RTO, provided it is at least 'RTO.Max'
// seconds.") of RFC 9260 Section 6.3.1.
func TestRTOClamp(t *testing.T) {
	for _, tc := range []struct {
		name       string
		r          time.Duration
		rto1, rto2 time.Duration // after one and two samples r
	}{
		{"C6: 100 ms + 4*50 ms rounds up to RTO.Min", 100 * ms, time.Second, time.Second},
		{"C7: 30 s + 4*15 s is capped at RTO.Max", 30 * time.Second, 60 * time.Second, 60 * time.Second},
		{"in range: 500 + 4*250, then 500 + 4*187.5", 500 * ms, 1500 * ms, 1250 * ms},
		{"negative sample is zero", -time.Second, time.Second, time.Second},
		{"huge sample does not overflow", math.MaxInt64, 60 * time.Second, 60 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e RTOEstimator // zero value: DefaultRTOConfig
			e.Measure(tc.r)
			require.Equal(t, tc.rto1, e.RTO())
			require.GreaterOrEqual(t, e.SRTT(), time.Duration(0))
			e.Measure(tc.r)
			require.Equal(t, tc.rto2, e.RTO())
		})
	}
}

// TestRTOClockGranularity pins rule G1 of RFC 9260 Section 6.3.1:
// "Whenever RTTVAR is computed, if RTTVAR == 0, then adjust RTTVAR = G."
// Computing in nanoseconds, an RTTVAR below G is 0 at granularity G.
func TestRTOClockGranularity(t *testing.T) {
	e, err := NewRTOEstimator(RTOConfig{Initial: time.Second, Min: time.Nanosecond, Max: time.Minute})
	require.NoError(t, err)
	e.Measure(0)
	require.Equal(t, ClockGranularity, e.RTTVAR())
	require.Equal(t, 4*ClockGranularity, e.RTO())

	// A constant RTT decays RTTVAR to zero, where G takes over.
	require.NoError(t, e.Reset(e.Config()))
	for range 200 {
		e.Measure(50 * ms)
	}
	require.Equal(t, 50*ms, e.SRTT())
	require.Equal(t, ClockGranularity, e.RTTVAR())
	require.Equal(t, 54*ms, e.RTO())
}

// TestRTOBackoff pins RFC 9260 Section 6.3.3 rule E2
// (https://www.rfc-editor.org/rfc/rfc9260#section-6.3.3): "set RTO = RTO * 2
// ("back off the timer"). The maximum value discussed in rule C7 above
// ('RTO.Max') MAY be used to provide an upper bound to this doubling
// operation." and the collapse after a new measurement: "the computation in
// rule C3 is performed, including the computation of RTO, which might result
// in "collapsing" RTO back down after it has been subject to doubling".
func TestRTOBackoff(t *testing.T) {
	var e RTOEstimator
	var got []time.Duration
	for range 8 {
		e.Backoff()
		got = append(got, e.RTO())
	}
	s := time.Second
	require.Equal(t, []time.Duration{2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 60 * s, 60 * s, 60 * s}, got)
	require.False(t, e.Measured(), "backoff is not a measurement")

	e.Measure(500 * ms)
	require.Equal(t, 1500*ms, e.RTO(), "a measurement collapses the backoff")
	e.Backoff()
	require.Equal(t, 3*time.Second, e.RTO())
	require.Equal(t, 500*ms, e.SRTT(), "backoff leaves SRTT alone")
	require.Equal(t, 250*ms, e.RTTVAR())

	// An odd RTO.Max: the doubling is capped exactly there.
	e, err := NewRTOEstimator(RTOConfig{Initial: 700 * ms, Min: 700 * ms, Max: 1999 * ms})
	require.NoError(t, err)
	e.Backoff()
	require.Equal(t, 1400*ms, e.RTO())
	e.Backoff()
	require.Equal(t, 1999*ms, e.RTO())
}

func TestRTOAllocs(t *testing.T) {
	var e RTOEstimator
	allocs := testing.AllocsPerRun(100, func() {
		e.Measure(120 * ms)
		e.Backoff()
		_ = e.RTO()
	})
	require.Zero(t, allocs)
}

func BenchmarkRTOMeasure(b *testing.B) {
	var e RTOEstimator
	b.ReportAllocs()
	r := 100 * ms
	for b.Loop() {
		e.Measure(r)
		r ^= 7 * ms
	}
}

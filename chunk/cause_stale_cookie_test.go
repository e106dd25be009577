package chunk

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStaleCookieCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *StaleCookieCause
	}{
		// Code 3, Length 8; Measure of Staleness in microseconds.
		{"not given", "0003 0008 | 00000000", &StaleCookieCause{}},
		{"1.5 s", "0003 0008 | 0016e360", &StaleCookieCause{Staleness: 1500000}},
		{"max", "0003 0008 | ffffffff", &StaleCookieCause{Staleness: math.MaxUint32}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[StaleCookieCause])
		})
	}
}

func TestStaleCookieCauseBadInput(t *testing.T) {
	checkCauseBadInput[StaleCookieCause](t, []causeBadInput{
		{"length 4", "0003 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 7", "0003 0007 000000 00", ErrLength, CauseProtocolViolation, 2},
		{"length 12", "0003 000c 00000001 00000002", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "0004 0008 00000000", ErrType, 0, 0},
		{"length past buffer", "0003 0008 0000", errTruncated(0).Err, CauseProtocolViolation, 6},
	})
}

func TestStaleCookieCauseDuration(t *testing.T) {
	c := StaleCookieCause{Staleness: 1500}
	require.Equal(t, 1500*time.Microsecond, c.Duration())
	c.Staleness = math.MaxUint32
	require.Equal(t, time.Duration(math.MaxUint32)*time.Microsecond, c.Duration())

	tests := []struct {
		d    time.Duration
		want uint32
	}{
		{0, 0},
		{-time.Second, 0},
		{time.Nanosecond, 1}, // RFC 9260 Section 3.3.10.3: "rounded up"
		{time.Microsecond, 1},
		{time.Microsecond + 1, 2},
		{2 * time.Second, 2000000},
		{time.Duration(math.MaxUint32) * time.Microsecond, math.MaxUint32},
		{time.Hour * 2, math.MaxUint32}, // saturates
		{math.MaxInt64, math.MaxUint32},
	}
	for _, tt := range tests {
		c.SetDuration(tt.d)
		require.Equal(t, tt.want, c.Staleness, "SetDuration(%v)", tt.d)
	}
}

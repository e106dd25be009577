package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// RFC 1982 Section 3.2: s1 < s2 when (i1 < i2 and i2 - i1 < 2^(SERIAL_BITS - 1))
// or (i1 > i2 and i1 - i2 > 2^(SERIAL_BITS - 1)).
func TestTSNCompare(t *testing.T) {
	tests := []struct {
		a, b TSN
		lt   bool
	}{
		{0, 1, true},
		{1, 0, false},
		{5, 5, false},
		{0xffffffff, 0, true}, // across the 2^32 wrap
		{0, 0xffffffff, false},
		{0xfffffff0, 0x10, true},
		{0x10, 0xfffffff0, false},
		{0, 0x7fffffff, true},
		{0x7fffffff, 0, false},
		{0, 0x80000000, false}, // exactly half apart: undefined, neither is less
		{0x80000000, 0, false},
		{0x80000000, 0x80000001, true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.lt, tt.a.LT(tt.b), "%v < %v", tt.a, tt.b)
		require.Equal(t, tt.lt, tt.b.GT(tt.a), "%v > %v", tt.b, tt.a)
		require.Equal(t, tt.lt || tt.a == tt.b, tt.a.LE(tt.b), "%v <= %v", tt.a, tt.b)
		require.Equal(t, tt.lt || tt.a == tt.b, tt.b.GE(tt.a), "%v >= %v", tt.b, tt.a)
	}
	require.Equal(t, TSN(1), TSN(0xffffffff).Add(2))
	require.Equal(t, uint32(3), TSN(1).Sub(0xfffffffe))
}

func TestMIDFSNCompare(t *testing.T) {
	require.True(t, MID(0xffffffff).LT(0))
	require.True(t, MID(0).GT(0xffffffff))
	require.False(t, MID(0).LT(0x80000000))
	require.Equal(t, MID(0), MID(0xffffffff).Add(1))
	require.True(t, FSN(0xfffffffe).LT(1))
	require.True(t, FSN(1).GE(0xfffffffe))
	require.True(t, FSN(3).LE(3))
	require.Equal(t, FSN(0), FSN(0xffffffff).Add(1))
}

// The 16-bit SSN wraps at 2^16.
func TestSSNCompare(t *testing.T) {
	tests := []struct {
		a, b SSN
		lt   bool
	}{
		{0, 1, true},
		{0xffff, 0, true},
		{0, 0xffff, false},
		{0xfff0, 0x000f, true},
		{0, 0x7fff, true},
		{0, 0x8000, false},
		{0x8000, 0, false},
		{9, 9, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.lt, tt.a.LT(tt.b), "%v < %v", tt.a, tt.b)
		require.Equal(t, tt.lt, tt.b.GT(tt.a), "%v > %v", tt.b, tt.a)
		require.Equal(t, tt.lt || tt.a == tt.b, tt.a.LE(tt.b))
		require.Equal(t, tt.lt || tt.a == tt.b, tt.b.GE(tt.a))
	}
	require.Equal(t, SSN(0), SSN(0xffff).Add(1))
}

// Walking forward across the wrap keeps every step ordered.
func TestSerialWrapWalk(t *testing.T) {
	tsn := TSN(0xfffffff0)
	for i := 0; i < 64; i++ {
		next := tsn.Add(1)
		require.True(t, tsn.LT(next), "%v < %v", tsn, next)
		require.True(t, next.Add(0x7ffffffe).GT(tsn))
		tsn = next
	}
	ssn := SSN(0xfff0)
	for i := 0; i < 64; i++ {
		next := ssn.Add(1)
		require.True(t, ssn.LT(next))
		ssn = next
	}
}

func TestTypeStringsAndActions(t *testing.T) {
	require.Equal(t, "SHUTDOWN COMPLETE", TypeShutdownComplete.String())
	require.Equal(t, "Type(99)", Type(99).String())
	require.Equal(t, ActionStop, Type(0x3f).Action())
	require.Equal(t, ActionStopReport, Type(0x7f).Action())
	require.Equal(t, ActionSkip, Type(0xbf).Action())
	require.Equal(t, ActionSkipReport, Type(0xff).Action())
	require.True(t, ActionStopReport.Stop() && ActionStopReport.Report())
	require.True(t, !ActionSkip.Stop() && !ActionSkip.Report())
	require.Equal(t, ActionSkipReport, ParamForwardTSNSupported.Action())
	require.Equal(t, ActionSkip, ParamECNCapable.Action())
	require.Equal(t, ActionStop, ParamStateCookie.Action())
	require.Equal(t, "Zero Checksum Acceptable", ParamZeroChecksumAcceptable.String())
	require.Equal(t, "User-Initiated Abort", CauseUserInitiatedAbort.String())
	require.True(t, TypeIForwardTSN.Known())
	require.False(t, Type(99).Known())
}

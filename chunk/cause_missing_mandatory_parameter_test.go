package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMissingMandatoryParameterCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *MissingMandatoryParameterCause
	}{
		// Code 2, Length 8 + 2N; Number of missing params N; N types;
		// padding when N is odd.
		{"none", "0002 0008 | 00000000", &MissingMandatoryParameterCause{}},
		{"one, padded", "0002 000a | 00000001 | 0007 | 0000",
			&MissingMandatoryParameterCause{Missing: []ParamType{ParamStateCookie}}},
		{"two", "0002 000c | 00000002 | 0005 0006",
			&MissingMandatoryParameterCause{Missing: []ParamType{ParamIPv4Address, ParamIPv6Address}}},
		{"three, padded", "0002 000e | 00000003 | 0007 8002 ffff | 0000",
			&MissingMandatoryParameterCause{Missing: []ParamType{ParamStateCookie, ParamRandom, 0xffff}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[MissingMandatoryParameterCause])
		})
	}
}

func TestMissingMandatoryParameterCauseBadInput(t *testing.T) {
	checkCauseBadInput[MissingMandatoryParameterCause](t, []causeBadInput{
		{"length 4", "0002 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 6", "0002 0006 0000 0000", ErrLength, CauseProtocolViolation, 2},
		// RFC 9260 Section 3.3.10.2: Cause Length = 8 + N * 2.
		{"odd length", "0002 0009 00000000 00 000000", ErrLength, CauseProtocolViolation, 2},
		{"count above length", "0002 000a 00000002 0007 0000", ErrLength, CauseProtocolViolation, 4},
		{"count below length", "0002 000c 00000001 0007 0005", ErrLength, CauseProtocolViolation, 4},
		{"huge count", "0002 0008 ffffffff", ErrLength, CauseProtocolViolation, 4},
		{"wrong code", "0003 0008 00000000", ErrType, 0, 0},
		{"length past buffer", "0002 000c 00000002 0007", errTruncated(0).Err, CauseProtocolViolation, 10},
		{"padding missing", "0002 000a 00000001 0007", errTruncated(0).Err, CauseProtocolViolation, 10},
	})
}

func TestMissingMandatoryParameterCauseReuse(t *testing.T) {
	golden := hexBytes("0002 000c | 00000002 | 0005 0006")
	var c MissingMandatoryParameterCause
	_, err := c.Parse(golden)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := c.Parse(golden); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
	require.Equal(t, []ParamType{ParamIPv4Address, ParamIPv6Address}, c.Missing)
}

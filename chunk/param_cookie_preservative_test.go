package chunk

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCookiePreservativeWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *CookiePreservative
	}{
		{
			name: "one second",
			// Type 9, Length 8; increment 1000 ms.
			golden: "0009 0008 | 000003e8",
			want:   &CookiePreservative{SuggestedLifespanIncrement: 1000},
		},
		{
			name:   "zero",
			golden: "0009 0008 | 00000000",
			want:   &CookiePreservative{},
		},
		{
			name:   "max",
			golden: "0009 0008 | ffffffff",
			want:   &CookiePreservative{SuggestedLifespanIncrement: 0xffffffff},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[CookiePreservative])
		})
	}
}

func TestCookiePreservativeBadInput(t *testing.T) {
	// RFC 9260 Section 3.3.2.1.3 fixes the Length at 8.
	checkParamsBadInput[CookiePreservative](t, ParamCookiePreservative, []paramsBadCase{
		{"length 4", "0009 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 6", "0009 0006 | 0001 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 12", "0009 000c | 00000001 00000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "000a 0008 | 000003e8", ErrType, 0, 0},
		{"length past buffer", "0009 0008 | 0000", io.ErrUnexpectedEOF, CauseProtocolViolation, 6},
	})
}

func TestCookiePreservativeIncrement(t *testing.T) {
	require.Equal(t, time.Second, (&CookiePreservative{SuggestedLifespanIncrement: 1000}).Increment())
	require.Equal(t, time.Duration(0xffffffff)*time.Millisecond,
		(&CookiePreservative{SuggestedLifespanIncrement: 0xffffffff}).Increment())
}

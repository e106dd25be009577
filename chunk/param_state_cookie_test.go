package chunk

import (
	"io"
	"testing"
)

func TestStateCookieWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *StateCookie
	}{
		{
			name: "aligned cookie",
			// Type 7, Length 8; 4-byte cookie.
			golden: "0007 0008 | deadbeef",
			want:   &StateCookie{Cookie: []byte{0xde, 0xad, 0xbe, 0xef}},
		},
		{
			name: "unaligned cookie, padded",
			// Type 7, Length 6; 2-byte cookie and 2 bytes of padding.
			golden: "0007 0006 | 0102 | 0000",
			want:   &StateCookie{Cookie: []byte{1, 2}},
		},
		{
			name:   "empty cookie",
			golden: "0007 0004",
			want:   &StateCookie{Cookie: []byte{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[StateCookie])
		})
	}
}

func TestStateCookieBadInput(t *testing.T) {
	checkParamsBadInput[StateCookie](t, ParamStateCookie, []paramsBadCase{
		{"short header", "0007 00", io.ErrUnexpectedEOF, CauseProtocolViolation, 3},
		{"length below header", "0007 0002 | 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0008 0004", ErrType, 0, 0},
		{"length past buffer", "0007 0010 | deadbeef", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
		{"padding missing", "0007 0006 | 0102", io.ErrUnexpectedEOF, CauseProtocolViolation, 6},
	})
}

package chunk

import (
	"io"
	"testing"
)

func TestRandomWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *Random
	}{
		{
			name: "32 bytes, as RFC 4895 Section 3.1 asks",
			// Type 0x8002, Length 36; 32-byte Random Number; no padding.
			golden: "8002 0024 | 000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f",
			want: &Random{Random: hexBytes("000102030405060708090a0b0c0d0e0f" +
				"101112131415161718191a1b1c1d1e1f")},
		},
		{
			name: "3 bytes, padded",
			// Type 0x8002, Length 7; 3 random bytes; 1 byte of padding.
			golden: "8002 0007 | 010203 | 00",
			want:   &Random{Random: []byte{1, 2, 3}},
		},
		{
			name:   "empty",
			golden: "8002 0004",
			want:   &Random{Random: []byte{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[Random])
		})
	}
}

func TestRandomBadInput(t *testing.T) {
	checkParamsBadInput[Random](t, ParamRandom, []paramsBadCase{
		{"length below header", "8002 0003 | 00", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "8003 0004", ErrType, 0, 0},
		{"length past buffer", "8002 0024 | 00010203", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
		{"padding missing", "8002 0007 | 010203", io.ErrUnexpectedEOF, CauseProtocolViolation, 7},
	})
}

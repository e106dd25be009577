package chunk

import (
	"io"
	"testing"
)

func TestPaddingWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *Padding
	}{
		{
			name: "4 bytes of zeros",
			// Type 0x8005, Length 8; 4 bytes of padding data.
			golden: "8005 0008 | 00000000",
			want:   &Padding{Padding: make([]byte, 4)},
		},
		{
			name: "non-zero data kept, unaligned",
			// Type 0x8005, Length 5; padding data 0xff; 3 bytes of TLV
			// padding.
			golden: "8005 0005 | ff | 000000",
			want:   &Padding{Padding: []byte{0xff}},
		},
		{
			name:   "empty",
			golden: "8005 0004",
			want:   &Padding{Padding: []byte{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[Padding])
		})
	}
}

func TestPaddingBadInput(t *testing.T) {
	checkParamsBadInput[Padding](t, ParamPadding, []paramsBadCase{
		{"length below header", "8005 0003 | 00", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "8004 0004", ErrType, 0, 0},
		{"length past buffer", "8005 0100 | 00000000", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
		{"padding missing", "8005 0005 | ff", io.ErrUnexpectedEOF, CauseProtocolViolation, 5},
	})
}

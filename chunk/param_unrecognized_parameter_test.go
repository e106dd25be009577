package chunk

import (
	"io"
	"testing"
)

func TestUnrecognizedParameterWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *UnrecognizedParameter
	}{
		{
			name: "unaligned inner parameter, padded",
			// Type 8, Length 10; inner TLV type 0x4123, length 6, value
			// "ab"; 2 bytes of padding of the outer parameter.
			golden: "0008 000a | 4123 0006 6162 | 0000",
			want:   &UnrecognizedParameter{Param: hexBytes("4123 0006 6162")},
		},
		{
			name: "aligned inner parameter",
			// Type 8, Length 12; inner TLV type 0xc123, length 8.
			golden: "0008 000c | c123 0008 01020304",
			want:   &UnrecognizedParameter{Param: hexBytes("c123 0008 01020304")},
		},
		{
			name: "malformed inner parameter kept as is",
			// Type 8, Length 6; 2 bytes that are not a TLV; padding.
			golden: "0008 0006 | 4123 | 0000",
			want:   &UnrecognizedParameter{Param: []byte{0x41, 0x23}},
		},
		{
			name:   "empty",
			golden: "0008 0004",
			want:   &UnrecognizedParameter{Param: []byte{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[UnrecognizedParameter])
		})
	}
}

func TestUnrecognizedParameterBadInput(t *testing.T) {
	checkParamsBadInput[UnrecognizedParameter](t, ParamUnrecognizedParameter, []paramsBadCase{
		{"empty buffer", "", io.ErrUnexpectedEOF, CauseProtocolViolation, 0},
		{"length below header", "0008 0001 | 000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0007 0004", ErrType, 0, 0},
		{"length past buffer", "0008 000c | 4123 0006", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
		{"padding missing", "0008 000a | 4123 0006 6162", io.ErrUnexpectedEOF, CauseProtocolViolation, 10},
	})
}

package chunk

import "testing"

func TestUnrecognizedParametersCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *UnrecognizedParametersCause
	}{
		// Code 8, Length 12; one unknown parameter 0x8123 with 4 bytes.
		{"one parameter", "0008 000c | 8123 0008 01020304",
			&UnrecognizedParametersCause{Params: hexBytes("8123 0008 01020304")}},
		// Code 8, Length 17; parameter 0x8123 with 1 byte (padded, since
		// another follows), then parameter 0xc0ff with 1 byte copied
		// without its padding; 3 bytes of padding for the cause.
		{"two parameters, last unpadded", "0008 0011 | 8123 0005 aa 000000 | c0ff 0005 bb | 000000",
			&UnrecognizedParametersCause{Params: hexBytes("8123 0005 aa 000000 c0ff 0005 bb")}},
		// Edge cases: the field is kept as raw bytes whatever it holds.
		{"empty", "0008 0004", &UnrecognizedParametersCause{Params: []byte{}}},
		{"1 byte, 3 bytes of padding", "0008 0005 | 01 | 000000", &UnrecognizedParametersCause{Params: []byte{1}}},
		{"6 bytes, 2 bytes of padding", "0008 000a | 010203040506 | 0000", &UnrecognizedParametersCause{Params: []byte{1, 2, 3, 4, 5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[UnrecognizedParametersCause])
		})
	}
}

func TestUnrecognizedParametersCauseBadInput(t *testing.T) {
	checkCauseBadInput[UnrecognizedParametersCause](t, []causeBadInput{
		{"length below header", "0008 0003 00", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "0008 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "0008 0010 00000000", errTruncated(0).Err, CauseProtocolViolation, 8},
		{"padding missing", "0008 0007 010203", errTruncated(0).Err, CauseProtocolViolation, 7},
	})
}

package chunk

import "testing"

func TestNoUserDataCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *NoUserDataCause
	}{
		// Code 9, Length 8; TSN of the empty DATA chunk.
		{"TSN 0", "0009 0008 | 00000000", &NoUserDataCause{}},
		{"TSN 0x01020304", "0009 0008 | 01020304", &NoUserDataCause{TSN: 0x01020304}},
		{"TSN max", "0009 0008 | ffffffff", &NoUserDataCause{TSN: 0xffffffff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[NoUserDataCause])
		})
	}
}

func TestNoUserDataCauseBadInput(t *testing.T) {
	checkCauseBadInput[NoUserDataCause](t, []causeBadInput{
		{"length 4", "0009 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 12", "0009 000c 00000001 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "0009 0000 00000001", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "0001 0008 00000001", ErrType, 0, 0},
		{"length past buffer", "0009 0008 000000", errTruncated(0).Err, CauseProtocolViolation, 7},
	})
}

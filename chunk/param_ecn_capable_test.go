package chunk

import (
	"io"
	"testing"
)

func TestECNCapableWire(t *testing.T) {
	// Type 0x8000, Length 4; no value.
	checkWire(t, hexBytes("8000 0004"), &ECNCapable{}, parseAs[ECNCapable])
}

func TestECNCapableBadInput(t *testing.T) {
	checkParamsBadInput[ECNCapable](t, ParamECNCapable, []paramsBadCase{
		{"length 8", "8000 0008 | 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 5", "8000 0005 | 00 000000", ErrLength, CauseProtocolViolation, 2},
		{"length below header", "8000 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "c000 0004", ErrType, 0, 0},
		{"length past buffer", "8000 0008", io.ErrUnexpectedEOF, CauseProtocolViolation, 4},
	})
}

package chunk

import (
	"io"
	"testing"
)

func TestForwardTSNSupportedWire(t *testing.T) {
	// Type 0xc000 (49152), Length 4; no value.
	checkWire(t, hexBytes("c000 0004"), &ForwardTSNSupported{}, parseAs[ForwardTSNSupported])
}

func TestForwardTSNSupportedBadInput(t *testing.T) {
	// RFC 3758 Section 3.1: the Length "Indicates the size of the
	// parameter, i.e., 4."
	checkParamsBadInput[ForwardTSNSupported](t, ParamForwardTSNSupported, []paramsBadCase{
		{"length 8", "c000 0008 | 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 6", "c000 0006 | 0000 0000", ErrLength, CauseProtocolViolation, 2},
		{"length below header", "c000 0002", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "8000 0004", ErrType, 0, 0},
		{"short header", "c000", io.ErrUnexpectedEOF, CauseProtocolViolation, 2},
	})
}

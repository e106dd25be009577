package chunk

import "testing"

func TestOutOfResourceCauseWire(t *testing.T) {
	// Code 0004, Length 4, no information.
	checkWire(t, hexBytes("0004 0004"), &OutOfResourceCause{}, parseAs[OutOfResourceCause])
}

func TestOutOfResourceCauseBadInput(t *testing.T) {
	checkCauseBadInput[OutOfResourceCause](t, []causeBadInput{
		// RFC 9260 Section 3.3.10.4: Cause Length = 4.
		{"length 8", "0004 0008 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 5", "0004 0005 00 000000", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "0004 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "0004 0008 0000", errTruncated(0).Err, CauseProtocolViolation, 6},
	})
}

package chunk

import "testing"

func TestInvalidMandatoryParameterCauseWire(t *testing.T) {
	// Code 0007, Length 4, no information.
	checkWire(t, hexBytes("0007 0004"), &InvalidMandatoryParameterCause{}, parseAs[InvalidMandatoryParameterCause])
}

func TestInvalidMandatoryParameterCauseBadInput(t *testing.T) {
	checkCauseBadInput[InvalidMandatoryParameterCause](t, []causeBadInput{
		// RFC 9260 Section 3.3.10.7: Cause Length = 4.
		{"length 8", "0007 0008 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 5", "0007 0005 00 000000", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "0007 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "0007 0008 0000", errTruncated(0).Err, CauseProtocolViolation, 6},
	})
}

package chunk

import "testing"

func TestCookieWhileShuttingDownCauseWire(t *testing.T) {
	// Code 000a, Length 4, no information.
	checkWire(t, hexBytes("000a 0004"), &CookieWhileShuttingDownCause{}, parseAs[CookieWhileShuttingDownCause])
}

func TestCookieWhileShuttingDownCauseBadInput(t *testing.T) {
	checkCauseBadInput[CookieWhileShuttingDownCause](t, []causeBadInput{
		// RFC 9260 Section 3.3.10.10: Cause Length = 4.
		{"length 8", "000a 0008 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 5", "000a 0005 00 000000", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "000a 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "000a 0008 0000", errTruncated(0).Err, CauseProtocolViolation, 6},
	})
}

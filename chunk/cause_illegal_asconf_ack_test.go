package chunk

import "testing"

func TestIllegalASCONFAckCauseWire(t *testing.T) {
	// Code 00a3, Length 4, no information.
	checkWire(t, hexBytes("00a3 0004"), &IllegalASCONFAckCause{}, parseAs[IllegalASCONFAckCause])
}

func TestIllegalASCONFAckCauseBadInput(t *testing.T) {
	checkCauseBadInput[IllegalASCONFAckCause](t, []causeBadInput{
		// RFC 5061 Section 4.3.4: Cause Length = 4.
		{"length 8", "00a3 0008 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 5", "00a3 0005 00 000000", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "00a3 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "00a3 0008 0000", errTruncated(0).Err, CauseProtocolViolation, 6},
	})
}

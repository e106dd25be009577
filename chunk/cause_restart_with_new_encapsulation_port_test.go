package chunk

import "testing"

func TestRestartWithNewEncapsulationPortCauseWire(t *testing.T) {
	// Code 000e, Length 8; Current Encapsulation Port 9899 (0x26ab); New
	// Encapsulation Port 40000 (0x9c40).
	checkWire(t, hexBytes("000e 0008 | 26ab | 9c40"),
		&RestartWithNewEncapsulationPortCause{Current: 9899, New: 40000},
		parseAs[RestartWithNewEncapsulationPortCause])
	// "If the UDP encapsulation for destination address is currently
	// disabled, 0 is used."
	checkWire(t, hexBytes("000e 0008 | 0000 | 26ab"),
		&RestartWithNewEncapsulationPortCause{New: 9899}, parseAs[RestartWithNewEncapsulationPortCause])
}

func TestRestartWithNewEncapsulationPortCauseBadInput(t *testing.T) {
	checkCauseBadInput[RestartWithNewEncapsulationPortCause](t, []causeBadInput{
		// draft-tuexen-tsvwg-sctp-udp-encaps-cons Section 4: "the value
		// MUST be 8".
		{"length 4", "000e 0004 0000 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 12", "000e 000c 26ab 9c40 00000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "000b 0008 26ab 9c40", ErrType, 0, 0},
		{"length past buffer", "000e 0008 26ab", errTruncated(0).Err, CauseProtocolViolation, 6},
	})
}

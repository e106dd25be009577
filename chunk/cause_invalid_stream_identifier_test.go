package chunk

import "testing"

func TestInvalidStreamIdentifierCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *InvalidStreamIdentifierCause
	}{
		// Code 1, Length 8; Stream Identifier; Reserved.
		{"stream 0", "0001 0008 | 0000 | 0000", &InvalidStreamIdentifierCause{}},
		{"stream 0x1234", "0001 0008 | 1234 | 0000", &InvalidStreamIdentifierCause{StreamID: 0x1234}},
		{"max stream", "0001 0008 | ffff | 0000", &InvalidStreamIdentifierCause{StreamID: 0xffff}},
		// RFC 9260 Section 3.3.10.1: the reserved field is "ignored on
		// receipt"; it is kept so that re-encoding is byte-identical.
		{"reserved kept", "0001 0008 | 0005 | beef", &InvalidStreamIdentifierCause{StreamID: 5, Reserved: 0xbeef}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[InvalidStreamIdentifierCause])
		})
	}
}

func TestInvalidStreamIdentifierCauseBadInput(t *testing.T) {
	checkCauseBadInput[InvalidStreamIdentifierCause](t, []causeBadInput{
		{"length 4", "0001 0004 0000 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 6", "0001 0006 0001 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 12", "0001 000c 0001 0000 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length below header", "0001 0002 0001 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "0009 0008 0001 0000", ErrType, 0, 0},
		{"length past buffer", "0001 0008 0001", errTruncated(0).Err, CauseProtocolViolation, 6},
	})
}

package chunk

import "testing"

func TestProtocolViolationCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *ProtocolViolationCause
	}{
		// Code 13, Length 11; "bad gap" and 1 byte of padding.
		{"text", "000d 000b | 62616420676170 | 00", &ProtocolViolationCause{Info: []byte("bad gap")}},
		// Code 13, Length 16; "bad SACK gap", aligned.
		{"aligned text", "000d 0010 | 626164205341434b 20676170", &ProtocolViolationCause{Info: []byte("bad SACK gap")}},
		// Edge cases: the field is kept as raw bytes whatever it holds.
		{"empty", "000d 0004", &ProtocolViolationCause{Info: []byte{}}},
		{"1 byte, 3 bytes of padding", "000d 0005 | 01 | 000000", &ProtocolViolationCause{Info: []byte{1}}},
		{"6 bytes, 2 bytes of padding", "000d 000a | 010203040506 | 0000", &ProtocolViolationCause{Info: []byte{1, 2, 3, 4, 5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[ProtocolViolationCause])
		})
	}
}

func TestProtocolViolationCauseBadInput(t *testing.T) {
	checkCauseBadInput[ProtocolViolationCause](t, []causeBadInput{
		{"length below header", "000d 0003 00", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "000d 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "000d 0010 00000000", errTruncated(0).Err, CauseProtocolViolation, 8},
		{"padding missing", "000d 0007 010203", errTruncated(0).Err, CauseProtocolViolation, 7},
	})
}

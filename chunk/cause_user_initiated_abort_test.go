package chunk

import "testing"

func TestUserInitiatedAbortCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *UserInitiatedAbortCause
	}{
		// Code 12, Length 9; "close" and 3 bytes of padding.
		{"text reason", "000c 0009 | 636c6f7365 | 000000", &UserInitiatedAbortCause{Reason: []byte("close")}},
		// Code 12, Length 8; 4 opaque bytes, aligned.
		{"binary reason", "000c 0008 | 00ff00ff", &UserInitiatedAbortCause{Reason: []byte{0, 0xff, 0, 0xff}}},
		// Edge cases: the field is kept as raw bytes whatever it holds.
		{"empty", "000c 0004", &UserInitiatedAbortCause{Reason: []byte{}}},
		{"1 byte, 3 bytes of padding", "000c 0005 | 01 | 000000", &UserInitiatedAbortCause{Reason: []byte{1}}},
		{"6 bytes, 2 bytes of padding", "000c 000a | 010203040506 | 0000", &UserInitiatedAbortCause{Reason: []byte{1, 2, 3, 4, 5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[UserInitiatedAbortCause])
		})
	}
}

func TestUserInitiatedAbortCauseBadInput(t *testing.T) {
	checkCauseBadInput[UserInitiatedAbortCause](t, []causeBadInput{
		{"length below header", "000c 0003 00", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "000c 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "000c 0010 00000000", errTruncated(0).Err, CauseProtocolViolation, 8},
		{"padding missing", "000c 0007 010203", errTruncated(0).Err, CauseProtocolViolation, 7},
	})
}

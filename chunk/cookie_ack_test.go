package chunk

import (
	"io"
	"testing"
)

func TestCookieAckWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *CookieAck
	}{
		// Type 11, flags 0, length 4.
		{"plain", "0b 00 0004", &CookieAck{}},
		// Flags 0x01 (ignored, kept).
		{"flags kept", "0b 01 0004", &CookieAck{Flags: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[CookieAck])
		})
	}
}

func TestCookieAckBadInput(t *testing.T) {
	checkBadChunkInput[CookieAck](t, TypeCookieAck, []badChunkInput{
		{"zero length", "0b 00 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 8", "0b 00 0008 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 6", "0b 00 0006 0000 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0a 00 0004", ErrType, 0, 0},
		{"length past buffer", "0b 00 0008", io.ErrUnexpectedEOF, CauseProtocolViolation, 4},
	})
}

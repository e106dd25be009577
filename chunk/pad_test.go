package chunk

import (
	"io"
	"testing"
)

func TestPadWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *Pad
	}{
		// Type 0x84, flags 0, length 4; no Padding Data.
		{"empty", "84 00 0004", &Pad{Padding: []byte{}}},
		// Length 12; 8 zero bytes of Padding Data.
		{"8 bytes", "84 00 000c | 0000000000000000", &Pad{Padding: make([]byte, 8)}},
		// Length 6; 2 bytes of Padding Data and 2 bytes of chunk padding.
		{"unaligned", "84 00 0006 | abcd 0000", &Pad{Padding: []byte{0xab, 0xcd}}},
		// Flags 0x07 (ignored, kept); length 8; 4 bytes of Padding Data.
		{"flags kept", "84 07 0008 | 01020304", &Pad{Flags: 7, Padding: []byte{1, 2, 3, 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[Pad])
		})
	}
}

func TestPadBadInput(t *testing.T) {
	checkBadChunkInput[Pad](t, TypePad, []badChunkInput{
		{"zero length", "84 00 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 3", "84 00 0003", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "85 00 0004", ErrType, 0, 0},
		{"padding missing", "84 00 0006 abcd", io.ErrUnexpectedEOF, CauseProtocolViolation, 6},
		{"length past buffer", "84 00 0100 00000000", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
	})
}

package chunk

import (
	"io"
	"testing"
)

func TestShutdownAckWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *ShutdownAck
	}{
		// Type 8, flags 0, length 4.
		{"plain", "08 00 0004", &ShutdownAck{}},
		// Flags 0x81 (ignored, kept).
		{"flags kept", "08 81 0004", &ShutdownAck{Flags: 0x81}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[ShutdownAck])
		})
	}
}

func TestShutdownAckBadInput(t *testing.T) {
	checkBadChunkInput[ShutdownAck](t, TypeShutdownAck, []badChunkInput{
		{"zero length", "08 00 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 8", "08 00 0008 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 5", "08 00 0005 00 000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "07 00 0004", ErrType, 0, 0},
		{"length past buffer", "08 00 0008 00", io.ErrUnexpectedEOF, CauseProtocolViolation, 5},
	})
}

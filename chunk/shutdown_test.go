package chunk

import (
	"io"
	"testing"
)

func TestShutdownWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *Shutdown
	}{
		// Type 7, flags 0, length 8; Cumulative TSN Ack 0x01020304.
		{"cum TSN ack", "07 00 0008 | 01020304", &Shutdown{CumTSNAck: 0x01020304}},
		// Flags 0xff (ignored, kept); Cumulative TSN Ack 2^32-1.
		{"max, flags kept", "07 ff 0008 | ffffffff", &Shutdown{Flags: 0xff, CumTSNAck: 0xffffffff}},
		{"zero", "07 00 0008 | 00000000", &Shutdown{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[Shutdown])
		})
	}
}

func TestShutdownBadInput(t *testing.T) {
	checkBadChunkInput[Shutdown](t, TypeShutdown, []badChunkInput{
		{"zero length", "07 00 0000 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 4", "07 00 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 12", "07 00 000c 00000001 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 9", "07 00 0009 00000001 00 000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "08 00 0008 00000001", ErrType, 0, 0},
		{"length past buffer", "07 00 0008 0000", io.ErrUnexpectedEOF, CauseProtocolViolation, 6},
	})
}

package chunk

import (
	"io"
	"testing"
)

func TestCWRWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *CWR
	}{
		// Type 13, flags 0, length 8; Lowest TSN Number 0x10203040.
		{"lowest TSN", "0d 00 0008 | 10203040", &CWR{LowestTSN: 0x10203040}},
		// Flags 0x01 (not defined by RFC 4960, kept); Lowest TSN Number 0.
		{"zero, flags kept", "0d 01 0008 | 00000000", &CWR{Flags: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[CWR])
		})
	}
}

func TestCWRBadInput(t *testing.T) {
	checkBadChunkInput[CWR](t, TypeCWR, []badChunkInput{
		{"length 4", "0d 00 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 12", "0d 00 000c 00000001 00000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0c 00 0008 00000001", ErrType, 0, 0},
		{"length past buffer", "0d 00 0008", io.ErrUnexpectedEOF, CauseProtocolViolation, 4},
	})
}

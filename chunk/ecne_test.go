package chunk

import (
	"io"
	"testing"
)

func TestECNEWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *ECNE
	}{
		// Type 12, flags 0, length 8; Lowest TSN Number 1.
		{"lowest TSN", "0c 00 0008 | 00000001", &ECNE{LowestTSN: 1}},
		// Flags 0x02 (kept); Lowest TSN Number 2^32-1.
		{"max, flags kept", "0c 02 0008 | ffffffff", &ECNE{Flags: 2, LowestTSN: 0xffffffff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[ECNE])
		})
	}
}

func TestECNEBadInput(t *testing.T) {
	checkBadChunkInput[ECNE](t, TypeECNE, []badChunkInput{
		{"length 4", "0c 00 0004", ErrLength, CauseProtocolViolation, 2},
		// The 12-byte form with a packet count is not the RFC 4960 layout.
		{"length 12", "0c 00 000c 00000001 00000005", ErrLength, CauseProtocolViolation, 2},
		{"length 10", "0c 00 000a 00000001 0000 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0d 00 0008 00000001", ErrType, 0, 0},
		{"length past buffer", "0c 00 0008 000000", io.ErrUnexpectedEOF, CauseProtocolViolation, 7},
	})
}

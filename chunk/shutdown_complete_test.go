package chunk

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestShutdownCompleteWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *ShutdownComplete
	}{
		// Type 14, flags 0 (T clear: the tag expected by the peer), length 4.
		{"T clear", "0e 00 0004", &ShutdownComplete{}},
		// Flags 0x01: T set, the Verification Tag is reflected.
		{"T set", "0e 01 0004", &ShutdownComplete{Flags: FlagT}},
		// Flags 0xfe: T clear, all reserved bits set and kept.
		{"reserved bits kept", "0e fe 0004", &ShutdownComplete{Flags: 0xfe}},
		// Flags 0x81: T set and one reserved bit.
		{"T and reserved", "0e 81 0004", &ShutdownComplete{Flags: FlagT | 0x80}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[ShutdownComplete])
		})
	}
}

func TestShutdownCompleteTBit(t *testing.T) {
	var c ShutdownComplete
	_, err := c.Parse(hexBytes("0e 81 0004"))
	require.NoError(t, err)
	require.True(t, c.Flags.Reflected())
	_, err = c.Parse(hexBytes("0e fe 0004"))
	require.NoError(t, err)
	require.False(t, c.Flags.Reflected())
}

func TestShutdownCompleteBadInput(t *testing.T) {
	checkBadChunkInput[ShutdownComplete](t, TypeShutdownComplete, []badChunkInput{
		{"zero length", "0e 01 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 8", "0e 01 0008 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 7", "0e 01 0007 000000 00", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "06 01 0004", ErrType, 0, 0},
		{"length past buffer", "0e 01 0008 0000", io.ErrUnexpectedEOF, CauseProtocolViolation, 6},
	})
}

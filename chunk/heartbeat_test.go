package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHeartbeatWire(t *testing.T) {
	// Type 4, length 11: Heartbeat Info (type 1, length 7) with 3 bytes of
	// sender-specific information, padded by one byte.
	checkWire(t, hexBytes("04 00 000b | 0001 0007 aabbcc 00"),
		&Heartbeat{Info: []byte{0xaa, 0xbb, 0xcc}}, parseAs[Heartbeat])
	// A HEARTBEAT ACK with reserved flags and 8 bytes of information.
	checkWire(t, hexBytes("05 01 0010 | 0001 000c 0102030405060708"),
		&HeartbeatAck{Flags: 1, Info: []byte{1, 2, 3, 4, 5, 6, 7, 8}}, parseAs[HeartbeatAck])
	// Empty information.
	checkWire(t, hexBytes("04 00 0008 | 0001 0004"),
		&Heartbeat{Info: []byte{}}, parseAs[Heartbeat])
}

func TestHeartbeatBadInput(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		kind   error
		cause  CauseCode
		offset int
	}{
		{"no parameter", "04 00 0004", ErrLength, CauseProtocolViolation, 2},
		{"not Heartbeat Info", "04 00 0008 0005 0004", ErrMissingParam, CauseMissingMandatoryParameter, 4},
		{"info past the chunk", "04 00 0008 0001 0008 01020304", ErrLength, CauseProtocolViolation, 6},
		{"trailing parameter", "04 00 0010 0001 0004 8000 0004 00000000", ErrLength, CauseProtocolViolation, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Heartbeat
			_, err := c.Parse(hexBytes(tt.in))
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.Equal(t, TypeHeartbeat, pe.Chunk)
			require.Equal(t, tt.offset, pe.Offset)
		})
	}
}

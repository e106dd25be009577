package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAbortWire(t *testing.T) {
	// Type 6, T bit set, length 13: User-Initiated Abort (code 12, length
	// 9) with the reason "hello", padded by 3 bytes outside the Chunk
	// Length (RFC 9260 Section 3.2).
	checkWire(t, hexBytes("06 01 000d | 000c 0009 68656c6c6f 000000"),
		&Abort{Flags: FlagT, Causes: []Cause{&UserInitiatedAbortCause{Reason: []byte("hello")}}},
		parseAs[Abort])
	// No causes, no flags.
	checkWire(t, hexBytes("06 00 0004"), &Abort{}, parseAs[Abort])
	// Two causes, the first with an unaligned length inside the chunk,
	// then an unknown cause code.
	checkWire(t, hexBytes("06 00 0011 | 0009 0008 00000007 | 0d00 0005 ff 000000"),
		&Abort{Causes: []Cause{&NoUserDataCause{TSN: 7}, &UnknownCause{Code: 0x0d00, Info: []byte{0xff}}}},
		parseAs[Abort])
}

func TestOperationErrorWire(t *testing.T) {
	// Type 9, length 16: Invalid Stream Identifier (stream 3) and Out of
	// Resource.
	checkWire(t, hexBytes("09 00 0010 | 0001 0008 0003 0000 | 0004 0004"),
		&OperationError{Causes: []Cause{&InvalidStreamIdentifierCause{StreamID: 3}, &OutOfResourceCause{}}},
		parseAs[OperationError])
	// Unrecognized Chunk Type carrying a 5-byte chunk: cause length 9.
	checkWire(t, hexBytes("09 00 000d | 0006 0009 4a000005 01 000000"),
		&OperationError{Causes: []Cause{&UnrecognizedChunkTypeCause{Chunk: hexBytes("4a000005 01")}}},
		parseAs[OperationError])
}

func TestAbortBadInput(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		kind   error
		cause  CauseCode
		offset int
		code   CauseCode
	}{
		{"cause past the chunk", "06 00 0008 000c 0009", ErrLength, CauseProtocolViolation, 6, CauseUserInitiatedAbort},
		{"cause length below 4", "06 00 0008 000c 0002", ErrLength, CauseProtocolViolation, 6, CauseUserInitiatedAbort},
		{"fixed cause with wrong length", "06 00 000c 0009 0006 000000 00", ErrLength, CauseProtocolViolation, 6, CauseNoUserData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Abort
			_, err := c.Parse(hexBytes(tt.in))
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.Equal(t, TypeAbort, pe.Chunk)
			require.Equal(t, tt.code, pe.ErrorCause)
			require.Equal(t, tt.offset, pe.Offset)
		})
	}
}

// Parsing an ABORT again into the same value reuses its causes.
func TestAbortReuseAllocs(t *testing.T) {
	in := hexBytes("06 00 0011 | 0009 0008 00000007 | 000c 0005 ff 000000")
	var c Abort
	_, err := c.Parse(in)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := c.Parse(in); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}

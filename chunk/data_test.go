package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDataWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *Data
	}{
		{
			name: "unfragmented, 3 bytes, padded",
			// Type 0, flags B|E, length 19; TSN 0x01020304; stream 7; SSN 9;
			// PPID 51 (WebRTC String); "abc" and one byte of padding.
			golden: "00 03 0013 | 01020304 | 0007 0009 | 00000033 | 616263 00",
			want: &Data{Flags: FlagBeginning | FlagEnd, TSN: 0x01020304, StreamID: 7,
				SSN: 9, PPID: 51, UserData: []byte("abc")},
		},
		{
			name:   "unordered immediate middle fragment, aligned",
			golden: "00 0c 0014 | ffffffff | ffff ffff | deadbeef | 01020304",
			want: &Data{Flags: FlagImmediate | FlagUnordered, TSN: 0xffffffff, StreamID: 0xffff,
				SSN: 0xffff, PPID: 0xdeadbeef, UserData: []byte{1, 2, 3, 4}},
		},
		{
			name:   "reserved flag bits kept",
			golden: "00 f1 0011 | 00000000 | 0000 0000 | 00000000 | 55 000000",
			want:   &Data{Flags: 0xf0 | FlagEnd, UserData: []byte{0x55}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[Data])
		})
	}
}

func TestDataBadInput(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		kind   error
		cause  CauseCode
		offset int
	}{
		// RFC 9260 Section 3.3.1: "A DATA chunk with a User Data field of
		// length L will have the Length field set to (16 + L) ... where L
		// MUST be greater than 0."
		{"no user data", "00 03 0010 00000001 0000 0000 00000000", ErrValue, CauseNoUserData, 2},
		{"length below header", "00 03 000c 00000001 0000 0000", ErrLength, CauseProtocolViolation, 2},
		{"zero length", "00 03 0000 00000001", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "01 03 0014 00000001 0000 0000 00000000 00000000", ErrType, 0, 0},
		{"length past buffer", "00 03 0018 00000001 0000 0000 00000000 00000000", errTruncated(0).Err, CauseProtocolViolation, 20},
		{"padding missing", "00 03 0011 00000001 0000 0000 00000000 61", errTruncated(0).Err, CauseProtocolViolation, 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Data
			_, err := d.Parse(hexBytes(tt.in))
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.True(t, pe.HasChunk)
			require.Equal(t, TypeData, pe.Chunk)
			require.Equal(t, tt.offset, pe.Offset)
		})
	}
}

func TestDataFlagsString(t *testing.T) {
	require.Equal(t, "IUBE", (FlagImmediate | FlagUnordered | FlagBeginning | FlagEnd).String())
	require.Equal(t, "BE", (FlagBeginning | FlagEnd).String())
	require.Equal(t, "", DataFlags(0).String())
	require.Equal(t, "E+0x10", (FlagEnd | 0x10).String())
}

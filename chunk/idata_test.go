package chunk

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIDataWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *IData
	}{
		{
			name: "first fragment carries PPID",
			// Type 64, flags B, length 21; TSN 1; stream 3, reserved 0;
			// MID 0; PPID 51 (B set); "h" and 3 bytes of padding.
			golden: "40 02 0015 | 00000001 | 0003 0000 | 00000000 | 00000033 | 68 000000",
			want: &IData{Flags: FlagBeginning, TSN: 1, StreamID: 3, PPID: 51,
				UserData: []byte("h")},
		},
		{
			name: "middle fragment carries FSN",
			// Flags 0, length 24; TSN 2; stream 3, reserved 0; MID 0; FSN
			// 1 (B clear); 4 bytes of user data, aligned.
			golden: "40 00 0018 | 00000002 | 0003 0000 | 00000000 | 00000001 | 01020304",
			want: &IData{TSN: 2, StreamID: 3, FSN: 1,
				UserData: []byte{1, 2, 3, 4}},
		},
		{
			name: "last unordered immediate fragment, max values, reserved kept",
			// Flags I|U|E, length 22; TSN 2^32-1; stream 65535, reserved
			// 0xabcd (kept); MID 2^32-1; FSN 2^32-1; 2 bytes, 2 padding.
			golden: "40 0d 0016 | ffffffff | ffff abcd | ffffffff | ffffffff | 0102 0000",
			want: &IData{Flags: FlagImmediate | FlagUnordered | FlagEnd, TSN: 0xffffffff,
				StreamID: 0xffff, Reserved: 0xabcd, MID: 0xffffffff, FSN: 0xffffffff,
				UserData: []byte{1, 2}},
		},
		{
			name: "unfragmented, reserved flag bits kept",
			// Flags 0xf0|B|E, length 23; TSN 0x01020304; stream 7,
			// reserved 0; MID 9; PPID 0xdeadbeef; "abc" and 1 padding.
			golden: "40 f3 0017 | 01020304 | 0007 0000 | 00000009 | deadbeef | 616263 00",
			want: &IData{Flags: 0xf0 | FlagBeginning | FlagEnd, TSN: 0x01020304,
				StreamID: 7, MID: 9, PPID: 0xdeadbeef, UserData: []byte("abc")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[IData])
		})
	}
}

// The B bit chooses whether the PPID/FSN field holds the PPID or the FSN
// (RFC 8260 Section 2.1); Append ignores the other field and Parse zeroes
// it, also in a reused value.
func TestIDataPPIDOrFSN(t *testing.T) {
	first := &IData{Flags: FlagBeginning, PPID: 51, FSN: 99, UserData: []byte{1}}
	enc := first.Append(nil)
	require.Equal(t, hexBytes("00000033"), enc[16:20])

	middle := &IData{PPID: 51, FSN: 99, UserData: []byte{1}}
	enc2 := middle.Append(nil)
	require.Equal(t, hexBytes("00000063"), enc2[16:20])

	var d IData
	_, err := d.Parse(enc)
	require.NoError(t, err)
	require.Equal(t, PPID(51), d.PPID)
	require.Equal(t, FSN(0), d.FSN)
	_, err = d.Parse(enc2)
	require.NoError(t, err)
	require.Equal(t, PPID(0), d.PPID)
	require.Equal(t, FSN(99), d.FSN)
}

func TestIDataBadInput(t *testing.T) {
	checkBadChunkInput[IData](t, TypeIData, []badChunkInput{
		// RFC 9260 Section 3.3.1: "L MUST be greater than 0"; RFC 8260
		// Section 2.1 defines the I-DATA Length like the DATA Length.
		{"no user data", "40 03 0014 00000001 0000 0000 00000000 00000000", ErrValue, CauseNoUserData, 2},
		{"length of a DATA header", "40 03 0010 00000001 0000 0000 00000000", ErrLength, CauseProtocolViolation, 2},
		{"zero length", "40 03 0000 00000001", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "00 03 0018 00000001 0000 0000 00000000 00000000 00000000", ErrType, 0, 0},
		{"length past buffer", "40 03 001c 00000001 0000 0000 00000000 00000000 00000000", io.ErrUnexpectedEOF, CauseProtocolViolation, 24},
		{"padding missing", "40 03 0015 00000001 0000 0000 00000000 00000000 61", io.ErrUnexpectedEOF, CauseProtocolViolation, 21},
	})
}

// Parsing I-DATA into a reused value allocates nothing: it is on the hot
// path.
func TestIDataParseReuseAllocs(t *testing.T) {
	buf := (&IData{Flags: FlagBeginning | FlagEnd, TSN: 5, StreamID: 1, MID: 2, PPID: 51,
		UserData: make([]byte, 1000)}).Append(nil)
	var d IData
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := d.Parse(buf); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
	require.Len(t, d.UserData, 1000)
}

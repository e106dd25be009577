package chunk

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIForwardTSNWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *IForwardTSN
	}{
		{
			name: "no streams",
			// Type 194, flags 0, length 8; New Cumulative TSN 1.
			golden: "c2 00 0008 | 00000001",
			want:   &IForwardTSN{NewCumTSN: 1},
		},
		{
			name: "ordered and unordered",
			// Length 24; New Cumulative TSN 2^31; stream 1, U clear, MID
			// 7; stream 65535, U set, MID 2^32-1.
			golden: "c2 00 0018 | 80000000 | 0001 0000 | 00000007 | ffff 0001 | ffffffff",
			want: &IForwardTSN{NewCumTSN: 0x80000000, Streams: []IForwardTSNStream{
				{StreamID: 1, MID: 7},
				{StreamID: 0xffff, Flags: IForwardTSNUnordered, MID: 0xffffffff}}},
		},
		{
			name: "reserved bits kept",
			// Flags 0xff (ignored, kept); length 16; New Cumulative TSN 0;
			// stream 2, all reserved bits set and U clear, MID 3.
			golden: "c2 ff 0010 | 00000000 | 0002 fffe | 00000003",
			want: &IForwardTSN{Flags: 0xff, Streams: []IForwardTSNStream{
				{StreamID: 2, Flags: 0xfffe, MID: 3}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[IForwardTSN])
		})
	}
}

func TestIForwardTSNStreamUnordered(t *testing.T) {
	require.True(t, IForwardTSNStream{Flags: IForwardTSNUnordered}.Unordered())
	require.True(t, IForwardTSNStream{Flags: 0xffff}.Unordered())
	require.False(t, IForwardTSNStream{Flags: 0xfffe}.Unordered())
	require.False(t, IForwardTSNStream{}.Unordered())
}

func TestIForwardTSNBadInput(t *testing.T) {
	checkBadChunkInput[IForwardTSN](t, TypeIForwardTSN, []badChunkInput{
		{"zero length", "c2 00 0000 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 7", "c2 00 0007 00000000", ErrLength, CauseProtocolViolation, 2},
		// The Length must be 8 + 8*N.
		{"length 12", "c2 00 000c 00000001 0001 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 20", "c2 00 0014 00000001 0001 0000 00000007 0002 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 14", "c2 00 000e 00000001 0001 0000 0000 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "c0 00 0008 00000001", ErrType, 0, 0},
		{"length past buffer", "c2 00 0010 00000001 0001 0000", io.ErrUnexpectedEOF, CauseProtocolViolation, 12},
	})
}

func TestIForwardTSNParseReuseAllocs(t *testing.T) {
	want := &IForwardTSN{NewCumTSN: 7}
	for i := range 50 {
		want.Streams = append(want.Streams, IForwardTSNStream{StreamID: StreamID(i), Flags: uint16(i & 1), MID: MID(3 * i)})
	}
	buf := want.Append(nil)
	var c IForwardTSN
	_, err := c.Parse(buf)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := c.Parse(buf); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
	require.Equal(t, want, &c)
}

package chunk

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestForwardTSNWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *ForwardTSN
	}{
		{
			name: "no streams",
			// Type 192, flags 0, length 8; New Cumulative TSN 100.
			golden: "c0 00 0008 | 00000064",
			want:   &ForwardTSN{NewCumTSN: 100},
		},
		{
			name: "two streams, max values",
			// Length 16; New Cumulative TSN 2^32-1; stream 1 SSN 5;
			// stream 65535 SSN 65535.
			golden: "c0 00 0010 | ffffffff | 0001 0005 | ffff ffff",
			want: &ForwardTSN{NewCumTSN: 0xffffffff, Streams: []ForwardTSNStream{
				{StreamID: 1, SSN: 5}, {StreamID: 0xffff, SSN: 0xffff}}},
		},
		{
			name: "flags kept",
			// Flags 0x10 (ignored, kept); length 12; New Cumulative TSN
			// 0; stream 0 SSN 0.
			golden: "c0 10 000c | 00000000 | 0000 0000",
			want:   &ForwardTSN{Flags: 0x10, Streams: []ForwardTSNStream{{}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[ForwardTSN])
		})
	}
}

func TestForwardTSNBadInput(t *testing.T) {
	checkBadChunkInput[ForwardTSN](t, TypeForwardTSN, []badChunkInput{
		{"zero length", "c0 00 0000 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 6", "c0 00 0006 00000000", ErrLength, CauseProtocolViolation, 2},
		// The Length must be 8 + 4*N.
		{"length 10", "c0 00 000a 00000001 0001 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 15", "c0 00 000f 00000001 00010002 000300 00", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "c2 00 0008 00000001", ErrType, 0, 0},
		{"length past buffer", "c0 00 0010 00000001 00010002", io.ErrUnexpectedEOF, CauseProtocolViolation, 12},
	})
}

func TestForwardTSNParseReuseAllocs(t *testing.T) {
	want := &ForwardTSN{NewCumTSN: 7}
	for i := range 50 {
		want.Streams = append(want.Streams, ForwardTSNStream{StreamID: StreamID(i), SSN: SSN(3 * i)})
	}
	buf := want.Append(nil)
	var c ForwardTSN
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

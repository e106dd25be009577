package chunk

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSACKWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *SACK
	}{
		{
			// RFC 9260 Section 3.3.4 example: TSNs 10-12, 14-15 and 17
			// received, a_rwnd 4660.
			name: "RFC 9260 example",
			// Type 3, flags 0, length 24; Cumulative TSN Ack 12; a_rwnd
			// 4660; 2 gap blocks, 0 duplicates; blocks 2-3 and 5-5.
			golden: "03 00 0018 | 0000000c | 00001234 | 0002 0000 | 0002 0003 | 0005 0005",
			want: &SACK{CumTSNAck: 12, ARwnd: 4660,
				GapBlocks: []GapBlock{{Start: 2, End: 3}, {Start: 5, End: 5}}},
		},
		{
			name: "no gaps, no duplicates, max TSN",
			// Length 16; Cumulative TSN Ack 2^32-1; a_rwnd 0; 0 and 0.
			golden: "03 00 0010 | ffffffff | 00000000 | 0000 0000",
			want:   &SACK{CumTSNAck: 0xffffffff},
		},
		{
			// RFC 9260 Section 3.3.4: "if a receiver were to get the TSN
			// 19 three times, it would list 19 twice".
			name: "duplicates only",
			// Length 24; Cumulative TSN Ack 19; a_rwnd 65536; 0 gaps,
			// 2 duplicates; TSN 19 twice.
			golden: "03 00 0018 | 00000013 | 00010000 | 0000 0002 | 00000013 | 00000013",
			want:   &SACK{CumTSNAck: 19, ARwnd: 65536, DupTSNs: []TSN{19, 19}},
		},
		{
			name: "gaps and duplicates, flags kept, max values",
			// Flags 0xa5 (reserved); length 32; Cumulative TSN Ack
			// 0x7ffffff0; a_rwnd 2^32-1; 2 gaps, 2 duplicates; blocks 1-1
			// and 65534-65535; duplicates 0x80000000 and 0.
			golden: "03 a5 0020 | 7ffffff0 | ffffffff | 0002 0002 | 0001 0001 | fffe ffff | 80000000 | 00000000",
			want: &SACK{Flags: 0xa5, CumTSNAck: 0x7ffffff0, ARwnd: 0xffffffff,
				GapBlocks: []GapBlock{{1, 1}, {0xfffe, 0xffff}}, DupTSNs: []TSN{0x80000000, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[SACK])
		})
	}
}

func TestSACKBadInput(t *testing.T) {
	checkBadChunkInput[SACK](t, TypeSACK, []badChunkInput{
		{"zero length", "03 00 0000 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length below header", "03 00 000c 00000001 00000000", ErrLength, CauseProtocolViolation, 2},
		// The Length must equal 16 + 4*N + 4*M.
		{"gap count beyond length", "03 00 0010 00000001 00000000 0001 0000", ErrLength, CauseProtocolViolation, 2},
		{"dup count beyond length", "03 00 0014 00000001 00000000 0000 0002 00000005", ErrLength, CauseProtocolViolation, 2},
		{"counts below length", "03 00 0018 00000001 00000000 0001 0000 0001 0002 00000005", ErrLength, CauseProtocolViolation, 2},
		{"max counts", "03 00 0010 00000001 00000000 ffff ffff", ErrLength, CauseProtocolViolation, 2},
		{"unaligned length", "03 00 0011 00000001 00000000 0000 0000 00 000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "00 00 0010 00000001 00000000 0000 0000", ErrType, 0, 0},
		{"length past buffer", "03 00 0014 00000001 00000000 0001 0000", io.ErrUnexpectedEOF, CauseProtocolViolation, 16},
	})
}

// sack100 returns a SACK with 100 gap blocks and dups duplicate TSNs.
func sack100(dups int) *SACK {
	s := &SACK{CumTSNAck: 0xfffffff0, ARwnd: 1 << 20}
	for i := range 100 {
		s.GapBlocks = append(s.GapBlocks, GapBlock{Start: uint16(4*i + 2), End: uint16(4*i + 3)})
	}
	for i := range dups {
		s.DupTSNs = append(s.DupTSNs, TSN(i))
	}
	return s
}

// Parsing into a reused SACK whose slices have the capacity allocates
// nothing: SACK processing is on the hot path.
func TestSACKParseReuseAllocs(t *testing.T) {
	want := sack100(10)
	buf := want.Append(nil)
	var s SACK
	_, err := s.Parse(buf)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := s.Parse(buf); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
	require.Equal(t, want, &s)

	// A smaller SACK reuses the capacity; an empty list stays zero-length.
	_, err = s.Parse(hexBytes("03 00 0014 00000001 00000002 0001 0000 0003 0004"))
	require.NoError(t, err)
	require.Equal(t, []GapBlock{{3, 4}}, s.GapBlocks)
	require.Empty(t, s.DupTSNs)
	require.GreaterOrEqual(t, cap(s.DupTSNs), 10)
}

func TestSACKAppendAllocs(t *testing.T) {
	s := sack100(10)
	buf := make([]byte, 0, s.Len())
	allocs := testing.AllocsPerRun(100, func() { buf = s.Append(buf[:0]) })
	require.Zero(t, allocs)
}

func BenchmarkSACKParse(b *testing.B) {
	buf := sack100(0).Append(nil)
	var s SACK
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if _, err := s.Parse(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSACKAppend(b *testing.B) {
	s := sack100(0)
	buf := make([]byte, 0, s.Len())
	b.ReportAllocs()
	b.SetBytes(int64(s.Len()))
	for b.Loop() {
		buf = s.Append(buf[:0])
	}
}

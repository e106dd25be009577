package chunk

import (
	"io"
	"testing"
)

func TestChunkListWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *ChunkList
	}{
		{
			name: "ASCONF and ASCONF-ACK, padded",
			// Type 0x8003, Length 6; ASCONF (0xc1), ASCONF-ACK (0x80);
			// 2 bytes of padding.
			golden: "8003 0006 | c1 80 | 0000",
			want:   &ChunkList{Types: []Type{TypeASCONF, TypeASCONFAck}},
		},
		{
			name: "four types, aligned",
			// Type 0x8003, Length 8; DATA, SACK, ASCONF, ASCONF-ACK.
			golden: "8003 0008 | 00 03 c1 80",
			want:   &ChunkList{Types: []Type{TypeData, TypeSACK, TypeASCONF, TypeASCONFAck}},
		},
		{
			name: "forbidden and unknown types kept as received",
			// Type 0x8003, Length 7; INIT, AUTH, 0xff; 1 byte of padding.
			golden: "8003 0007 | 01 0f ff | 00",
			want:   &ChunkList{Types: []Type{TypeInit, TypeAuth, 0xff}},
		},
		{
			name:   "empty list",
			golden: "8003 0004",
			want:   &ChunkList{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[ChunkList])
		})
	}
}

func TestChunkListBadInput(t *testing.T) {
	checkParamsBadInput[ChunkList](t, ParamChunkList, []paramsBadCase{
		{"length below header", "8003 0001 | 000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "8008 0006 | c1 80 | 0000", ErrType, 0, 0},
		{"length past buffer", "8003 0009 | 00 03 c1 80", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
		{"padding missing", "8003 0006 | c1 80", io.ErrUnexpectedEOF, CauseProtocolViolation, 6},
	})
}

func TestChunkListReuse(t *testing.T) {
	checkParamsReuseNoAllocs[ChunkList](t, hexBytes("8003 0008 | 00 03 c1 80"))
}

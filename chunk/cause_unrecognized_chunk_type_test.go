package chunk

import "testing"

func TestUnrecognizedChunkTypeCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *UnrecognizedChunkTypeCause
	}{
		// Code 6, Length 9; chunk type 0x4f, flags 0, length 5, one byte
		// of value, copied without the chunk padding; 3 bytes of padding.
		{"odd chunk, unpadded copy", "0006 0009 | 4f 00 0005 aa | 000000",
			&UnrecognizedChunkTypeCause{Chunk: hexBytes("4f 00 0005 aa")}},
		// The same chunk copied with its padding.
		{"odd chunk, padded copy", "0006 000c | 4f 00 0005 aa 000000",
			&UnrecognizedChunkTypeCause{Chunk: hexBytes("4f 00 0005 aa 000000")}},
		// An ASCONF chunk (0xC1): sequence number 1, IPv4 address 0.0.0.0.
		{"ASCONF", "0006 0014 | c1 00 0010 00000001 0005 0008 00000000",
			&UnrecognizedChunkTypeCause{Chunk: hexBytes("c1 00 0010 00000001 0005 0008 00000000")}},
		// Edge cases: the field is kept as raw bytes whatever it holds.
		{"empty", "0006 0004", &UnrecognizedChunkTypeCause{Chunk: []byte{}}},
		{"1 byte, 3 bytes of padding", "0006 0005 | 01 | 000000", &UnrecognizedChunkTypeCause{Chunk: []byte{1}}},
		{"6 bytes, 2 bytes of padding", "0006 000a | 010203040506 | 0000", &UnrecognizedChunkTypeCause{Chunk: []byte{1, 2, 3, 4, 5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[UnrecognizedChunkTypeCause])
		})
	}
}

func TestUnrecognizedChunkTypeCauseBadInput(t *testing.T) {
	checkCauseBadInput[UnrecognizedChunkTypeCause](t, []causeBadInput{
		{"length below header", "0006 0003 00", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "0006 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "0006 0010 00000000", errTruncated(0).Err, CauseProtocolViolation, 8},
		{"padding missing", "0006 0007 010203", errTruncated(0).Err, CauseProtocolViolation, 7},
	})
}

func TestUnrecognizedChunkTypeCauseChunkType(t *testing.T) {
	c := UnrecognizedChunkTypeCause{Chunk: hexBytes("c1 00 0008 00000001")}
	typ, ok := c.ChunkType()
	if !ok || typ != TypeASCONF {
		t.Fatalf("ChunkType() = %v, %v; want ASCONF, true", typ, ok)
	}
	c.Chunk = []byte{}
	if _, ok := c.ChunkType(); ok {
		t.Fatal("ChunkType() of an empty copy reports a type")
	}
}

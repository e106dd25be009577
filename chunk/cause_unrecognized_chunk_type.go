package chunk

// RFC 9260 Section 3.3.10.6: Unrecognized Chunk Type (6)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 6         |         Cause Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                      Unrecognized Chunk                       /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The Unrecognized Chunk field "contains the unrecognized chunk from the
// SCTP packet complete with Chunk Type, Chunk Flags, and Chunk Length".
// Implementations differ on whether the copy includes the chunk's padding;
// when it does not and the chunk length is not a multiple of 4, the cause
// itself is padded.

// UnrecognizedChunkTypeCause is the Unrecognized Chunk Type error cause
// (RFC 9260 Section 3.3.10.6): the receiver did not understand a chunk
// whose type has the upper bits 01 or 11.
//
// Chunk is kept as raw bytes and not parsed. The caller keeps it short
// enough for the Cause Length to fit in 16 bits; a sender may truncate the
// copied chunk to fit its packet.
type UnrecognizedChunkTypeCause struct {
	// Chunk is the unrecognized chunk, header included, exactly as
	// covered by the Cause Length. After Parse it aliases the input.
	Chunk []byte
}

// ChunkType returns the type of the unrecognized chunk (its first byte),
// and false if Chunk is empty.
func (c *UnrecognizedChunkTypeCause) ChunkType() (Type, bool) {
	if len(c.Chunk) == 0 {
		return 0, false
	}
	return Type(c.Chunk[0]), true
}

// CauseCode implements Cause.
func (c *UnrecognizedChunkTypeCause) CauseCode() CauseCode { return CauseUnrecognizedChunkType }

// Len implements Cause.
func (c *UnrecognizedChunkTypeCause) Len() int { return rawCauseLen(c.Chunk) }

// Append implements Cause.
func (c *UnrecognizedChunkTypeCause) Append(b []byte) []byte {
	return appendRawCause(b, CauseUnrecognizedChunkType, c.Chunk)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies.
func (c *UnrecognizedChunkTypeCause) Parse(b []byte) (int, error) {
	v, n, err := openCause(b, CauseUnrecognizedChunkType, headerLen)
	if err != nil {
		return 0, err
	}
	c.Chunk = v
	return n, nil
}

package chunk

// Chunk is an SCTP chunk that can be encoded.
//
// Every concrete chunk type of this package also has a pointer method
//
//	Parse(b []byte) (n int, err error)
//
// that fills it from the chunk at the start of b and returns the bytes the
// chunk occupies, padding included.
type Chunk interface {
	// Type returns the chunk type.
	Type() Type
	// Len returns the number of bytes Append adds: the chunk including its
	// padding to a multiple of 4 bytes.
	Len() int
	// Append appends the encoded, padded chunk to b and returns the
	// extended slice.
	Append(b []byte) []byte
}

// Header is a chunk header (RFC 9260 Section 3.2) as validated by
// ReadHeader: the type, the flags and the Chunk Length field.
type Header struct {
	Type   Type
	Flags  uint8
	Length uint16
}

// ReadHeader validates the envelope of the chunk at the start of b: the
// four header bytes are present, the Chunk Length is at least 4 and the
// chunk with its padding lies within b (RFC 9260 Sections 3.2 and 6.10). It
// returns the header and the number of bytes the chunk occupies including
// padding. It does not look at the value.
func ReadHeader(b []byte) (Header, int, error) {
	if len(b) < headerLen {
		return Header{}, 0, errTruncated(len(b))
	}
	h := Header{Type: Type(b[0]), Flags: b[1], Length: uint16(b[2])<<8 | uint16(b[3])}
	if h.Length < headerLen {
		return h, 0, inChunk(errAt(ErrLength, 2, CauseProtocolViolation), h.Type, 0)
	}
	n := pad4(int(h.Length))
	if n > len(b) {
		return h, 0, inChunk(errTruncated(len(b)), h.Type, 0)
	}
	return h, n, nil
}

// Unknown is a chunk of a type this package does not interpret, kept as a
// raw TLV. Its Action method tells what RFC 9260 Section 3.2 requires of a
// receiver that does not recognize it.
type Unknown struct {
	ChunkType Type
	Flags     uint8
	// Value is the chunk value, without header and padding. After Parse it
	// aliases the input.
	Value []byte
}

// Type implements Chunk.
func (c *Unknown) Type() Type { return c.ChunkType }

// Action returns the action bits of the chunk type.
func (c *Unknown) Action() Action { return c.ChunkType.Action() }

// Len implements Chunk.
func (c *Unknown) Len() int { return pad4(headerLen + len(c.Value)) }

// Append implements Chunk.
func (c *Unknown) Append(b []byte) []byte {
	n := headerLen + len(c.Value)
	b = appendChunkHeader(b, c.ChunkType, c.Flags, n)
	b = append(b, c.Value...)
	return appendPadding(b, n)
}

// Parse fills c from the chunk at the start of b, whatever its type.
func (c *Unknown) Parse(b []byte) (int, error) {
	h, n, err := ReadHeader(b)
	if err != nil {
		return 0, err
	}
	c.ChunkType, c.Flags, c.Value = h.Type, h.Flags, b[headerLen:h.Length]
	return n, nil
}

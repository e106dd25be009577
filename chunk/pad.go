package chunk

// RFC 4820 Section 3: Padding Chunk (PAD) (132)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Type = 0x84   |   Flags=0     |             Length            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	\                         Padding Data                          /
//	/                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// Pad is a PAD chunk (RFC 4820 Section 3), used to enlarge a packet, for
// example for path MTU probing (RFC 8899). RFC 4820 Section 3: "The receiver
// of the PAD chunk MUST discard this chunk and continue processing the rest
// of the chunks in the packet."
//
// The encoder writes 4+len(Padding) into the 16-bit Length field; keeping
// it within 65535 is the caller's responsibility.
type Pad struct {
	// Flags are the chunk flags, which "SHOULD be set to zero on transmit
	// and MUST be ignored on receipt"; they are kept as received.
	Flags uint8
	// Padding is the Padding Data, without the chunk's own padding to a
	// multiple of 4 bytes. After Parse it aliases the input; empty Padding
	// Data parses to an empty, non-nil slice. A sender may leave it zero.
	Padding []byte
}

// Type implements Chunk.
func (c *Pad) Type() Type { return TypePad }

// Len implements Chunk.
func (c *Pad) Len() int { return pad4(headerLen + len(c.Padding)) }

// Append implements Chunk.
func (c *Pad) Append(b []byte) []byte {
	n := headerLen + len(c.Padding)
	b = appendChunkHeader(b, TypePad, c.Flags, n)
	b = append(b, c.Padding...)
	return appendPadding(b, n)
}

// Parse fills c from the PAD chunk at the start of b and returns the bytes
// it occupies, padding included.
func (c *Pad) Parse(b []byte) (int, error) {
	flags, v, n, err := openChunk(b, TypePad, headerLen)
	if err != nil {
		return 0, err
	}
	c.Flags, c.Padding = flags, v
	return n, nil
}

package chunk

// RFC 9260 Section 3.3.12: Cookie Acknowledgement (COOKIE ACK) (11)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 11   |  Chunk Flags  |          Length = 4           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// CookieAck is a COOKIE ACK chunk (RFC 9260 Section 3.3.12). It has no
// value.
type CookieAck struct {
	// Flags are the chunk flags, "set to 0 on transmit and ignored on
	// receipt"; they are kept as received.
	Flags uint8
}

// Type implements Chunk.
func (c *CookieAck) Type() Type { return TypeCookieAck }

// Len implements Chunk.
func (c *CookieAck) Len() int { return headerLen }

// Append implements Chunk.
func (c *CookieAck) Append(b []byte) []byte {
	return appendChunkHeader(b, TypeCookieAck, c.Flags, headerLen)
}

// Parse fills c from the COOKIE ACK chunk at the start of b and returns the
// bytes it occupies. A Length other than 4 is rejected with ErrLength.
func (c *CookieAck) Parse(b []byte) (int, error) {
	flags, _, n, err := openFixedChunk(b, TypeCookieAck, headerLen)
	if err != nil {
		return 0, err
	}
	c.Flags = flags
	return n, nil
}

package chunk

// RFC 9260 Section 3.3.11: Cookie Echo (COOKIE ECHO) (10)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 10   |  Chunk Flags  |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                            Cookie                             /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// CookieEcho is a COOKIE ECHO chunk (RFC 9260 Section 3.3.11).
//
// The encoder writes 4+len(Cookie) into the 16-bit Length field; keeping the
// cookie within 65531 bytes is the caller's responsibility.
type CookieEcho struct {
	// Flags are the chunk flags, "set to 0 on transmit and ignored on
	// receipt"; they are kept as received.
	Flags uint8
	// Cookie is the State Cookie as received in the INIT ACK, without
	// padding. After Parse it aliases the input; an empty cookie parses to
	// an empty, non-nil slice. Its integrity is for the association to
	// check (RFC 9260 Section 5.1.5).
	Cookie []byte
}

// Type implements Chunk.
func (c *CookieEcho) Type() Type { return TypeCookieEcho }

// Len implements Chunk.
func (c *CookieEcho) Len() int { return pad4(headerLen + len(c.Cookie)) }

// Append implements Chunk.
func (c *CookieEcho) Append(b []byte) []byte {
	n := headerLen + len(c.Cookie)
	b = appendChunkHeader(b, TypeCookieEcho, c.Flags, n)
	b = append(b, c.Cookie...)
	return appendPadding(b, n)
}

// Parse fills c from the COOKIE ECHO chunk at the start of b and returns the
// bytes it occupies, padding included.
func (c *CookieEcho) Parse(b []byte) (int, error) {
	flags, v, n, err := openChunk(b, TypeCookieEcho, headerLen)
	if err != nil {
		return 0, err
	}
	c.Flags, c.Cookie = flags, v
	return n, nil
}

package chunk

import "encoding/binary"

// RFC 4895 Section 5.1: Authentication Chunk (AUTH) (15)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Type = 0x0F   |   Flags=0     |             Length            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Shared Key Identifier      |        HMAC Identifier        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	\                             HMAC                              /
//	/                                                               \
//	/                               +-------------------------------\
//	|                               |           Padding             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// authHeaderLen is the length of an AUTH chunk without the HMAC.
const authHeaderLen = 8

// Auth is an AUTH chunk (RFC 4895 Section 5.1).
//
// Parse checks the layout only: whether the HMAC Identifier was negotiated,
// the Shared Key Identifier is known and the HMAC has the length the
// algorithm gives are for the association to check (RFC 4895 Section 6.3).
// The encoder writes 8+len(HMAC) into the 16-bit Length field; keeping it
// within 65535 is the caller's responsibility.
type Auth struct {
	// Flags are the chunk flags, which "SHOULD be set to zero on transmit
	// and MUST be ignored on receipt"; they are kept as received.
	Flags uint8
	// SharedKeyID is the Shared Key Identifier.
	SharedKeyID uint16
	// HMACID is the HMAC Identifier (RFC 4895 Section 3.3, Table 2: 1 is
	// SHA-1, 3 is SHA-256).
	HMACID uint16
	// HMAC is the message authentication code, without padding. After
	// Parse it aliases the input; an empty HMAC parses to an empty, non-nil
	// slice. To compute the HMAC the sender appends the chunk with HMAC
	// set to zeros of the right length (RFC 4895 Section 6.2, Figure 6).
	HMAC []byte
}

// Type implements Chunk.
func (c *Auth) Type() Type { return TypeAuth }

// Len implements Chunk.
func (c *Auth) Len() int { return pad4(authHeaderLen + len(c.HMAC)) }

// Append implements Chunk.
func (c *Auth) Append(b []byte) []byte {
	n := authHeaderLen + len(c.HMAC)
	b = appendChunkHeader(b, TypeAuth, c.Flags, n)
	b = binary.BigEndian.AppendUint16(b, c.SharedKeyID)
	b = binary.BigEndian.AppendUint16(b, c.HMACID)
	b = append(b, c.HMAC...)
	return appendPadding(b, n)
}

// Parse fills c from the AUTH chunk at the start of b and returns the bytes
// it occupies, padding included. A Length below 8 is rejected with
// ErrLength.
func (c *Auth) Parse(b []byte) (int, error) {
	flags, v, n, err := openChunk(b, TypeAuth, authHeaderLen)
	if err != nil {
		return 0, err
	}
	c.Flags = flags
	c.SharedKeyID = binary.BigEndian.Uint16(v)
	c.HMACID = binary.BigEndian.Uint16(v[2:])
	c.HMAC = v[4:]
	return n, nil
}

package chunk

import "encoding/binary"

// RFC 4895 Section 4.1: Unsupported HMAC Identifier (0x0105)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      Cause Code = 0x0105      |       Cause Length = 6        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         HMAC Identifier       |            Padding            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// UnsupportedHMACIdentifierCause is the Unsupported HMAC Identifier error
// cause (RFC 4895 Section 4.1): an AUTH chunk was received with an HMAC
// Identifier the receiver does not support.
//
// The Cause Length is 6 and the cause occupies 8 bytes with its padding.
// RFC 4895 Section 4.1: "The Padding MUST be 2 bytes long and it MUST be
// ignored by the receiver." Parse ignores the padding bytes; Append writes
// zeros.
type UnsupportedHMACIdentifierCause struct {
	// HMACID is the HMAC Identifier that is not supported (RFC 4895
	// Section 8.4).
	HMACID HMACIdentifier
}

// CauseCode implements Cause.
func (c *UnsupportedHMACIdentifierCause) CauseCode() CauseCode {
	return CauseUnsupportedHMACIdentifier
}

// Len implements Cause.
func (c *UnsupportedHMACIdentifierCause) Len() int { return 8 }

// Append implements Cause.
func (c *UnsupportedHMACIdentifierCause) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(CauseUnsupportedHMACIdentifier), 6)
	b = binary.BigEndian.AppendUint16(b, uint16(c.HMACID))
	return append(b, 0, 0)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies (8). RFC 4895 Section 4.1: Cause Length "MUST be set
// to 6"; any other value is ErrLength.
func (c *UnsupportedHMACIdentifierCause) Parse(b []byte) (int, error) {
	v, n, err := openFixedCause(b, CauseUnsupportedHMACIdentifier, 6)
	if err != nil {
		return 0, err
	}
	c.HMACID = HMACIdentifier(binary.BigEndian.Uint16(v))
	return n, nil
}

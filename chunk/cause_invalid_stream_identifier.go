package chunk

import "encoding/binary"

// RFC 9260 Section 3.3.10.1: Invalid Stream Identifier (1)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 1         |       Cause Length = 8        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|       Stream Identifier       |          (Reserved)           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// InvalidStreamIdentifierCause is the Invalid Stream Identifier error cause
// (RFC 9260 Section 3.3.10.1): a DATA chunk was received for a stream that
// does not exist.
type InvalidStreamIdentifierCause struct {
	// StreamID is the Stream Identifier of the DATA chunk received in
	// error.
	StreamID StreamID
	// Reserved is the reserved field, kept as received so that re-encoding
	// is byte-identical. RFC 9260 Section 3.3.10.1: "It is set to all 0's
	// on transmit and ignored on receipt." Leave it zero when building a
	// cause.
	Reserved uint16
}

// CauseCode implements Cause.
func (c *InvalidStreamIdentifierCause) CauseCode() CauseCode { return CauseInvalidStreamIdentifier }

// Len implements Cause.
func (c *InvalidStreamIdentifierCause) Len() int { return 8 }

// Append implements Cause.
func (c *InvalidStreamIdentifierCause) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(CauseInvalidStreamIdentifier), 8)
	b = binary.BigEndian.AppendUint16(b, uint16(c.StreamID))
	return binary.BigEndian.AppendUint16(b, c.Reserved)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies. The Cause Length must be 8.
func (c *InvalidStreamIdentifierCause) Parse(b []byte) (int, error) {
	v, n, err := openFixedCause(b, CauseInvalidStreamIdentifier, 8)
	if err != nil {
		return 0, err
	}
	c.StreamID = StreamID(binary.BigEndian.Uint16(v))
	c.Reserved = binary.BigEndian.Uint16(v[2:])
	return n, nil
}

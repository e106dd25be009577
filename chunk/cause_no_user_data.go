package chunk

import "encoding/binary"

// RFC 9260 Section 3.3.10.9: No User Data (9)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 9         |       Cause Length = 8        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                              TSN                              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// NoUserDataCause is the No User Data error cause (RFC 9260 Section
// 3.3.10.9): a DATA chunk was received without user data.
type NoUserDataCause struct {
	// TSN is the TSN of the DATA chunk received with no User Data field.
	TSN TSN
}

// CauseCode implements Cause.
func (c *NoUserDataCause) CauseCode() CauseCode { return CauseNoUserData }

// Len implements Cause.
func (c *NoUserDataCause) Len() int { return 8 }

// Append implements Cause.
func (c *NoUserDataCause) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(CauseNoUserData), 8)
	return binary.BigEndian.AppendUint32(b, uint32(c.TSN))
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies. The Cause Length must be 8.
func (c *NoUserDataCause) Parse(b []byte) (int, error) {
	v, n, err := openFixedCause(b, CauseNoUserData, 8)
	if err != nil {
		return 0, err
	}
	c.TSN = TSN(binary.BigEndian.Uint32(v))
	return n, nil
}

package chunk

// RFC 9260 Section 3.3.10.13: Protocol Violation (13)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Cause Code = 13         |        Cause Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                    Additional Information                     /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ProtocolViolationCause is the Protocol Violation error cause (RFC 9260
// Section 3.3.10.13): the sender detected a protocol violation of the peer
// that no other cause covers.
//
// The caller keeps Info short enough for the Cause Length to fit in 16
// bits (at most 65531 bytes).
type ProtocolViolationCause struct {
	// Info is the Additional Information, opaque (often text naming the
	// violation); it may be empty. After Parse it aliases the input.
	Info []byte
}

// CauseCode implements Cause.
func (c *ProtocolViolationCause) CauseCode() CauseCode { return CauseProtocolViolation }

// Len implements Cause.
func (c *ProtocolViolationCause) Len() int { return rawCauseLen(c.Info) }

// Append implements Cause.
func (c *ProtocolViolationCause) Append(b []byte) []byte {
	return appendRawCause(b, CauseProtocolViolation, c.Info)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies.
func (c *ProtocolViolationCause) Parse(b []byte) (int, error) {
	v, n, err := openCause(b, CauseProtocolViolation, headerLen)
	if err != nil {
		return 0, err
	}
	c.Info = v
	return n, nil
}

package chunk

// RFC 5061 Section 4.3.3: Request to Delete Source IP Address (0x00A2)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Cause Code=0x00A2         |      Cause Length=Variable    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                     TLV-Copied-From-ASCONF                    /
//	/                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// DeleteSourceAddressCause is the Request to Delete Source IP Address error
// cause (RFC 5061 Section 4.3.3): a request to delete the source IP address
// of the ASCONF is rejected.
//
// The copied ASCONF parameter (for example an Add IP Address parameter) is
// kept as raw bytes and not parsed, so that the cause round-trips whatever
// it holds; the parameters of RFC 5061 Section 4.2 parse it if needed. The
// caller keeps Param short enough for the Cause Length to fit in 16 bits.
type DeleteSourceAddressCause struct {
	// Param is the TLV copied from the ASCONF chunk, header included,
	// exactly as covered by the Cause Length. After Parse it aliases the
	// input.
	Param []byte
}

// CauseCode implements Cause.
func (c *DeleteSourceAddressCause) CauseCode() CauseCode { return CauseDeleteSourceAddress }

// Len implements Cause.
func (c *DeleteSourceAddressCause) Len() int { return rawCauseLen(c.Param) }

// Append implements Cause.
func (c *DeleteSourceAddressCause) Append(b []byte) []byte {
	return appendRawCause(b, CauseDeleteSourceAddress, c.Param)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies.
func (c *DeleteSourceAddressCause) Parse(b []byte) (int, error) {
	v, n, err := openCause(b, CauseDeleteSourceAddress, headerLen)
	if err != nil {
		return 0, err
	}
	c.Param = v
	return n, nil
}

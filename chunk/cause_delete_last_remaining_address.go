package chunk

// RFC 5061 Section 4.3.1: Request to Delete Last Remaining IP Address (0x00A0)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Cause Code=0x00A0         |      Cause Length=Variable    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                     TLV-Copied-From-ASCONF                    /
//	/                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// DeleteLastRemainingAddressCause is the Request to Delete Last Remaining IP
// Address error cause (RFC 5061 Section 4.3.1): a request to delete the last
// IP address of the association is rejected.
//
// The copied ASCONF parameter (for example an Add IP Address parameter) is
// kept as raw bytes and not parsed, so that the cause round-trips whatever
// it holds; the parameters of RFC 5061 Section 4.2 parse it if needed. The
// caller keeps Param short enough for the Cause Length to fit in 16 bits.
type DeleteLastRemainingAddressCause struct {
	// Param is the TLV copied from the ASCONF chunk, header included,
	// exactly as covered by the Cause Length. After Parse it aliases the
	// input.
	Param []byte
}

// CauseCode implements Cause.
func (c *DeleteLastRemainingAddressCause) CauseCode() CauseCode {
	return CauseDeleteLastRemainingAddress
}

// Len implements Cause.
func (c *DeleteLastRemainingAddressCause) Len() int { return rawCauseLen(c.Param) }

// Append implements Cause.
func (c *DeleteLastRemainingAddressCause) Append(b []byte) []byte {
	return appendRawCause(b, CauseDeleteLastRemainingAddress, c.Param)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies.
func (c *DeleteLastRemainingAddressCause) Parse(b []byte) (int, error) {
	v, n, err := openCause(b, CauseDeleteLastRemainingAddress, headerLen)
	if err != nil {
		return 0, err
	}
	c.Param = v
	return n, nil
}

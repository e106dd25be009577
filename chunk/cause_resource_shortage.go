package chunk

// RFC 5061 Section 4.3.2: Operation Refused Due to Resource Shortage (0x00A1)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Cause Code=0x00A1         |      Cause Length=Variable    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                     TLV-Copied-From-ASCONF                    /
//	/                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ResourceShortageCause is the Operation Refused Due to Resource Shortage
// error cause (RFC 5061 Section 4.3.2): the receiver lacks the resources to
// perform the requested operation. RFC 5061 Section 4.3.2: "The entire TLV
// that is refused is copied from the ASCONF into the Error Cause."
//
// The copied ASCONF parameter (for example an Add IP Address parameter) is
// kept as raw bytes and not parsed, so that the cause round-trips whatever
// it holds; the parameters of RFC 5061 Section 4.2 parse it if needed. The
// caller keeps Param short enough for the Cause Length to fit in 16 bits.
type ResourceShortageCause struct {
	// Param is the TLV copied from the ASCONF chunk, header included,
	// exactly as covered by the Cause Length. After Parse it aliases the
	// input.
	Param []byte
}

// CauseCode implements Cause.
func (c *ResourceShortageCause) CauseCode() CauseCode { return CauseResourceShortage }

// Len implements Cause.
func (c *ResourceShortageCause) Len() int { return rawCauseLen(c.Param) }

// Append implements Cause.
func (c *ResourceShortageCause) Append(b []byte) []byte {
	return appendRawCause(b, CauseResourceShortage, c.Param)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies.
func (c *ResourceShortageCause) Parse(b []byte) (int, error) {
	v, n, err := openCause(b, CauseResourceShortage, headerLen)
	if err != nil {
		return 0, err
	}
	c.Param = v
	return n, nil
}

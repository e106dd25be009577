package chunk

// RFC 9260 Section 3.3.10.8: Unrecognized Parameters (8)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 8         |         Cause Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                    Unrecognized Parameters                    /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The field "contains the unrecognized parameters copied from the INIT ACK
// chunk complete with TLV". Every copied parameter but the last is padded
// so that the next one is aligned; if the last one has an odd length and is
// copied without its padding, the cause itself is padded.

// UnrecognizedParametersCause is the Unrecognized Parameters error cause
// (RFC 9260 Section 3.3.10.8): the receiver of an INIT ACK chunk did not
// recognize some of its optional parameters. RFC 5061 Section 5.2 (rule
// V2) also uses it in the Error Cause Indication of an ASCONF-ACK.
//
// Params is kept as raw bytes and not parsed. The caller keeps it short
// enough for the Cause Length to fit in 16 bits.
type UnrecognizedParametersCause struct {
	// Params holds the unrecognized parameter TLVs, headers included,
	// exactly as covered by the Cause Length. After Parse it aliases the
	// input.
	Params []byte
}

// CauseCode implements Cause.
func (c *UnrecognizedParametersCause) CauseCode() CauseCode { return CauseUnrecognizedParameters }

// Len implements Cause.
func (c *UnrecognizedParametersCause) Len() int { return rawCauseLen(c.Params) }

// Append implements Cause.
func (c *UnrecognizedParametersCause) Append(b []byte) []byte {
	return appendRawCause(b, CauseUnrecognizedParameters, c.Params)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies.
func (c *UnrecognizedParametersCause) Parse(b []byte) (int, error) {
	v, n, err := openCause(b, CauseUnrecognizedParameters, headerLen)
	if err != nil {
		return 0, err
	}
	c.Params = v
	return n, nil
}

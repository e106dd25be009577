package chunk

// RFC 9260 Section 3.3.10.12: User-Initiated Abort (12)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 12        |         Cause Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                   Upper Layer Abort Reason                    /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// UserInitiatedAbortCause is the User-Initiated Abort error cause (RFC
// 9260 Section 3.3.10.12), included in an ABORT chunk sent at the request
// of the upper layer.
//
// The caller keeps Reason short enough for the Cause Length to fit in 16
// bits (at most 65531 bytes).
type UserInitiatedAbortCause struct {
	// Reason is the Upper Layer Abort Reason, "transported by SCTP
	// transparently"; it may be empty. After Parse it aliases the input.
	Reason []byte
}

// CauseCode implements Cause.
func (c *UserInitiatedAbortCause) CauseCode() CauseCode { return CauseUserInitiatedAbort }

// Len implements Cause.
func (c *UserInitiatedAbortCause) Len() int { return rawCauseLen(c.Reason) }

// Append implements Cause.
func (c *UserInitiatedAbortCause) Append(b []byte) []byte {
	return appendRawCause(b, CauseUserInitiatedAbort, c.Reason)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies.
func (c *UserInitiatedAbortCause) Parse(b []byte) (int, error) {
	v, n, err := openCause(b, CauseUserInitiatedAbort, headerLen)
	if err != nil {
		return 0, err
	}
	c.Reason = v
	return n, nil
}

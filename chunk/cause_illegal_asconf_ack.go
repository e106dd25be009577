package chunk

// RFC 5061 Section 4.3.4: Association Aborted Due to Illegal ASCONF-ACK (0x00A3)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Cause Code=0x00A3         |       Cause Length = 4        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// IllegalASCONFAckCause is the Association Aborted Due to Illegal ASCONF-ACK
// error cause (RFC 5061 Section 4.3.4): an ABORT is sent because an
// unexpected ASCONF-ACK was received (RFC 5061 Section 5.3, rule F0).
//
// It carries no information.
type IllegalASCONFAckCause struct{}

// CauseCode implements Cause.
func (c *IllegalASCONFAckCause) CauseCode() CauseCode { return CauseIllegalASCONFAck }

// Len implements Cause.
func (c *IllegalASCONFAckCause) Len() int { return headerLen }

// Append implements Cause.
func (c *IllegalASCONFAckCause) Append(b []byte) []byte {
	return appendEmptyCause(b, CauseIllegalASCONFAck)
}

// Parse checks the error cause at the start of b and returns the bytes it
// occupies. The Cause Length must be 4.
func (c *IllegalASCONFAckCause) Parse(b []byte) (int, error) {
	return parseEmptyCause(b, CauseIllegalASCONFAck)
}

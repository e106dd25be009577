package chunk

// RFC 9260 Section 3.3.10.7: Invalid Mandatory Parameter (7)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 7         |       Cause Length = 4        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// InvalidMandatoryParameterCause is the Invalid Mandatory Parameter error
// cause (RFC 9260 Section 3.3.10.7): a mandatory parameter of an INIT or
// INIT ACK chunk has an invalid value.
//
// It carries no information.
type InvalidMandatoryParameterCause struct{}

// CauseCode implements Cause.
func (c *InvalidMandatoryParameterCause) CauseCode() CauseCode { return CauseInvalidMandatoryParameter }

// Len implements Cause.
func (c *InvalidMandatoryParameterCause) Len() int { return headerLen }

// Append implements Cause.
func (c *InvalidMandatoryParameterCause) Append(b []byte) []byte {
	return appendEmptyCause(b, CauseInvalidMandatoryParameter)
}

// Parse checks the error cause at the start of b and returns the bytes it
// occupies. The Cause Length must be 4.
func (c *InvalidMandatoryParameterCause) Parse(b []byte) (int, error) {
	return parseEmptyCause(b, CauseInvalidMandatoryParameter)
}

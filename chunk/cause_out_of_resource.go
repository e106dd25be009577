package chunk

// RFC 9260 Section 3.3.10.4: Out of Resource (4)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 4         |       Cause Length = 4        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// OutOfResourceCause is the Out of Resource error cause (RFC 9260 Section
// 3.3.10.4): the sender is out of resource.
//
// It carries no information.
type OutOfResourceCause struct{}

// CauseCode implements Cause.
func (c *OutOfResourceCause) CauseCode() CauseCode { return CauseOutOfResource }

// Len implements Cause.
func (c *OutOfResourceCause) Len() int { return headerLen }

// Append implements Cause.
func (c *OutOfResourceCause) Append(b []byte) []byte { return appendEmptyCause(b, CauseOutOfResource) }

// Parse checks the error cause at the start of b and returns the bytes it
// occupies. The Cause Length must be 4.
func (c *OutOfResourceCause) Parse(b []byte) (int, error) {
	return parseEmptyCause(b, CauseOutOfResource)
}

package chunk

// RFC 9260 Section 3.3.10.10: Cookie Received While Shutting Down (10)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 10        |       Cause Length = 4        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// CookieWhileShuttingDownCause is the Cookie Received While Shutting Down
// error cause (RFC 9260 Section 3.3.10.10): a COOKIE ECHO chunk was received
// in the SHUTDOWN-ACK-SENT state.
//
// It carries no information.
type CookieWhileShuttingDownCause struct{}

// CauseCode implements Cause.
func (c *CookieWhileShuttingDownCause) CauseCode() CauseCode { return CauseCookieWhileShuttingDown }

// Len implements Cause.
func (c *CookieWhileShuttingDownCause) Len() int { return headerLen }

// Append implements Cause.
func (c *CookieWhileShuttingDownCause) Append(b []byte) []byte {
	return appendEmptyCause(b, CauseCookieWhileShuttingDown)
}

// Parse checks the error cause at the start of b and returns the bytes it
// occupies. The Cause Length must be 4.
func (c *CookieWhileShuttingDownCause) Parse(b []byte) (int, error) {
	return parseEmptyCause(b, CauseCookieWhileShuttingDown)
}

package chunk

// Cause is an error cause (RFC 9260 Section 3.3.10), carried in ABORT and
// ERROR chunks and in the Error Cause Indication parameter of ASCONF-ACK.
//
// Every concrete cause type of this package also has a pointer method
//
//	Parse(b []byte) (n int, err error)
//
// that fills it from the cause at the start of b and returns the bytes the
// cause occupies, padding included.
type Cause interface {
	// CauseCode returns the cause code.
	CauseCode() CauseCode
	// Len returns the number of bytes Append adds, including the padding
	// to a multiple of 4 bytes.
	Len() int
	// Append appends the encoded, padded cause to b and returns the
	// extended slice.
	Append(b []byte) []byte
}

// openCause validates the envelope of an error cause with code want at the
// start of b with a Length of at least minLen. See openTLV.
func openCause(b []byte, want CauseCode, minLen int) (value []byte, n int, err error) {
	code, value, n, err := openTLV(b, minLen)
	if err != nil {
		return nil, 0, inCause(err, want, 0)
	}
	if CauseCode(code) != want {
		return nil, 0, inCause(errAt(ErrType, 0, 0), want, 0)
	}
	return value, n, nil
}

// openFixedCause is openCause for a cause whose Length the RFC fixes.
func openFixedCause(b []byte, want CauseCode, length int) (value []byte, n int, err error) {
	value, n, err = openCause(b, want, length)
	if err == nil && len(value) != length-headerLen {
		return nil, 0, inCause(errAt(ErrLength, 2, CauseProtocolViolation), want, 0)
	}
	return value, n, err
}

// UnknownCause is an error cause of a code this package does not interpret,
// kept as a raw TLV.
type UnknownCause struct {
	Code CauseCode
	// Info is the cause-specific information without header and padding.
	// After Parse it aliases the input.
	Info []byte
}

// CauseCode implements Cause.
func (c *UnknownCause) CauseCode() CauseCode { return c.Code }

// Len implements Cause.
func (c *UnknownCause) Len() int { return pad4(headerLen + len(c.Info)) }

// Append implements Cause.
func (c *UnknownCause) Append(b []byte) []byte {
	n := headerLen + len(c.Info)
	b = appendTLVHeader(b, uint16(c.Code), n)
	b = append(b, c.Info...)
	return appendPadding(b, n)
}

// Parse fills c from the error cause at the start of b, whatever its code.
func (c *UnknownCause) Parse(b []byte) (int, error) {
	code, v, n, err := openTLV(b, headerLen)
	if err != nil {
		return 0, inCause(err, CauseCode(code), 0)
	}
	c.Code, c.Info = CauseCode(code), v
	return n, nil
}

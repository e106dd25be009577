package chunk

import (
	"encoding/binary"
	"time"
)

// RFC 9260 Section 3.3.2.1.3: Cookie Preservative (9)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 9            |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Suggested Cookie Life-Span Increment (msec.)          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// CookiePreservative is the Cookie Preservative parameter of INIT (RFC 9260
// Section 3.3.2.1.3), by which the sender of an INIT that failed with a
// Stale Cookie error suggests a longer cookie life span. The receiver "MAY
// choose to ignore the suggested cookie life span increase".
type CookiePreservative struct {
	// SuggestedLifespanIncrement is the Suggested Cookie Life-Span
	// Increment in milliseconds.
	SuggestedLifespanIncrement uint32
}

// Increment returns SuggestedLifespanIncrement as a duration.
func (p *CookiePreservative) Increment() time.Duration {
	return time.Duration(p.SuggestedLifespanIncrement) * time.Millisecond
}

// ParamType implements Param.
func (p *CookiePreservative) ParamType() ParamType { return ParamCookiePreservative }

// Len implements Param.
func (p *CookiePreservative) Len() int { return 8 }

// Append implements Param.
func (p *CookiePreservative) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(ParamCookiePreservative), 8)
	return binary.BigEndian.AppendUint32(b, p.SuggestedLifespanIncrement)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. The Length must be 8.
func (p *CookiePreservative) Parse(b []byte) (int, error) {
	v, n, err := openFixedParam(b, ParamCookiePreservative, 8)
	if err != nil {
		return 0, err
	}
	p.SuggestedLifespanIncrement = binary.BigEndian.Uint32(v)
	return n, nil
}

package chunk

import "encoding/binary"

// RFC 9260 Section 3.3.10.2: Missing Mandatory Parameter (2)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 2         |   Cause Length = 8 + N * 2    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Number of missing params = N                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Missing Param Type #1     |     Missing Param Type #2     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Missing Param Type #N-1    |     Missing Param Type #N     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// With an odd N the Cause Length is 2 modulo 4 and the cause is followed
// by 2 bytes of padding (RFC 9260 Section 3.2.1).

// missingParamHeaderLen is the length of a Missing Mandatory Parameter
// cause with no parameter types.
const missingParamHeaderLen = 8

// MissingMandatoryParameterCause is the Missing Mandatory Parameter error
// cause (RFC 9260 Section 3.3.10.2): mandatory parameters are missing from
// a received INIT or INIT ACK chunk.
//
// The caller keeps the list short enough for the Cause Length to fit in 16
// bits (at most 32763 types).
type MissingMandatoryParameterCause struct {
	// Missing lists the missing parameter types. The Number of missing
	// params field is derived from it.
	Missing []ParamType
}

// CauseCode implements Cause.
func (c *MissingMandatoryParameterCause) CauseCode() CauseCode {
	return CauseMissingMandatoryParameter
}

// Len implements Cause.
func (c *MissingMandatoryParameterCause) Len() int {
	return pad4(missingParamHeaderLen + 2*len(c.Missing))
}

// Append implements Cause.
func (c *MissingMandatoryParameterCause) Append(b []byte) []byte {
	n := missingParamHeaderLen + 2*len(c.Missing)
	b = appendTLVHeader(b, uint16(CauseMissingMandatoryParameter), n)
	b = binary.BigEndian.AppendUint32(b, uint32(len(c.Missing)))
	for _, t := range c.Missing {
		b = binary.BigEndian.AppendUint16(b, uint16(t))
	}
	return appendPadding(b, n)
}

// Parse fills c from the error cause at the start of b and returns the
// bytes it occupies. The Cause Length must be 8 + 2*N where N is the
// Number of missing params field (ErrLength otherwise). An empty list
// parses to a nil (or, when reused, empty) Missing.
func (c *MissingMandatoryParameterCause) Parse(b []byte) (int, error) {
	v, n, err := openCause(b, CauseMissingMandatoryParameter, missingParamHeaderLen)
	if err != nil {
		return 0, err
	}
	types := v[4:]
	if len(types)%2 != 0 {
		return 0, inCause(errAt(ErrLength, 2, CauseProtocolViolation), CauseMissingMandatoryParameter, 0)
	}
	// The count comes from the validated length; the field must agree.
	count := len(types) / 2
	if binary.BigEndian.Uint32(v) != uint32(count) {
		return 0, inCause(errAt(ErrLength, 4, CauseProtocolViolation), CauseMissingMandatoryParameter, 0)
	}
	c.Missing = c.Missing[:0]
	for i := 0; i < count; i++ {
		c.Missing = append(c.Missing, ParamType(binary.BigEndian.Uint16(types[2*i:])))
	}
	return n, nil
}

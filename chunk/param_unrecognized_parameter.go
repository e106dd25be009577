package chunk

// RFC 9260 Section 3.3.3.1.2: Unrecognized Parameter (8)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 8            |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                    Unrecognized Parameter                     /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// UnrecognizedParameter is the Unrecognized Parameter parameter of INIT ACK
// (RFC 9260 Section 3.3.3.1.2), which returns to the sender of an INIT a
// parameter it did not recognize and whose type asks for a report. RFC 9260
// Section 3.3.3.1.2: "The Parameter Value field will contain an
// unrecognized parameter copied from the INIT chunk complete with Parameter
// Type, Length, and Value fields."
//
// The embedded TLV is kept as raw bytes and not validated: a receiver only
// reads it to learn which of its parameters the peer did not understand.
//
// A Param of more than 65531 bytes cannot be represented; keeping it
// shorter is the caller's responsibility (Append then writes a wrong Length
// but does not panic).
type UnrecognizedParameter struct {
	// Param is the whole unrecognized parameter TLV as received, header
	// included: the bytes within this parameter's Length, without this
	// parameter's own padding. After Parse it aliases the input.
	Param []byte
}

// ParamType implements Param.
func (p *UnrecognizedParameter) ParamType() ParamType { return ParamUnrecognizedParameter }

// Len implements Param.
func (p *UnrecognizedParameter) Len() int { return pad4(headerLen + len(p.Param)) }

// Append implements Param.
func (p *UnrecognizedParameter) Append(b []byte) []byte {
	n := headerLen + len(p.Param)
	b = appendTLVHeader(b, uint16(ParamUnrecognizedParameter), n)
	b = append(b, p.Param...)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included. The embedded parameter is not examined.
func (p *UnrecognizedParameter) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamUnrecognizedParameter, headerLen)
	if err != nil {
		return 0, err
	}
	p.Param = v
	return n, nil
}

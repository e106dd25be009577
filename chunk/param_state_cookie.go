package chunk

// RFC 9260 Section 3.3.3.1.1: State Cookie (7)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 7            |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                            Cookie                             /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// StateCookie is the State Cookie parameter of INIT ACK (RFC 9260 Section
// 3.3.3.1.1). Its content is opaque to this package: the sender of the INIT
// ACK builds and verifies it (RFC 9260 Section 5.1.3).
//
// A Cookie of more than 65531 bytes cannot be represented; keeping it
// shorter is the caller's responsibility (Append then writes a wrong Length
// but does not panic).
type StateCookie struct {
	// Cookie is the cookie without header and padding. After Parse it
	// aliases the input.
	Cookie []byte
}

// ParamType implements Param.
func (p *StateCookie) ParamType() ParamType { return ParamStateCookie }

// Len implements Param.
func (p *StateCookie) Len() int { return pad4(headerLen + len(p.Cookie)) }

// Append implements Param.
func (p *StateCookie) Append(b []byte) []byte {
	n := headerLen + len(p.Cookie)
	b = appendTLVHeader(b, uint16(ParamStateCookie), n)
	b = append(b, p.Cookie...)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included. An empty cookie is accepted here; it will
// fail the cookie's own validation.
func (p *StateCookie) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamStateCookie, headerLen)
	if err != nil {
		return 0, err
	}
	p.Cookie = v
	return n, nil
}

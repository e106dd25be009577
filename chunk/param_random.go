package chunk

// RFC 4895 Section 3.1: Random Parameter (RANDOM) (0x8002)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 0x8002   |       Parameter Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	\                          Random Number                        /
//	/                               +-------------------------------\
//	|                               |           Padding             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// Random is the Random parameter of INIT and INIT ACK (RFC 4895 Section
// 3.1), one of the inputs of the AUTH shared key. RFC 4895 Section 3.1 asks
// for "a 32-byte Random Number"; Parse accepts any length (checking it is
// up to the AUTH negotiation).
//
// A Random of more than 65531 bytes cannot be represented; keeping it
// shorter is the caller's responsibility (Append then writes a wrong Length
// but does not panic).
type Random struct {
	// Random is the Random Number, without header and padding. After
	// Parse it aliases the input.
	Random []byte
}

// ParamType implements Param.
func (p *Random) ParamType() ParamType { return ParamRandom }

// Len implements Param.
func (p *Random) Len() int { return pad4(headerLen + len(p.Random)) }

// Append implements Param.
func (p *Random) Append(b []byte) []byte {
	n := headerLen + len(p.Random)
	b = appendTLVHeader(b, uint16(ParamRandom), n)
	b = append(b, p.Random...)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included.
func (p *Random) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamRandom, headerLen)
	if err != nil {
		return 0, err
	}
	p.Random = v
	return n, nil
}

package chunk

// RFC 4820 Section 4: Padding Parameter (PAD) (0x8005)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 0x8005   |       Parameter Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                                                               /
//	\                          Padding Data                         \
//	/                                                               /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// Padding is the Padding parameter of INIT (RFC 4820 Section 4), used to
// enlarge an INIT, for example to probe the path MTU. RFC 4820 Section 4:
// "The receiver of the PAD parameter MUST silently discard this parameter
// and continue processing the rest of the INIT chunk."
//
// The RFC enlarges the INIT "in steps of 4 bytes"; Parse nevertheless
// accepts any Length (the content is discarded anyway), and Append pads
// like any parameter.
//
// Padding of more than 65531 bytes cannot be represented; keeping it
// shorter is the caller's responsibility (Append then writes a wrong Length
// but does not panic).
type Padding struct {
	// Padding is the Padding Data as received, without header and
	// trailing TLV padding. After Parse it aliases the input.
	Padding []byte
}

// ParamType implements Param.
func (p *Padding) ParamType() ParamType { return ParamPadding }

// Len implements Param.
func (p *Padding) Len() int { return pad4(headerLen + len(p.Padding)) }

// Append implements Param.
func (p *Padding) Append(b []byte) []byte {
	n := headerLen + len(p.Padding)
	b = appendTLVHeader(b, uint16(ParamPadding), n)
	b = append(b, p.Padding...)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included.
func (p *Padding) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamPadding, headerLen)
	if err != nil {
		return 0, err
	}
	p.Padding = v
	return n, nil
}

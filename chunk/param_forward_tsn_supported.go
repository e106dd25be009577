package chunk

// RFC 3758 Section 3.1: Forward-TSN-Supported Parameter (0xC000)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Parameter Type = 49152     |  Parameter Length = 4         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ForwardTSNSupported is the Forward-TSN-Supported parameter of INIT and
// INIT ACK (RFC 3758 Section 3.1), by which an endpoint announces that it
// supports the FORWARD TSN chunk (partial reliability). It has no value.
type ForwardTSNSupported struct{}

// ParamType implements Param.
func (p *ForwardTSNSupported) ParamType() ParamType { return ParamForwardTSNSupported }

// Len implements Param.
func (p *ForwardTSNSupported) Len() int { return headerLen }

// Append implements Param.
func (p *ForwardTSNSupported) Append(b []byte) []byte {
	return appendTLVHeader(b, uint16(ParamForwardTSNSupported), headerLen)
}

// Parse checks the parameter at the start of b and returns the bytes it
// occupies. RFC 3758 Section 3.1: the Length "Indicates the size of the
// parameter, i.e., 4."; any other Length is an ErrLength.
func (p *ForwardTSNSupported) Parse(b []byte) (int, error) {
	_, n, err := openFixedParam(b, ParamForwardTSNSupported, headerLen)
	if err != nil {
		return 0, err
	}
	return n, nil
}

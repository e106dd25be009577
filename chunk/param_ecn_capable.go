package chunk

// ECN Capable (0x8000): reserved in RFC 9260 Section 3.3.2 (Tables 6 and
// 7); the format is that of RFC 4960 Appendix A, where ECN was sketched
// (adapted)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Parameter Type = 0x8000    |      Parameter Length = 4     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ECNCapable is the ECN Capable parameter of INIT and INIT ACK, which RFC
// 9260 Section 3.3.2 reserves "for future use of Explicit Congestion
// Notification". It has no value.
type ECNCapable struct{}

// ParamType implements Param.
func (p *ECNCapable) ParamType() ParamType { return ParamECNCapable }

// Len implements Param.
func (p *ECNCapable) Len() int { return headerLen }

// Append implements Param.
func (p *ECNCapable) Append(b []byte) []byte {
	return appendTLVHeader(b, uint16(ParamECNCapable), headerLen)
}

// Parse checks the parameter at the start of b and returns the bytes it
// occupies. The Length must be 4.
func (p *ECNCapable) Parse(b []byte) (int, error) {
	_, n, err := openFixedParam(b, ParamECNCapable, headerLen)
	if err != nil {
		return 0, err
	}
	return n, nil
}

package chunk

import "encoding/binary"

// RFC 6525 Section 4.3: SSN/TSN Reset Request Parameter (15)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 15       |      Parameter Length = 8     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Re-configuration Request Sequence Number              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// SSNTSNResetRequest is the SSN/TSN Reset Request Parameter of RE-CONFIG
// (RFC 6525 Section 4.3): its sender asks to reset the TSN and SSN
// numbering of all streams in both directions.
type SSNTSNResetRequest struct {
	// ReqSeq is the Re-configuration Request Sequence Number.
	ReqSeq uint32
}

// ParamType implements Param.
func (p *SSNTSNResetRequest) ParamType() ParamType { return ParamSSNTSNResetRequest }

// Len implements Param.
func (p *SSNTSNResetRequest) Len() int { return 8 }

// Append implements Param.
func (p *SSNTSNResetRequest) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(ParamSSNTSNResetRequest), 8)
	return binary.BigEndian.AppendUint32(b, p.ReqSeq)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. RFC 6525 Section 4.3: the Length "MUST be 8".
func (p *SSNTSNResetRequest) Parse(b []byte) (int, error) {
	v, n, err := openFixedParam(b, ParamSSNTSNResetRequest, 8)
	if err != nil {
		return 0, err
	}
	p.ReqSeq = binary.BigEndian.Uint32(v)
	return n, nil
}

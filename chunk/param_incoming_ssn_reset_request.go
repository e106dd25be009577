package chunk

import "encoding/binary"

// RFC 6525 Section 4.2: Incoming SSN Reset Request Parameter (14)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 14       |  Parameter Length = 8 + 2 * N |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Re-configuration Request Sequence Number             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                            ......                             /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Stream Number N-1 (optional) |    Stream Number N (optional) |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// When N is odd the parameter is padded with 2 zero bytes.

// incomingSSNResetLen is the Length of an Incoming SSN Reset Request that
// lists no stream.
const incomingSSNResetLen = 8

// IncomingSSNResetRequest is the Incoming SSN Reset Request Parameter of
// RE-CONFIG (RFC 6525 Section 4.2): its sender asks the peer to reset some
// or all of the peer's outgoing streams.
//
// More than 32763 streams cannot be represented; keeping the list shorter
// is the caller's responsibility (Append then writes a wrong Length but
// does not panic).
type IncomingSSNResetRequest struct {
	// ReqSeq is the Re-configuration Request Sequence Number.
	ReqSeq uint32
	// Streams are the streams to reset; empty (nil after Parse) means
	// all streams.
	Streams []StreamID
}

// ParamType implements Param.
func (p *IncomingSSNResetRequest) ParamType() ParamType { return ParamIncomingSSNResetRequest }

// Len implements Param.
func (p *IncomingSSNResetRequest) Len() int {
	return pad4(incomingSSNResetLen + 2*len(p.Streams))
}

// Append implements Param.
func (p *IncomingSSNResetRequest) Append(b []byte) []byte {
	n := incomingSSNResetLen + 2*len(p.Streams)
	b = appendTLVHeader(b, uint16(ParamIncomingSSNResetRequest), n)
	b = binary.BigEndian.AppendUint32(b, p.ReqSeq)
	b = appendUint16List(b, p.Streams)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included. RFC 6525 Section 4.2: the Length "MUST be
// 8 + 2 * N"; any other Length is an ErrLength. Parse reuses the capacity
// of p.Streams.
func (p *IncomingSSNResetRequest) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamIncomingSSNResetRequest, incomingSSNResetLen)
	if err != nil {
		return 0, err
	}
	if len(v)%2 != 0 {
		return 0, inParam(errAt(ErrLength, 2, CauseProtocolViolation), ParamIncomingSSNResetRequest, 0)
	}
	p.ReqSeq = binary.BigEndian.Uint32(v)
	p.Streams = parseUint16List(p.Streams, v[4:])
	return n, nil
}

package chunk

import "encoding/binary"

// RFC 6525 Section 4.1: Outgoing SSN Reset Request Parameter (13)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 13       | Parameter Length = 16 + 2 * N |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Re-configuration Request Sequence Number            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Re-configuration Response Sequence Number           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                Sender's Last Assigned TSN                     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                            ......                             /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Stream Number N-1 (optional) |    Stream Number N (optional) |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// When N is odd the parameter is padded with 2 zero bytes.

// outgoingSSNResetLen is the Length of an Outgoing SSN Reset Request that
// lists no stream.
const outgoingSSNResetLen = 16

// OutgoingSSNResetRequest is the Outgoing SSN Reset Request Parameter of
// RE-CONFIG (RFC 6525 Section 4.1): its sender asks to reset some or all of
// its outgoing streams.
//
// More than 32759 streams cannot be represented; keeping the list shorter
// is the caller's responsibility (Append then writes a wrong Length but
// does not panic).
type OutgoingSSNResetRequest struct {
	// ReqSeq is the Re-configuration Request Sequence Number.
	ReqSeq uint32
	// RespSeq is the Re-configuration Response Sequence Number: the
	// request sequence number of the Incoming SSN Reset Request this
	// request answers, or else the next expected request sequence number
	// minus 1.
	RespSeq uint32
	// SenderLastTSN is the Sender's Last Assigned TSN.
	SenderLastTSN TSN
	// Streams are the streams to reset; empty (nil after Parse) means
	// all streams.
	Streams []StreamID
}

// ParamType implements Param.
func (p *OutgoingSSNResetRequest) ParamType() ParamType { return ParamOutgoingSSNResetRequest }

// Len implements Param.
func (p *OutgoingSSNResetRequest) Len() int {
	return pad4(outgoingSSNResetLen + 2*len(p.Streams))
}

// Append implements Param.
func (p *OutgoingSSNResetRequest) Append(b []byte) []byte {
	n := outgoingSSNResetLen + 2*len(p.Streams)
	b = appendTLVHeader(b, uint16(ParamOutgoingSSNResetRequest), n)
	b = binary.BigEndian.AppendUint32(b, p.ReqSeq)
	b = binary.BigEndian.AppendUint32(b, p.RespSeq)
	b = binary.BigEndian.AppendUint32(b, uint32(p.SenderLastTSN))
	b = appendUint16List(b, p.Streams)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included. RFC 6525 Section 4.1: the Length "MUST be
// 16 + 2 * N"; any other Length is an ErrLength. Parse reuses the capacity
// of p.Streams.
func (p *OutgoingSSNResetRequest) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamOutgoingSSNResetRequest, outgoingSSNResetLen)
	if err != nil {
		return 0, err
	}
	if len(v)%2 != 0 {
		return 0, inParam(errAt(ErrLength, 2, CauseProtocolViolation), ParamOutgoingSSNResetRequest, 0)
	}
	p.ReqSeq = binary.BigEndian.Uint32(v)
	p.RespSeq = binary.BigEndian.Uint32(v[4:])
	p.SenderLastTSN = TSN(binary.BigEndian.Uint32(v[8:]))
	p.Streams = parseUint16List(p.Streams, v[12:])
	return n, nil
}

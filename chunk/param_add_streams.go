package chunk

import "encoding/binary"

// RFC 6525 Section 4.5: Add Outgoing Streams Request Parameter (17)
// RFC 6525 Section 4.6: Add Incoming Streams Request Parameter (18)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Parameter Type = 17 or 18   |      Parameter Length = 12    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Re-configuration Request Sequence Number             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      Number of new streams    |         Reserved              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// addStreamsLen is the Length of both Add Streams Request parameters.
const addStreamsLen = 12

// AddOutgoingStreams is the Add Outgoing Streams Request Parameter of
// RE-CONFIG (RFC 6525 Section 4.5): its sender asks to add outgoing streams
// (the receiver's incoming streams).
type AddOutgoingStreams struct {
	// ReqSeq is the Re-configuration Request Sequence Number.
	ReqSeq uint32
	// NumNewStreams is the number of outgoing streams to add.
	NumNewStreams uint16
	// Reserved is the Reserved field. RFC 6525 Section 4.5: "It SHOULD
	// be set to 0 by the sender and ignored by the receiver." It is kept
	// as received so that re-encoding is byte-identical; set it to 0 when
	// sending.
	Reserved uint16
}

// ParamType implements Param.
func (p *AddOutgoingStreams) ParamType() ParamType { return ParamAddOutgoingStreams }

// Len implements Param.
func (p *AddOutgoingStreams) Len() int { return addStreamsLen }

// Append implements Param.
func (p *AddOutgoingStreams) Append(b []byte) []byte {
	return appendAddStreams(b, ParamAddOutgoingStreams, p.ReqSeq, p.NumNewStreams, p.Reserved)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. RFC 6525 Section 4.5: the Length "MUST be 12".
func (p *AddOutgoingStreams) Parse(b []byte) (int, error) {
	v, n, err := openFixedParam(b, ParamAddOutgoingStreams, addStreamsLen)
	if err != nil {
		return 0, err
	}
	p.ReqSeq, p.NumNewStreams, p.Reserved = readAddStreams(v)
	return n, nil
}

// AddIncomingStreams is the Add Incoming Streams Request Parameter of
// RE-CONFIG (RFC 6525 Section 4.6): its sender asks the peer to add
// outgoing streams (the sender's incoming streams).
type AddIncomingStreams struct {
	// ReqSeq is the Re-configuration Request Sequence Number.
	ReqSeq uint32
	// NumNewStreams is the number of incoming streams to add.
	NumNewStreams uint16
	// Reserved is the Reserved field. RFC 6525 Section 4.6: "It SHOULD
	// be set to 0 by the sender and ignored by the receiver." It is kept
	// as received so that re-encoding is byte-identical; set it to 0 when
	// sending.
	Reserved uint16
}

// ParamType implements Param.
func (p *AddIncomingStreams) ParamType() ParamType { return ParamAddIncomingStreams }

// Len implements Param.
func (p *AddIncomingStreams) Len() int { return addStreamsLen }

// Append implements Param.
func (p *AddIncomingStreams) Append(b []byte) []byte {
	return appendAddStreams(b, ParamAddIncomingStreams, p.ReqSeq, p.NumNewStreams, p.Reserved)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. RFC 6525 Section 4.6: the Length "MUST be 12".
func (p *AddIncomingStreams) Parse(b []byte) (int, error) {
	v, n, err := openFixedParam(b, ParamAddIncomingStreams, addStreamsLen)
	if err != nil {
		return 0, err
	}
	p.ReqSeq, p.NumNewStreams, p.Reserved = readAddStreams(v)
	return n, nil
}

// appendAddStreams encodes either Add Streams Request parameter.
func appendAddStreams(b []byte, t ParamType, reqSeq uint32, num, reserved uint16) []byte {
	b = appendTLVHeader(b, uint16(t), addStreamsLen)
	b = binary.BigEndian.AppendUint32(b, reqSeq)
	b = binary.BigEndian.AppendUint16(b, num)
	return binary.BigEndian.AppendUint16(b, reserved)
}

// readAddStreams decodes the 8-byte value of either Add Streams Request
// parameter.
func readAddStreams(v []byte) (reqSeq uint32, num, reserved uint16) {
	return binary.BigEndian.Uint32(v), binary.BigEndian.Uint16(v[4:]), binary.BigEndian.Uint16(v[6:])
}

package chunk

import "encoding/binary"

// RFC 5061 Section 4.2.3: Error Cause Indication (0xC003)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Type = 0xC003              |      Length = Variable        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|             ASCONF-Response Correlation ID                    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|             Error Cause(s) or Success Indication              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Despite the label in the figure, the text defines the field as "one or
// more standard Error Causes" (RFC 9260 Section 3.3.10 format); a success
// is reported with the Success Indication parameter instead.
//
// RFC 5061 Section 4.2.5: Success Indication (0xC005)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Type = 0xC005          |      Length = 8               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|               ASCONF-Response Correlation ID                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// asconfResponseHeaderLen is the length of an ASCONF-ACK response parameter
// without causes.
const asconfResponseHeaderLen = 8

// ErrorCauseIndication is the Error Cause Indication parameter (RFC 5061
// Section 4.2.3) of an ASCONF-ACK chunk: the request with the same
// correlation ID failed for the given causes.
//
// Append writes a Length that covers every cause with its padding, so the
// parameter never needs padding of its own. Parse also accepts a Length
// that leaves out the padding of the last cause (the rule RFC 9260 Section
// 3.2 gives for the last parameter of a chunk). RFC 5061 asks for one or
// more causes; Parse accepts none, and the caller keeps the total short
// enough for the Length to fit in 16 bits.
type ErrorCauseIndication struct {
	// CorrelationID is the ASCONF-Response Correlation ID, copied from
	// the request.
	CorrelationID uint32
	// Causes are the error causes. After Parse their byte fields alias
	// the input.
	Causes []Cause
}

// ParamType implements Param.
func (p *ErrorCauseIndication) ParamType() ParamType { return ParamErrorCauseIndication }

// Len implements Param.
func (p *ErrorCauseIndication) Len() int {
	return asconfResponseHeaderLen + causesLen(p.Causes)
}

// Append implements Param.
func (p *ErrorCauseIndication) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(ParamErrorCauseIndication), p.Len())
	b = binary.BigEndian.AppendUint32(b, p.CorrelationID)
	return appendCauses(b, p.Causes)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. The causes must fill the parameter exactly (see
// parseCauses). When p is parsed again, the causes in the capacity of
// p.Causes may be reused and overwritten.
func (p *ErrorCauseIndication) Parse(b []byte) (int, error) {
	_, n, err := openParam(b, ParamErrorCauseIndication, asconfResponseHeaderLen)
	if err != nil {
		return 0, err
	}
	// The region runs through the padding, which holds the padding of the
	// last cause when the Length leaves it out.
	causes, err := parseCauses(b[asconfResponseHeaderLen:n], p.Causes[:0])
	if err != nil {
		return 0, inParam(shift(err, asconfResponseHeaderLen), ParamErrorCauseIndication, 0)
	}
	p.CorrelationID = binary.BigEndian.Uint32(b[headerLen:])
	p.Causes = causes
	return n, nil
}

// SuccessIndication is the Success Indication parameter (RFC 5061 Section
// 4.2.5) of an ASCONF-ACK chunk: the request with the same correlation ID
// succeeded.
type SuccessIndication struct {
	// CorrelationID is the ASCONF-Response Correlation ID, copied from
	// the request.
	CorrelationID uint32
}

// ParamType implements Param.
func (p *SuccessIndication) ParamType() ParamType { return ParamSuccessIndication }

// Len implements Param.
func (p *SuccessIndication) Len() int { return asconfResponseHeaderLen }

// Append implements Param.
func (p *SuccessIndication) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(ParamSuccessIndication), asconfResponseHeaderLen)
	return binary.BigEndian.AppendUint32(b, p.CorrelationID)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. The Length must be 8.
func (p *SuccessIndication) Parse(b []byte) (int, error) {
	v, n, err := openFixedParam(b, ParamSuccessIndication, asconfResponseHeaderLen)
	if err != nil {
		return 0, err
	}
	p.CorrelationID = binary.BigEndian.Uint32(v)
	return n, nil
}

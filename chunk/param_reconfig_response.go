package chunk

import (
	"encoding/binary"
	"strconv"
)

// RFC 6525 Section 4.4: Re-configuration Response Parameter (16)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 16       |      Parameter Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Re-configuration Response Sequence Number             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                            Result                             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                   Sender's Next TSN (optional)                |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                  Receiver's Next TSN (optional)               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// Lengths of a Re-configuration Response without and with the optional
// TSN fields (RFC 6525 Section 4.4).
const (
	reconfigResponseLen     = 12
	reconfigResponseTSNsLen = 20
)

// ReconfigResult is the Result field of a Re-configuration Response (RFC
// 6525 Section 4.4, Table 3).
type ReconfigResult uint32

// Result values of RFC 6525 Section 4.4, Table 3.
const (
	ReconfigSuccessNothingToDo            ReconfigResult = 0 // Success - Nothing to do
	ReconfigSuccessPerformed              ReconfigResult = 1 // Success - Performed
	ReconfigDenied                        ReconfigResult = 2 // Denied
	ReconfigErrorWrongSSN                 ReconfigResult = 3 // Error - Wrong SSN
	ReconfigErrorRequestAlreadyInProgress ReconfigResult = 4 // Error - Request already in progress
	ReconfigErrorBadSequenceNumber        ReconfigResult = 5 // Error - Bad Sequence Number
	ReconfigInProgress                    ReconfigResult = 6 // In progress
)

// String returns the description of RFC 6525 Table 3, or
// "ReconfigResult(n)".
func (r ReconfigResult) String() string {
	switch r {
	case ReconfigSuccessNothingToDo:
		return "Success - Nothing to do"
	case ReconfigSuccessPerformed:
		return "Success - Performed"
	case ReconfigDenied:
		return "Denied"
	case ReconfigErrorWrongSSN:
		return "Error - Wrong SSN"
	case ReconfigErrorRequestAlreadyInProgress:
		return "Error - Request already in progress"
	case ReconfigErrorBadSequenceNumber:
		return "Error - Bad Sequence Number"
	case ReconfigInProgress:
		return "In progress"
	}
	return "ReconfigResult(" + strconv.FormatUint(uint64(r), 10) + ")"
}

// ReconfigResponse is the Re-configuration Response Parameter of RE-CONFIG
// (RFC 6525 Section 4.4), the answer to a re-configuration request.
//
// RFC 6525 Section 4.4: "Either both optional fields (Sender's Next TSN and
// Receiver's Next TSN) MUST be present, or no field." HasTSNs tells which.
type ReconfigResponse struct {
	// RespSeq is the Re-configuration Response Sequence Number: the
	// request sequence number of the request answered.
	RespSeq uint32
	// Result is the outcome of the request. Values not in Table 3 are
	// kept as received.
	Result ReconfigResult
	// HasTSNs reports whether the optional Sender's Next TSN and
	// Receiver's Next TSN are present (Length 20) or not (Length 12).
	// They are only used in answers to SSN/TSN Reset Requests.
	HasTSNs bool
	// SenderNextTSN is the Sender's Next TSN: the TSN the sender of the
	// response will use for its next DATA chunk. Valid when HasTSNs is
	// set; Parse sets it to 0 otherwise and Append ignores it.
	SenderNextTSN TSN
	// ReceiverNextTSN is the Receiver's Next TSN: the TSN the receiver of
	// the response must use for its next DATA chunk. Valid when HasTSNs
	// is set; Parse sets it to 0 otherwise and Append ignores it.
	ReceiverNextTSN TSN
}

// ParamType implements Param.
func (p *ReconfigResponse) ParamType() ParamType { return ParamReconfigResponse }

// Len implements Param.
func (p *ReconfigResponse) Len() int {
	if p.HasTSNs {
		return reconfigResponseTSNsLen
	}
	return reconfigResponseLen
}

// Append implements Param.
func (p *ReconfigResponse) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(ParamReconfigResponse), p.Len())
	b = binary.BigEndian.AppendUint32(b, p.RespSeq)
	b = binary.BigEndian.AppendUint32(b, uint32(p.Result))
	if p.HasTSNs {
		b = binary.BigEndian.AppendUint32(b, uint32(p.SenderNextTSN))
		b = binary.BigEndian.AppendUint32(b, uint32(p.ReceiverNextTSN))
	}
	return b
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. RFC 6525 Section 4.4: the Length "MUST be 12 if the optional
// fields are not present and 20 otherwise"; any other Length is an
// ErrLength.
func (p *ReconfigResponse) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamReconfigResponse, reconfigResponseLen)
	if err != nil {
		return 0, err
	}
	switch len(v) {
	case reconfigResponseLen - headerLen:
		p.HasTSNs, p.SenderNextTSN, p.ReceiverNextTSN = false, 0, 0
	case reconfigResponseTSNsLen - headerLen:
		p.HasTSNs = true
		p.SenderNextTSN = TSN(binary.BigEndian.Uint32(v[8:]))
		p.ReceiverNextTSN = TSN(binary.BigEndian.Uint32(v[12:]))
	default:
		return 0, inParam(errAt(ErrLength, 2, CauseProtocolViolation), ParamReconfigResponse, 0)
	}
	p.RespSeq = binary.BigEndian.Uint32(v)
	p.Result = ReconfigResult(binary.BigEndian.Uint32(v[4:]))
	return n, nil
}

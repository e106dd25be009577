package chunk

import "strconv"

// RFC 4895 Section 3.3: Requested HMAC Algorithm Parameter (HMAC-ALGO)
// (0x8004)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 0x8004   |       Parameter Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          HMAC Identifier 1    |      HMAC Identifier 2        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                                                               /
//	\                              ...                              \
//	/                                                               /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        HMAC Identifier n      |           Padding             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// HMACIdentifier identifies an HMAC algorithm of SCTP-AUTH (RFC 4895
// Section 3.3, Table 2).
type HMACIdentifier uint16

// HMAC identifiers of RFC 4895 Section 3.3, Table 2 (0 and 2 are
// reserved).
const (
	// HMACSHA1 is HMAC with SHA-1. RFC 4895 Section 3.3: "Every endpoint
	// supporting SCTP chunk authentication MUST support the HMAC based on
	// the SHA-1 algorithm."
	HMACSHA1 HMACIdentifier = 1
	// HMACSHA256 is HMAC with SHA-256.
	HMACSHA256 HMACIdentifier = 3
)

// String returns "SHA-1", "SHA-256" or "HMACIdentifier(n)".
func (h HMACIdentifier) String() string {
	switch h {
	case HMACSHA1:
		return "SHA-1"
	case HMACSHA256:
		return "SHA-256"
	}
	return "HMACIdentifier(" + strconv.Itoa(int(h)) + ")"
}

// RequestedHMACAlgorithm is the Requested HMAC Algorithm parameter of INIT
// and INIT ACK (RFC 4895 Section 3.3): the HMAC identifiers the peer may
// use, most preferred first.
//
// More than 32765 identifiers cannot be represented; keeping the list
// shorter is the caller's responsibility (Append then writes a wrong Length
// but does not panic).
type RequestedHMACAlgorithm struct {
	// HMACs are the listed identifiers in the sender's order of
	// preference, kept as received. An empty list parses to nil.
	HMACs []HMACIdentifier
}

// ParamType implements Param.
func (p *RequestedHMACAlgorithm) ParamType() ParamType { return ParamRequestedHMACAlgorithm }

// Len implements Param.
func (p *RequestedHMACAlgorithm) Len() int { return pad4(headerLen + 2*len(p.HMACs)) }

// Append implements Param.
func (p *RequestedHMACAlgorithm) Append(b []byte) []byte {
	n := headerLen + 2*len(p.HMACs)
	b = appendTLVHeader(b, uint16(ParamRequestedHMACAlgorithm), n)
	b = appendUint16List(b, p.HMACs)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included. RFC 4895 Section 3.3: the Length "is the
// number of HMAC Identifiers multiplied by 2, plus 4"; an odd Length is an
// ErrLength. Parse reuses the capacity of p.HMACs.
func (p *RequestedHMACAlgorithm) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamRequestedHMACAlgorithm, headerLen)
	if err != nil {
		return 0, err
	}
	if len(v)%2 != 0 {
		return 0, inParam(errAt(ErrLength, 2, CauseProtocolViolation), ParamRequestedHMACAlgorithm, 0)
	}
	p.HMACs = parseUint16List(p.HMACs, v)
	return n, nil
}

package chunk

import (
	"encoding/binary"
	"strconv"
)

// RFC 9653 Section 4: Zero Checksum Acceptable Chunk Parameter (0x8001)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Type = 0x8001        |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Error Detection Method Identifier (EDMID)           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// EDMID is an Error Detection Method Identifier (RFC 9653 Section 4),
// registered in the "Error Detection Method" registry (RFC 9653 Section 8).
type EDMID uint32

// Error Detection Methods of RFC 9653 Section 8, Table 2.
const (
	// EDMIDReserved (0) is reserved.
	EDMIDReserved EDMID = 0
	// EDMIDDTLS (1) is SCTP over DTLS (RFC 8261).
	EDMIDDTLS EDMID = 1
)

// String returns the method name of RFC 9653 Table 2, or "EDMID(n)".
func (m EDMID) String() string {
	switch m {
	case EDMIDReserved:
		return "Reserved"
	case EDMIDDTLS:
		return "SCTP over DTLS"
	}
	return "EDMID(" + strconv.FormatUint(uint64(m), 10) + ")"
}

// ZeroChecksumAcceptable is the Zero Checksum Acceptable parameter of INIT
// and INIT ACK (RFC 9653 Section 4): its sender accepts packets with a zero
// checksum, relying on the named alternate error detection method.
type ZeroChecksumAcceptable struct {
	// EDMID is the alternate error detection method the sender is willing
	// to use for received packets. Any value is kept as received;
	// deciding whether it is supported is up to the receiver of the INIT.
	EDMID EDMID
}

// ParamType implements Param.
func (p *ZeroChecksumAcceptable) ParamType() ParamType { return ParamZeroChecksumAcceptable }

// Len implements Param.
func (p *ZeroChecksumAcceptable) Len() int { return 8 }

// Append implements Param.
func (p *ZeroChecksumAcceptable) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(ParamZeroChecksumAcceptable), 8)
	return binary.BigEndian.AppendUint32(b, uint32(p.EDMID))
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. RFC 9653 Section 4: the Length "MUST be 8"; any other Length
// is an ErrLength.
func (p *ZeroChecksumAcceptable) Parse(b []byte) (int, error) {
	v, n, err := openFixedParam(b, ParamZeroChecksumAcceptable, 8)
	if err != nil {
		return 0, err
	}
	p.EDMID = EDMID(binary.BigEndian.Uint32(v))
	return n, nil
}

package chunk

import (
	"encoding/binary"
	"errors"
	"io"
)

// RFC 5061 Section 4.2.1: Add IP Address (0xC001)
// RFC 5061 Section 4.2.2: Delete IP Address (0xC002)
// RFC 5061 Section 4.2.4: Set Primary IP Address (0xC004)
//
// The three parameters share one layout; only the type differs.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 0xC001/0xC002/0xC004  |    Length = Variable          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|               ASCONF-Request Correlation ID                   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Address Parameter                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The Address Parameter is a complete IPv4 Address (RFC 9260 Section
// 3.3.2.1.1) or IPv6 Address (RFC 9260 Section 3.3.2.1.2) parameter, so
// the Length is 16 or 28 and no padding is ever needed. Example from RFC
// 5061 Section 4.2.1 (add 192.0.2.1):
//
//	C001 0010 | 01023474 | 0005 0008 | C0000201

// asconfRequestMinLen is the Length of an Add IP Address, Delete IP Address
// or Set Primary Address parameter holding an IPv4 address.
const asconfRequestMinLen = 8 + 8

// AddIPAddress is the Add IP Address parameter (RFC 5061 Section 4.2.1) of
// an ASCONF chunk: add Address to the association.
//
// Address must be an *IPv4Address or an *IPv6Address. RFC 5061 Section
// 4.2.1: "This parameter MUST NOT contain a broadcast or multicast
// address." That is for the association to check; Parse does not. A nil
// Address encodes as a parameter without address, which Parse rejects.
type AddIPAddress struct {
	// CorrelationID is the ASCONF-Request Correlation ID, an opaque value
	// that the response copies.
	CorrelationID uint32
	// Address is the address to add; 0.0.0.0 or :: means the source
	// address of the packet.
	Address Param
}

// ParamType implements Param.
func (p *AddIPAddress) ParamType() ParamType { return ParamAddIPAddress }

// Len implements Param.
func (p *AddIPAddress) Len() int { return asconfRequestLen(p.Address) }

// Append implements Param.
func (p *AddIPAddress) Append(b []byte) []byte {
	return appendASCONFRequest(b, ParamAddIPAddress, p.CorrelationID, p.Address)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. See parseASCONFRequest for the checks.
func (p *AddIPAddress) Parse(b []byte) (int, error) {
	return parseASCONFRequest(b, ParamAddIPAddress, &p.CorrelationID, &p.Address)
}

// DeleteIPAddress is the Delete IP Address parameter (RFC 5061 Section
// 4.2.2) of an ASCONF chunk: remove Address from the association.
//
// Address must be an *IPv4Address or an *IPv6Address. A nil Address
// encodes as a parameter without address, which Parse rejects.
type DeleteIPAddress struct {
	// CorrelationID is the ASCONF-Request Correlation ID, an opaque value
	// that the response copies.
	CorrelationID uint32
	// Address is the address to delete; 0.0.0.0 or :: means every address
	// of the peer except the source address of the packet.
	Address Param
}

// ParamType implements Param.
func (p *DeleteIPAddress) ParamType() ParamType { return ParamDeleteIPAddress }

// Len implements Param.
func (p *DeleteIPAddress) Len() int { return asconfRequestLen(p.Address) }

// Append implements Param.
func (p *DeleteIPAddress) Append(b []byte) []byte {
	return appendASCONFRequest(b, ParamDeleteIPAddress, p.CorrelationID, p.Address)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. See parseASCONFRequest for the checks.
func (p *DeleteIPAddress) Parse(b []byte) (int, error) {
	return parseASCONFRequest(b, ParamDeleteIPAddress, &p.CorrelationID, &p.Address)
}

// SetPrimaryAddress is the Set Primary IP Address parameter (RFC 5061
// Section 4.2.4): the sender asks the receiver to use Address as the
// primary destination. It may appear in ASCONF, INIT and INIT ACK chunks
// and has the same layout, Correlation ID included, in all three.
//
// Address must be an *IPv4Address or an *IPv6Address. A nil Address
// encodes as a parameter without address, which Parse rejects.
type SetPrimaryAddress struct {
	// CorrelationID is the ASCONF-Request Correlation ID, an opaque value
	// that the response copies.
	CorrelationID uint32
	// Address is the requested primary address; 0.0.0.0 or :: means the
	// source address of the packet.
	Address Param
}

// ParamType implements Param.
func (p *SetPrimaryAddress) ParamType() ParamType { return ParamSetPrimaryAddress }

// Len implements Param.
func (p *SetPrimaryAddress) Len() int { return asconfRequestLen(p.Address) }

// Append implements Param.
func (p *SetPrimaryAddress) Append(b []byte) []byte {
	return appendASCONFRequest(b, ParamSetPrimaryAddress, p.CorrelationID, p.Address)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. See parseASCONFRequest for the checks.
func (p *SetPrimaryAddress) Parse(b []byte) (int, error) {
	return parseASCONFRequest(b, ParamSetPrimaryAddress, &p.CorrelationID, &p.Address)
}

// asconfRequestLen is the Len of an address-carrying ASCONF parameter.
func asconfRequestLen(addr Param) int {
	n := 8
	if addr != nil {
		n += addr.Len()
	}
	return pad4(n)
}

// appendASCONFRequest appends an address-carrying ASCONF parameter.
func appendASCONFRequest(b []byte, typ ParamType, cid uint32, addr Param) []byte {
	n := 8
	if addr != nil {
		n += addr.Len()
	}
	b = appendTLVHeader(b, uint16(typ), n)
	b = binary.BigEndian.AppendUint32(b, cid)
	if addr != nil {
		b = addr.Append(b)
	}
	return appendPadding(b, n)
}

// parseASCONFRequest parses an address-carrying ASCONF parameter of type
// typ. The Length must be exactly 8 plus the length of the enclosed IPv4 or
// IPv6 Address parameter (ErrLength otherwise); any other enclosed type is
// ErrType (see parseAddressParam). *addr is reused when it already has the
// right address type.
func parseASCONFRequest(b []byte, typ ParamType, cid *uint32, addr *Param) (int, error) {
	v, n, err := openParam(b, typ, asconfRequestMinLen)
	if err != nil {
		return 0, err
	}
	a, an, err := parseAddressParamReuse(v[4:], *addr)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			// The region is complete: the enclosed Length overruns ours.
			inner := ParamType(binary.BigEndian.Uint16(v[4:]))
			err = inParam(errAt(ErrLength, 2, CauseProtocolViolation), inner, 0)
		}
		return 0, inParam(shift(err, 8), typ, 0)
	}
	if an != len(v)-4 {
		return 0, inParam(errAt(ErrLength, 2, CauseProtocolViolation), typ, 0)
	}
	*cid = binary.BigEndian.Uint32(v)
	*addr = a
	return n, nil
}

// parseAddressParam parses the IPv4 Address or IPv6 Address parameter
// (RFC 9260 Section 3.3.2.1) at the start of b, as enclosed in the ASCONF
// chunk and its parameters (RFC 5061 Sections 4.1.1 and 4.2). Any other
// type, the Host Name Address included, is ErrType with the Unresolvable
// Address cause (RFC 9260 Section 3.3.10.5: "the sender is not able to
// resolve the specified address parameter (e.g., type of address is not
// supported by the sender)").
func parseAddressParam(b []byte) (Param, int, error) {
	return parseAddressParamReuse(b, nil)
}

// parseAddressParamReuse is parseAddressParam that parses into old when it
// has the type found in b.
func parseAddressParamReuse(b []byte, old Param) (Param, int, error) {
	if len(b) < headerLen {
		return nil, 0, errTruncated(len(b))
	}
	switch ParamType(binary.BigEndian.Uint16(b)) {
	case ParamIPv4Address:
		p, ok := old.(*IPv4Address)
		if !ok {
			p = new(IPv4Address)
		}
		n, err := p.Parse(b)
		if err != nil {
			return nil, 0, err
		}
		return p, n, nil
	case ParamIPv6Address:
		p, ok := old.(*IPv6Address)
		if !ok {
			p = new(IPv6Address)
		}
		n, err := p.Parse(b)
		if err != nil {
			return nil, 0, err
		}
		return p, n, nil
	}
	return nil, 0, errAt(ErrType, 0, CauseUnresolvableAddress)
}

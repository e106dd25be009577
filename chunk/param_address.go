package chunk

import "net/netip"

// RFC 9260 Section 3.3.2.1.1: IPv4 Address (5)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 5            |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         IPv4 Address                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// RFC 9260 Section 3.3.2.1.2: IPv6 Address (6)
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 6            |          Length = 20          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	|                         IPv6 Address                          |
//	|                                                               |
//	|                                                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// IPv4Address is the IPv4 Address parameter (RFC 9260 Section 3.3.2.1.1).
type IPv4Address struct {
	Addr [4]byte
}

// NetIP returns the address as a netip.Addr.
func (p *IPv4Address) NetIP() netip.Addr { return netip.AddrFrom4(p.Addr) }

// ParamType implements Param.
func (p *IPv4Address) ParamType() ParamType { return ParamIPv4Address }

// Len implements Param.
func (p *IPv4Address) Len() int { return 8 }

// Append implements Param.
func (p *IPv4Address) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(ParamIPv4Address), 8)
	return append(b, p.Addr[:]...)
}

// Parse fills p from the parameter at the start of b.
func (p *IPv4Address) Parse(b []byte) (int, error) {
	v, n, err := openFixedParam(b, ParamIPv4Address, 8)
	if err != nil {
		return 0, err
	}
	p.Addr = [4]byte(v)
	return n, nil
}

// IPv6Address is the IPv6 Address parameter (RFC 9260 Section 3.3.2.1.2).
type IPv6Address struct {
	Addr [16]byte
}

// NetIP returns the address as a netip.Addr.
func (p *IPv6Address) NetIP() netip.Addr { return netip.AddrFrom16(p.Addr) }

// ParamType implements Param.
func (p *IPv6Address) ParamType() ParamType { return ParamIPv6Address }

// Len implements Param.
func (p *IPv6Address) Len() int { return 20 }

// Append implements Param.
func (p *IPv6Address) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(ParamIPv6Address), 20)
	return append(b, p.Addr[:]...)
}

// Parse fills p from the parameter at the start of b.
func (p *IPv6Address) Parse(b []byte) (int, error) {
	v, n, err := openFixedParam(b, ParamIPv6Address, 20)
	if err != nil {
		return 0, err
	}
	p.Addr = [16]byte(v)
	return n, nil
}

// ParamAddress returns the address of an IPv4 or IPv6 Address parameter
// (an IPv4-mapped IPv6 address unmapped), and false for any other
// parameter. It is the inverse of AddressParam.
func ParamAddress(p Param) (netip.Addr, bool) {
	switch p := p.(type) {
	case *IPv4Address:
		return p.NetIP(), true
	case *IPv6Address:
		return p.NetIP().Unmap(), true
	}
	return netip.Addr{}, false
}

// AddressParam returns the IPv4 or IPv6 Address parameter for a, or nil if
// a is not a valid address. IPv4-mapped IPv6 addresses give an IPv4
// parameter.
func AddressParam(a netip.Addr) Param {
	a = a.Unmap()
	switch {
	case a.Is4():
		return &IPv4Address{Addr: a.As4()}
	case a.Is6():
		return &IPv6Address{Addr: a.As16()}
	}
	return nil
}

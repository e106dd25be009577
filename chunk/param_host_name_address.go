package chunk

import "bytes"

// RFC 9260 Section 3.3.2.1.4: Host Name Address (11)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 11           |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                           Host Name                           /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// HostNameAddress is the deprecated Host Name Address parameter (RFC 9260
// Section 3.3.2.1.4). It is recognized only so that it can be refused: RFC
// 9260 Section 3.3.2.1.4: "The sender of an INIT chunk or INIT ACK chunk
// MUST NOT include this parameter." and "The receiver of an INIT chunk or
// an INIT ACK containing a Host Name Address parameter MUST send an ABORT
// chunk and MAY include an "Unresolvable Address" error cause." That error
// cause carries this parameter, hence Append.
//
// The RFC requires at least one NUL terminator within the Length; Parse
// does not check it (the parameter is refused anyway) and keeps the bytes
// within the Length as they are, so that re-encoding is byte-identical.
//
// A HostName of more than 65531 bytes cannot be represented; keeping it
// shorter is the caller's responsibility (Append then writes a wrong Length
// but does not panic).
type HostNameAddress struct {
	// HostName is the host name as received: the bytes within the Length,
	// normally including the NUL terminator(s), without the padding.
	// After Parse it aliases the input.
	HostName []byte
}

// Name returns the host name up to its first NUL byte.
func (p *HostNameAddress) Name() string {
	h := p.HostName
	if i := bytes.IndexByte(h, 0); i >= 0 {
		h = h[:i]
	}
	return string(h)
}

// ParamType implements Param.
func (p *HostNameAddress) ParamType() ParamType { return ParamHostNameAddress }

// Len implements Param.
func (p *HostNameAddress) Len() int { return pad4(headerLen + len(p.HostName)) }

// Append implements Param. It writes HostName as it is: a caller building
// the parameter includes the NUL terminator in HostName.
func (p *HostNameAddress) Append(b []byte) []byte {
	n := headerLen + len(p.HostName)
	b = appendTLVHeader(b, uint16(ParamHostNameAddress), n)
	b = append(b, p.HostName...)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included.
func (p *HostNameAddress) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamHostNameAddress, headerLen)
	if err != nil {
		return 0, err
	}
	p.HostName = v
	return n, nil
}

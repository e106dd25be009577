package chunk

import "encoding/binary"

// RFC 9260 Section 3.3.2.1.5: Supported Address Types (12)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 12           |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Address Type #1        |        Address Type #2        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                            ......                             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-++-+-+-+-+-+-+-+-+-+-+-+-+-+-++-+-+-+
//
// The Length is 4 + 2*N for N address types; when N is odd the parameter
// is padded with 2 zero bytes.

// SupportedAddressTypes is the Supported Address Types parameter of INIT
// (RFC 9260 Section 3.3.2.1.5), listing the address parameter types (5 for
// IPv4, 6 for IPv6) its sender supports.
//
// RFC 9260 Section 3.3.2.1.5: the Host Name Address value "MUST NOT be
// used when sending this parameter and MUST be ignored when receiving this
// parameter." Parse keeps every listed value as received; ignoring Host
// Name Address is up to the receiver of the INIT.
//
// More than 32765 types cannot be represented; keeping the list shorter is
// the caller's responsibility (Append then writes a wrong Length but does
// not panic).
type SupportedAddressTypes struct {
	// Types are the listed address types, in order. An empty list parses
	// to nil.
	Types []ParamType
}

// ParamType implements Param.
func (p *SupportedAddressTypes) ParamType() ParamType { return ParamSupportedAddressTypes }

// Len implements Param.
func (p *SupportedAddressTypes) Len() int { return pad4(headerLen + 2*len(p.Types)) }

// Append implements Param.
func (p *SupportedAddressTypes) Append(b []byte) []byte {
	n := headerLen + 2*len(p.Types)
	b = appendTLVHeader(b, uint16(ParamSupportedAddressTypes), n)
	b = appendUint16List(b, p.Types)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included. A Length that is not 4 plus a multiple of
// 2 is an ErrLength. Parse reuses the capacity of p.Types.
func (p *SupportedAddressTypes) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamSupportedAddressTypes, headerLen)
	if err != nil {
		return 0, err
	}
	if len(v)%2 != 0 {
		return 0, inParam(errAt(ErrLength, 2, CauseProtocolViolation), ParamSupportedAddressTypes, 0)
	}
	p.Types = parseUint16List(p.Types, v)
	return n, nil
}

// appendUint16List appends the values of s as big-endian 16-bit integers.
// It serves every parameter that carries a list of 16-bit values.
func appendUint16List[T ~uint16](b []byte, s []T) []byte {
	for _, x := range s {
		b = binary.BigEndian.AppendUint16(b, uint16(x))
	}
	return b
}

// parseUint16List decodes v, whose even length the caller has checked, as
// big-endian 16-bit values into the storage of dst. An empty v gives nil.
// It allocates only when dst lacks the capacity.
func parseUint16List[T ~uint16](dst []T, v []byte) []T {
	if len(v) < 2 {
		return nil
	}
	dst = dst[:0]
	for i := 0; i+2 <= len(v); i += 2 {
		dst = append(dst, T(binary.BigEndian.Uint16(v[i:])))
	}
	return dst
}

// appendTypeList appends chunk types, one byte each.
func appendTypeList(b []byte, s []Type) []byte {
	for _, x := range s {
		b = append(b, byte(x))
	}
	return b
}

// parseTypeList decodes v as chunk types, one byte each, into the storage
// of dst. An empty v gives nil. It allocates only when dst lacks the
// capacity.
func parseTypeList(dst []Type, v []byte) []Type {
	if len(v) == 0 {
		return nil
	}
	dst = dst[:0]
	for _, x := range v {
		dst = append(dst, Type(x))
	}
	return dst
}

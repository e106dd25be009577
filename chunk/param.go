package chunk

// Param is a chunk parameter (RFC 9260 Section 3.2.1) that can be encoded.
//
// Every concrete parameter type of this package also has a pointer method
//
//	Parse(b []byte) (n int, err error)
//
// that fills it from the parameter at the start of b and returns the bytes
// the parameter occupies, padding included.
type Param interface {
	// ParamType returns the parameter type.
	ParamType() ParamType
	// Len returns the number of bytes Append adds, including the padding
	// to a multiple of 4 bytes.
	Len() int
	// Append appends the encoded, padded parameter to b and returns the
	// extended slice.
	Append(b []byte) []byte
}

// openParam validates the envelope of a parameter of type want at the start
// of b with a Length of at least minLen. See openTLV.
func openParam(b []byte, want ParamType, minLen int) (value []byte, n int, err error) {
	typ, value, n, err := openTLV(b, minLen)
	if err != nil {
		return nil, 0, inParam(err, want, 0)
	}
	if ParamType(typ) != want {
		return nil, 0, inParam(errAt(ErrType, 0, 0), want, 0)
	}
	return value, n, nil
}

// openFixedParam is openParam for a parameter whose Length the RFC fixes.
func openFixedParam(b []byte, want ParamType, length int) (value []byte, n int, err error) {
	value, n, err = openParam(b, want, length)
	if err == nil && len(value) != length-headerLen {
		return nil, 0, inParam(errAt(ErrLength, 2, CauseProtocolViolation), want, 0)
	}
	return value, n, err
}

// UnknownParam is a parameter of a type this package does not interpret,
// kept as a raw TLV. Its Action method tells what RFC 9260 Section 3.2.1
// requires of a receiver that does not recognize it.
type UnknownParam struct {
	Type ParamType
	// Value is the parameter value without header and padding. After
	// Parse it aliases the input.
	Value []byte
}

// ParamType implements Param.
func (p *UnknownParam) ParamType() ParamType { return p.Type }

// Action returns the action bits of the parameter type.
func (p *UnknownParam) Action() Action { return p.Type.Action() }

// Len implements Param.
func (p *UnknownParam) Len() int { return pad4(headerLen + len(p.Value)) }

// Append implements Param.
func (p *UnknownParam) Append(b []byte) []byte {
	n := headerLen + len(p.Value)
	b = appendTLVHeader(b, uint16(p.Type), n)
	b = append(b, p.Value...)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b, whatever its type.
func (p *UnknownParam) Parse(b []byte) (int, error) {
	typ, v, n, err := openTLV(b, headerLen)
	if err != nil {
		return 0, inParam(err, ParamType(typ), 0)
	}
	p.Type, p.Value = ParamType(typ), v
	return n, nil
}

package chunk

// RFC 5061 Section 4.2.7: Supported Extensions Parameter (0x8008)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 0x8008   |      Parameter Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| CHUNK TYPE 1  |  CHUNK TYPE 2 |  CHUNK TYPE 3 |  CHUNK TYPE 4 |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                             ....                              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| CHUNK TYPE N  |      PAD      |      PAD      |      PAD      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// RFC 5061 Section 4.2.7: "The length MUST NOT include any padding." The
// Length is therefore 4 + N.

// SupportedExtensions is the Supported Extensions parameter of INIT and
// INIT ACK (RFC 5061 Section 4.2.7): the extension chunk types its sender
// supports, both sending and receiving.
//
// More than 65531 types cannot be represented; keeping the list shorter is
// the caller's responsibility (Append then writes a wrong Length but does
// not panic).
type SupportedExtensions struct {
	// Types are the listed chunk types, in order, kept as received. An
	// empty list parses to nil.
	Types []Type
}

// Supports reports whether t is listed.
func (p *SupportedExtensions) Supports(t Type) bool {
	for _, x := range p.Types {
		if x == t {
			return true
		}
	}
	return false
}

// ParamType implements Param.
func (p *SupportedExtensions) ParamType() ParamType { return ParamSupportedExtensions }

// Len implements Param.
func (p *SupportedExtensions) Len() int { return pad4(headerLen + len(p.Types)) }

// Append implements Param.
func (p *SupportedExtensions) Append(b []byte) []byte {
	n := headerLen + len(p.Types)
	b = appendTLVHeader(b, uint16(ParamSupportedExtensions), n)
	b = appendTypeList(b, p.Types)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included. Parse reuses the capacity of p.Types.
func (p *SupportedExtensions) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamSupportedExtensions, headerLen)
	if err != nil {
		return 0, err
	}
	p.Types = parseTypeList(p.Types, v)
	return n, nil
}

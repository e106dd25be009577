package chunk

import (
	"encoding/binary"
	"errors"
	"io"
	"slices"
)

// parseParams parses the parameter region b of a chunk, which runs to the
// end of the chunk's padding (see openTLV), appending to dst. Offsets in
// errors are relative to b. The region is complete, so a parameter whose
// Length runs past its end is reported as ErrLength at that Length field,
// and 1 to 3 bytes left over as ErrPadding.
func parseParams(b []byte, dst []Param) ([]Param, error) {
	if len(dst) == cap(dst) {
		// One allocation for the list rather than one per doubling: an
		// INIT or INIT ACK carries about ten parameters.
		dst = slices.Grow(dst, countTLVs(b))
	}
	for off := 0; off < len(b); {
		rest := b[off:]
		if len(rest) < headerLen {
			return dst, errAt(ErrPadding, off, CauseProtocolViolation)
		}
		p, n, err := ParseParam(rest)
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				typ := ParamType(binary.BigEndian.Uint16(rest))
				err = inParam(errAt(ErrLength, 2, CauseProtocolViolation), typ, 0)
			}
			return dst, shift(err, off)
		}
		dst = append(dst, p)
		off += n
	}
	return dst, nil
}

// countTLVs returns the number of parameters (TLVs, padded to 4 bytes)
// in b, counting a truncated last one; at most len(b)/4+1.
func countTLVs(b []byte) int {
	n := 0
	for off := 0; off < len(b); n++ {
		if len(b)-off < headerLen {
			return n + 1
		}
		off += max(pad4(int(binary.BigEndian.Uint16(b[off+2:]))), headerLen)
	}
	return n
}

// paramsLen is the number of bytes appendParams adds.
func paramsLen(ps []Param) int {
	n := 0
	for _, p := range ps {
		n += p.Len()
	}
	return n
}

// appendParams appends the padded parameters and returns the extended slice
// and the number of padding bytes that follow the last parameter: RFC 9260
// Section 3.2: the Chunk Length "does include any padding of variable-length
// parameters other than the last parameter in the chunk".
func appendParams(b []byte, ps []Param) ([]byte, int) {
	last := 0
	for _, p := range ps {
		last = len(b)
		b = p.Append(b)
	}
	if len(ps) == 0 || len(b)-last < headerLen {
		return b, 0
	}
	length := int(binary.BigEndian.Uint16(b[last+2:]))
	return b, len(b) - last - length
}

// appendChunkWithParams appends a chunk of type t whose value is the fixed
// bytes followed by the parameter lead, if not nil, and the parameters ps,
// with the Chunk Length and padding of RFC 9260 Section 3.2.
func appendChunkWithParams(b []byte, t Type, flags uint8, fixed []byte, lead Param, ps []Param) []byte {
	start := len(b)
	b = appendChunkHeader(b, t, flags, 0)
	b = append(b, fixed...)
	lastPad := 0
	if lead != nil {
		b, lastPad = appendParams(b, []Param{lead})
	}
	if len(ps) > 0 {
		b, lastPad = appendParams(b, ps)
	}
	length := len(b) - start - lastPad
	b[start+2], b[start+3] = byte(length>>8), byte(length)
	return b
}

package chunk

import "encoding/binary"

// headerLen is the length of a chunk header and of a parameter or error
// cause header (RFC 9260 Sections 3.2, 3.2.1 and 3.3.10).
const headerLen = 4

// pad4 rounds n up to a multiple of 4 (RFC 9260 Section 3.2).
func pad4(n int) int { return (n + 3) &^ 3 }

// appendPadding appends the zero bytes that pad a TLV of length n.
func appendPadding(b []byte, n int) []byte {
	switch pad4(n) - n {
	case 1:
		return append(b, 0)
	case 2:
		return append(b, 0, 0)
	case 3:
		return append(b, 0, 0, 0)
	}
	return b
}

// appendChunkHeader appends a chunk header whose Length field covers length
// bytes.
func appendChunkHeader(b []byte, t Type, flags uint8, length int) []byte {
	return append(b, byte(t), flags, byte(length>>8), byte(length))
}

// appendTLVHeader appends a parameter or error-cause header.
func appendTLVHeader(b []byte, typ uint16, length int) []byte {
	return append(b, byte(typ>>8), byte(typ), byte(length>>8), byte(length))
}

// openChunk validates the envelope of a chunk of type want at the start of b
// (RFC 9260 Section 3.2): the header is present, the type matches, the
// Length field is at least minLen and, with its padding, within b. It
// returns the flags, the chunk value (without header and padding) and the
// number of bytes the chunk occupies including its padding.
func openChunk(b []byte, want Type, minLen int) (flags uint8, value []byte, n int, err error) {
	if len(b) < headerLen {
		return 0, nil, 0, inChunk(errTruncated(len(b)), want, 0)
	}
	if Type(b[0]) != want {
		return 0, nil, 0, inChunk(errAt(ErrType, 0, 0), want, 0)
	}
	length := int(binary.BigEndian.Uint16(b[2:]))
	if length < minLen {
		return 0, nil, 0, inChunk(errAt(ErrLength, 2, CauseProtocolViolation), want, 0)
	}
	// RFC 9260 Section 6.10: "Partial chunks MUST NOT be placed in an SCTP
	// packet." The padding is part of the chunk on the wire (Section 3.2:
	// "the sender MUST pad the chunk").
	n = pad4(length)
	if n > len(b) {
		return 0, nil, 0, inChunk(errTruncated(len(b)), want, 0)
	}
	return b[1], b[headerLen:length], n, nil
}

// openFixedChunk is openChunk for a chunk whose length the RFC fixes.
func openFixedChunk(b []byte, want Type, length int) (flags uint8, value []byte, n int, err error) {
	flags, value, n, err = openChunk(b, want, length)
	if err == nil && len(value) != length-headerLen {
		return 0, nil, 0, inChunk(errAt(ErrLength, 2, CauseProtocolViolation), want, 0)
	}
	return flags, value, n, err
}

// openTLV validates the envelope of a parameter or error cause at the start
// of b (RFC 9260 Section 3.2.1): the header is present, the Length field is
// at least minLen and the TLV with its padding fits in b. It returns the
// type, the value and the bytes occupied including padding.
//
// The padding of the last parameter of a chunk may lie outside the Chunk
// Length (RFC 9260 Section 3.2); chunk parsers therefore hand their TLV
// region through the end of the chunk's own padding, where those bytes are.
func openTLV(b []byte, minLen int) (typ uint16, value []byte, n int, err error) {
	if len(b) < headerLen {
		return 0, nil, 0, errTruncated(len(b))
	}
	typ = binary.BigEndian.Uint16(b)
	length := int(binary.BigEndian.Uint16(b[2:]))
	if length < minLen || length < headerLen {
		return typ, nil, 0, errAt(ErrLength, 2, CauseProtocolViolation)
	}
	n = pad4(length)
	if n > len(b) {
		return typ, nil, 0, errTruncated(len(b))
	}
	return typ, b[headerLen:length], n, nil
}

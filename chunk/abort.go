package chunk

// RFC 9260 Section 3.3.7: Abort Association (ABORT) (6)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 6    |  Reserved   |T|            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                   zero or more Error Causes                   /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// Abort is an ABORT chunk (RFC 9260 Section 3.3.7).
type Abort struct {
	// Flags holds the T bit: "The T bit is set to 0 if the sender filled
	// in the Verification Tag expected by the peer. If the Verification
	// Tag is reflected, the T bit MUST be set to 1."
	Flags TFlags
	// Causes are the error causes in the order received. Unknown codes are
	// *UnknownCause.
	Causes []Cause
}

// Type implements Chunk.
func (c *Abort) Type() Type { return TypeAbort }

// Len implements Chunk.
func (c *Abort) Len() int { return headerLen + causesLen(c.Causes) }

// Append implements Chunk.
func (c *Abort) Append(b []byte) []byte {
	return appendChunkWithCauses(b, TypeAbort, uint8(c.Flags), c.Causes)
}

// Parse fills c from the ABORT chunk at the start of b.
func (c *Abort) Parse(b []byte) (int, error) {
	flags, causes, n, err := parseChunkWithCauses(b, TypeAbort, c.Causes)
	if err != nil {
		return 0, err
	}
	c.Flags, c.Causes = TFlags(flags), causes
	return n, nil
}

// RFC 9260 Section 3.3.10: Operation Error (ERROR) (9)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 9    | Chunk Flags   |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                    one or more Error Causes                   /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// OperationError is an ERROR chunk (RFC 9260 Section 3.3.10). The RFC asks
// for one or more causes; a received ERROR without causes is accepted.
type OperationError struct {
	// Flags are reserved; kept as received.
	Flags uint8
	// Causes are the error causes in the order received. Unknown codes are
	// *UnknownCause.
	Causes []Cause
}

// Type implements Chunk.
func (c *OperationError) Type() Type { return TypeError }

// Len implements Chunk.
func (c *OperationError) Len() int { return headerLen + causesLen(c.Causes) }

// Append implements Chunk.
func (c *OperationError) Append(b []byte) []byte {
	return appendChunkWithCauses(b, TypeError, c.Flags, c.Causes)
}

// Parse fills c from the ERROR chunk at the start of b.
func (c *OperationError) Parse(b []byte) (int, error) {
	flags, causes, n, err := parseChunkWithCauses(b, TypeError, c.Causes)
	if err != nil {
		return 0, err
	}
	c.Flags, c.Causes = flags, causes
	return n, nil
}

// appendChunkWithCauses appends a chunk whose value is a list of error
// causes. Causes follow the padding rule of parameters (RFC 9260 Section
// 3.3.10: the Cause Length excludes padding), so the Chunk Length excludes
// the padding of the last cause.
func appendChunkWithCauses(b []byte, t Type, flags uint8, cs []Cause) []byte {
	start := len(b)
	b = appendChunkHeader(b, t, flags, 0)
	last := len(b)
	for _, c := range cs {
		last = len(b)
		b = c.Append(b)
	}
	length := len(b) - start
	if len(cs) > 0 {
		length = last - start + (int(b[last+2])<<8 | int(b[last+3]))
	}
	b[start+2], b[start+3] = byte(length>>8), byte(length)
	return b
}

// parseChunkWithCauses parses a chunk of type t whose value is a list of
// error causes, reusing dst.
func parseChunkWithCauses(b []byte, t Type, dst []Cause) (uint8, []Cause, int, error) {
	flags, _, n, err := openChunk(b, t, headerLen)
	if err != nil {
		return 0, nil, 0, err
	}
	causes, err := parseCauses(b[headerLen:n], dst[:0])
	if err != nil {
		return 0, nil, 0, inChunk(err, t, headerLen)
	}
	return flags, causes, n, nil
}

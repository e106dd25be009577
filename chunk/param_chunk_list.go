package chunk

// RFC 4895 Section 3.2: Chunk List Parameter (CHUNKS) (0x8003)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 0x8003   |       Parameter Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Chunk Type 1  | Chunk Type 2  | Chunk Type 3  | Chunk Type 4  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                                                               /
//	\                              ...                              \
//	/                                                               /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Chunk Type n  |                   Padding                     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ChunkList is the Chunk List parameter of INIT and INIT ACK (RFC 4895
// Section 3.2): the chunk types its sender requires to be authenticated.
//
// RFC 4895 Section 3.2: "if a CHUNKS parameter is received then the types
// for INIT, INIT-ACK, SHUTDOWN-COMPLETE, and AUTH chunks MUST be ignored."
// Parse keeps every listed type as received, including those and
// duplicates; ignoring them, and the 260-byte maximum length, are up to the
// AUTH negotiation.
//
// More than 65531 types cannot be represented; keeping the list shorter is
// the caller's responsibility (Append then writes a wrong Length but does
// not panic).
type ChunkList struct {
	// Types are the listed chunk types, in order. An empty list parses to
	// nil.
	Types []Type
}

// ParamType implements Param.
func (p *ChunkList) ParamType() ParamType { return ParamChunkList }

// Len implements Param.
func (p *ChunkList) Len() int { return pad4(headerLen + len(p.Types)) }

// Append implements Param.
func (p *ChunkList) Append(b []byte) []byte {
	n := headerLen + len(p.Types)
	b = appendTLVHeader(b, uint16(ParamChunkList), n)
	b = appendTypeList(b, p.Types)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included. Parse reuses the capacity of p.Types.
func (p *ChunkList) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamChunkList, headerLen)
	if err != nil {
		return 0, err
	}
	p.Types = parseTypeList(p.Types, v)
	return n, nil
}

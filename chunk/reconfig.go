package chunk

// RFC 6525 Section 3.1: RE-CONFIG Chunk
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Type = 130    |  Chunk Flags  |      Chunk Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                  Re-configuration Parameter                   /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/             Re-configuration Parameter (optional)             /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ReConfig is a RE-CONFIG chunk (RFC 6525 Section 3.1). It carries one or
// two re-configuration parameters; which combinations are allowed (RFC 6525
// Section 3.1) is for the association to check.
type ReConfig struct {
	// Flags are reserved; kept as received.
	Flags uint8
	// Params are the re-configuration parameters in the order received.
	Params []Param
}

// Type implements Chunk.
func (c *ReConfig) Type() Type { return TypeReConfig }

// Len implements Chunk.
func (c *ReConfig) Len() int { return headerLen + paramsLen(c.Params) }

// Append implements Chunk.
func (c *ReConfig) Append(b []byte) []byte {
	return appendChunkWithParams(b, TypeReConfig, c.Flags, nil, nil, c.Params)
}

// Parse fills c from the RE-CONFIG chunk at the start of b. A chunk without
// a parameter is rejected.
func (c *ReConfig) Parse(b []byte) (int, error) {
	flags, _, n, err := openChunk(b, TypeReConfig, 2*headerLen)
	if err != nil {
		return 0, err
	}
	clear(c.Params)
	c.Params, err = parseParams(b[headerLen:n], c.Params[:0])
	if err != nil {
		return 0, inChunk(err, TypeReConfig, headerLen)
	}
	c.Flags = flags
	return n, nil
}

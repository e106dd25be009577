package chunk

// RFC 9260 Section 3.3.9: Shutdown Acknowledgement (SHUTDOWN ACK) (8)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 8    |  Chunk Flags  |          Length = 4           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ShutdownAck is a SHUTDOWN ACK chunk (RFC 9260 Section 3.3.9). It has no
// value.
type ShutdownAck struct {
	// Flags are the chunk flags, "set to 0 on transmit and ignored on
	// receipt"; they are kept as received.
	Flags uint8
}

// Type implements Chunk.
func (c *ShutdownAck) Type() Type { return TypeShutdownAck }

// Len implements Chunk.
func (c *ShutdownAck) Len() int { return headerLen }

// Append implements Chunk.
func (c *ShutdownAck) Append(b []byte) []byte {
	return appendChunkHeader(b, TypeShutdownAck, c.Flags, headerLen)
}

// Parse fills c from the SHUTDOWN ACK chunk at the start of b and returns
// the bytes it occupies. A Length other than 4 is rejected with ErrLength.
func (c *ShutdownAck) Parse(b []byte) (int, error) {
	flags, _, n, err := openFixedChunk(b, TypeShutdownAck, headerLen)
	if err != nil {
		return 0, err
	}
	c.Flags = flags
	return n, nil
}

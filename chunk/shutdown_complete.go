package chunk

// RFC 9260 Section 3.3.13: Shutdown Complete (SHUTDOWN COMPLETE) (14)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 14   |  Reserved   |T|          Length = 4           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ShutdownComplete is a SHUTDOWN COMPLETE chunk (RFC 9260 Section 3.3.13).
// It has no value.
type ShutdownComplete struct {
	// Flags holds the T bit (FlagT: the packet carries the reflected
	// Verification Tag, RFC 9260 Section 8.5.1 rule C). The reserved bits
	// are kept as received.
	Flags TFlags
}

// Type implements Chunk.
func (c *ShutdownComplete) Type() Type { return TypeShutdownComplete }

// Len implements Chunk.
func (c *ShutdownComplete) Len() int { return headerLen }

// Append implements Chunk.
func (c *ShutdownComplete) Append(b []byte) []byte {
	return appendChunkHeader(b, TypeShutdownComplete, uint8(c.Flags), headerLen)
}

// Parse fills c from the SHUTDOWN COMPLETE chunk at the start of b and
// returns the bytes it occupies. A Length other than 4 is rejected with
// ErrLength.
func (c *ShutdownComplete) Parse(b []byte) (int, error) {
	flags, _, n, err := openFixedChunk(b, TypeShutdownComplete, headerLen)
	if err != nil {
		return 0, err
	}
	c.Flags = TFlags(flags)
	return n, nil
}

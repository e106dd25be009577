package chunk

import "encoding/binary"

// RFC 9260 Section 3.3.8: Shutdown Association (SHUTDOWN) (7)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 7    |  Chunk Flags  |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Cumulative TSN Ack                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// shutdownLen is the fixed length of a SHUTDOWN chunk.
const shutdownLen = 8

// Shutdown is a SHUTDOWN chunk (RFC 9260 Section 3.3.8).
type Shutdown struct {
	// Flags are the chunk flags, "set to 0 on transmit and ignored on
	// receipt"; they are kept as received.
	Flags uint8
	// CumTSNAck is the Cumulative TSN Ack.
	CumTSNAck TSN
}

// Type implements Chunk.
func (c *Shutdown) Type() Type { return TypeShutdown }

// Len implements Chunk.
func (c *Shutdown) Len() int { return shutdownLen }

// Append implements Chunk.
func (c *Shutdown) Append(b []byte) []byte {
	b = appendChunkHeader(b, TypeShutdown, c.Flags, shutdownLen)
	return binary.BigEndian.AppendUint32(b, uint32(c.CumTSNAck))
}

// Parse fills c from the SHUTDOWN chunk at the start of b and returns the
// bytes it occupies. A Length other than 8 is rejected with ErrLength.
func (c *Shutdown) Parse(b []byte) (int, error) {
	flags, v, n, err := openFixedChunk(b, TypeShutdown, shutdownLen)
	if err != nil {
		return 0, err
	}
	c.Flags = flags
	c.CumTSNAck = TSN(binary.BigEndian.Uint32(v))
	return n, nil
}

package chunk

import "encoding/binary"

// Explicit Congestion Notification Echo (ECNE) (12)
//
// RFC 9260 Section 3.2 only reserves chunk type 12 ("Reserved for Explicit
// Congestion Notification Echo (ECNE)"); RFC 9260 Section 1.7 records that
// it removed the appendix describing ECN, so RFC 9260 Appendix A is now the
// CRC32c appendix. The layout below is the one of RFC 4960 Appendix A (and
// RFC 2960 Appendix A), which RFC 9260 obsoletes:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Chunk Type=12 | Flags=00000000|    Chunk Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Lowest TSN Number                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ecnLen is the fixed length of ECNE and CWR chunks (RFC 4960 Appendix A).
const ecnLen = 8

// ECNE is an ECN-Echo chunk, in the layout of RFC 4960 Appendix A (see the
// note above: RFC 9260 Section 3.2 only reserves the type).
//
// Some stacks send a 12-byte ECNE with a packet count after the Lowest TSN
// Number, following an ECN draft; Parse accepts only the 8-byte form of
// RFC 4960 and rejects other lengths with ErrLength.
type ECNE struct {
	// Flags are the chunk flags, all zero in RFC 4960; they are kept as
	// received.
	Flags uint8
	// LowestTSN is the Lowest TSN Number: the lowest TSN of the packet that
	// arrived with the CE codepoint set.
	LowestTSN TSN
}

// Type implements Chunk.
func (c *ECNE) Type() Type { return TypeECNE }

// Len implements Chunk.
func (c *ECNE) Len() int { return ecnLen }

// Append implements Chunk.
func (c *ECNE) Append(b []byte) []byte {
	b = appendChunkHeader(b, TypeECNE, c.Flags, ecnLen)
	return binary.BigEndian.AppendUint32(b, uint32(c.LowestTSN))
}

// Parse fills c from the ECNE chunk at the start of b and returns the bytes
// it occupies. A Length other than 8 is rejected with ErrLength.
func (c *ECNE) Parse(b []byte) (int, error) {
	flags, v, n, err := openFixedChunk(b, TypeECNE, ecnLen)
	if err != nil {
		return 0, err
	}
	c.Flags = flags
	c.LowestTSN = TSN(binary.BigEndian.Uint32(v))
	return n, nil
}

package chunk

import "encoding/binary"

// Congestion Window Reduced (CWR) (13)
//
// RFC 9260 Section 3.2 only reserves chunk type 13 ("Reserved for
// Congestion Window Reduced (CWR)"); the layout below is the one of RFC 4960
// Appendix A, whose ECN appendix RFC 9260 removed (RFC 9260 Section 1.7).
// RFC 4960 defines no flag bits for CWR ("Flags=00000000"):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Chunk Type=13 | Flags=00000000|    Chunk Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Lowest TSN Number                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// CWR is a Congestion Window Reduced chunk, in the layout of RFC 4960
// Appendix A (see the note above: RFC 9260 Section 3.2 only reserves the
// type).
type CWR struct {
	// Flags are the chunk flags, all zero in RFC 4960; they are kept as
	// received.
	Flags uint8
	// LowestTSN is the Lowest TSN Number: the TSN that was sent in the ECNE
	// chunk this CWR answers.
	LowestTSN TSN
}

// Type implements Chunk.
func (c *CWR) Type() Type { return TypeCWR }

// Len implements Chunk.
func (c *CWR) Len() int { return ecnLen }

// Append implements Chunk.
func (c *CWR) Append(b []byte) []byte {
	b = appendChunkHeader(b, TypeCWR, c.Flags, ecnLen)
	return binary.BigEndian.AppendUint32(b, uint32(c.LowestTSN))
}

// Parse fills c from the CWR chunk at the start of b and returns the bytes
// it occupies. A Length other than 8 is rejected with ErrLength.
func (c *CWR) Parse(b []byte) (int, error) {
	flags, v, n, err := openFixedChunk(b, TypeCWR, ecnLen)
	if err != nil {
		return 0, err
	}
	c.Flags = flags
	c.LowestTSN = TSN(binary.BigEndian.Uint32(v))
	return n, nil
}

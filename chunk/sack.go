package chunk

import (
	"encoding/binary"
	"slices"
)

// RFC 9260 Section 3.3.4: Selective Acknowledgement (SACK) (3)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 3    |  Chunk Flags  |         Chunk Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Cumulative TSN Ack                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Advertised Receiver Window Credit (a_rwnd)           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Number of Gap Ack Blocks = N  |  Number of Duplicate TSNs = M |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Gap Ack Block #1 Start     |     Gap Ack Block #1 End      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                                                               /
//	\                              ...                              \
//	/                                                               /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Gap Ack Block #N Start     |     Gap Ack Block #N End      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Duplicate TSN 1                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                                                               /
//	\                              ...                              \
//	/                                                               /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Duplicate TSN M                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// sackHeaderLen is the length of a SACK chunk without Gap Ack Blocks and
// Duplicate TSNs.
const sackHeaderLen = 16

// GapBlock is a Gap Ack Block of a SACK chunk (RFC 9260 Section 3.3.4).
// Start and End are offsets from the Cumulative TSN Ack: the block
// acknowledges the TSNs from CumTSNAck+Start to CumTSNAck+End inclusive.
// The wire format does not constrain the values; whether Start <= End and
// the blocks are ordered is for the receiver of the SACK to judge.
type GapBlock struct {
	Start, End uint16
}

// SACK is a Selective Acknowledgement chunk (RFC 9260 Section 3.3.4).
//
// Parse reuses the capacity of GapBlocks and DupTSNs: parsing into a value
// whose slices are large enough allocates nothing. An empty list parses to
// a zero-length slice, which is nil unless the receiver already had one.
// Parse does not retain b.
//
// The encoder writes len(GapBlocks) and len(DupTSNs) as 16-bit counts and
// the chunk length as a 16-bit field; keeping the chunk within 65535 bytes
// (at most 16379 gap blocks and duplicate TSNs together) is the caller's
// responsibility.
type SACK struct {
	// Flags are the chunk flags, "all set to 0 on transmit and ignored on
	// receipt"; they are kept as received.
	Flags uint8
	// CumTSNAck is the Cumulative TSN Ack.
	CumTSNAck TSN
	// ARwnd is the Advertised Receiver Window Credit (a_rwnd) in bytes.
	ARwnd uint32
	// GapBlocks are the Gap Ack Blocks in the order they appear.
	GapBlocks []GapBlock
	// DupTSNs are the Duplicate TSNs in the order they appear.
	DupTSNs []TSN
}

// Type implements Chunk.
func (c *SACK) Type() Type { return TypeSACK }

// Len implements Chunk. A SACK chunk is always a multiple of 4 bytes long.
func (c *SACK) Len() int { return sackHeaderLen + 4*(len(c.GapBlocks)+len(c.DupTSNs)) }

// Append implements Chunk.
func (c *SACK) Append(b []byte) []byte {
	n := c.Len()
	start := len(b)
	b = slices.Grow(b, n)[:start+n]
	w := b[start:]
	w[0], w[1] = byte(TypeSACK), c.Flags
	binary.BigEndian.PutUint16(w[2:], uint16(n))
	binary.BigEndian.PutUint32(w[4:], uint32(c.CumTSNAck))
	binary.BigEndian.PutUint32(w[8:], c.ARwnd)
	binary.BigEndian.PutUint16(w[12:], uint16(len(c.GapBlocks)))
	binary.BigEndian.PutUint16(w[14:], uint16(len(c.DupTSNs)))
	w = w[sackHeaderLen:]
	for i, g := range c.GapBlocks {
		o := w[4*i : 4*i+4]
		binary.BigEndian.PutUint16(o, g.Start)
		binary.BigEndian.PutUint16(o[2:], g.End)
	}
	w = w[4*len(c.GapBlocks):]
	for i, d := range c.DupTSNs {
		binary.BigEndian.PutUint32(w[4*i:], uint32(d))
	}
	return b
}

// Parse fills c from the SACK chunk at the start of b and returns the bytes
// it occupies. The Chunk Length must equal 16 + 4*N + 4*M for the N Gap Ack
// Blocks and M Duplicate TSNs the chunk announces; otherwise Parse fails
// with ErrLength and the Protocol Violation cause.
func (c *SACK) Parse(b []byte) (int, error) {
	flags, v, n, err := openChunk(b, TypeSACK, sackHeaderLen)
	if err != nil {
		return 0, err
	}
	gaps := int(binary.BigEndian.Uint16(v[8:]))
	dups := int(binary.BigEndian.Uint16(v[10:]))
	if len(v) != sackHeaderLen-headerLen+4*(gaps+dups) {
		return 0, inChunk(errAt(ErrLength, 2, CauseProtocolViolation), TypeSACK, 0)
	}
	c.Flags = flags
	c.CumTSNAck = TSN(binary.BigEndian.Uint32(v))
	c.ARwnd = binary.BigEndian.Uint32(v[4:])
	v = v[sackHeaderLen-headerLen:]
	// The counts are now bounded by the validated chunk length.
	c.GapBlocks = slices.Grow(c.GapBlocks[:0], gaps)[:gaps]
	for i := range c.GapBlocks {
		g := v[4*i : 4*i+4]
		c.GapBlocks[i] = GapBlock{
			Start: binary.BigEndian.Uint16(g),
			End:   binary.BigEndian.Uint16(g[2:]),
		}
	}
	v = v[4*gaps:]
	c.DupTSNs = slices.Grow(c.DupTSNs[:0], dups)[:dups]
	for i := range c.DupTSNs {
		c.DupTSNs[i] = TSN(binary.BigEndian.Uint32(v[4*i:]))
	}
	return n, nil
}

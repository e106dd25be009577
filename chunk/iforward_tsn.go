package chunk

import (
	"encoding/binary"
	"slices"
)

// RFC 8260 Section 2.3.1: I-FORWARD-TSN Chunk (194)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 194  | Flags = 0x00  |      Length = Variable        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       New Cumulative TSN                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|       Stream Identifier       |          Reserved           |U|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Message Identifier                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                                                               /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|       Stream Identifier       |          Reserved           |U|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Message Identifier                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// iForwardTSNHeaderLen is the length of an I-FORWARD-TSN chunk without
// stream entries.
const iForwardTSNHeaderLen = 8

// IForwardTSNUnordered is the U bit of IForwardTSNStream.Flags: the entry's
// MID refers to unordered messages (RFC 8260 Section 2.3.1). The other 15
// bits are reserved.
const IForwardTSNUnordered uint16 = 1 << 0

// IForwardTSNStream is a stream entry of an I-FORWARD-TSN chunk: the
// largest MID skipped on a stream, for ordered or unordered messages.
type IForwardTSNStream struct {
	StreamID StreamID
	// Flags is the 16-bit field holding the reserved bits and the U bit
	// (IForwardTSNUnordered). The reserved bits "MUST be set to 0 by the
	// sender and MUST be ignored by the receiver"; they are kept as
	// received. Use Unordered to read the U bit.
	Flags uint16
	MID   MID
}

// Unordered reports whether the U bit is set: MID refers to unordered
// messages rather than ordered ones.
func (s IForwardTSNStream) Unordered() bool { return s.Flags&IForwardTSNUnordered != 0 }

// IForwardTSN is an I-FORWARD-TSN chunk (RFC 8260 Section 2.3.1). RFC 8260
// Section 2.3.1: it "MUST be used in combination with the I-DATA chunk and
// MUST NOT be used in combination with the DATA chunk"; see ForwardTSN.
//
// Parse reuses the capacity of Streams: parsing into a value whose slice is
// large enough allocates nothing. An empty list parses to a zero-length
// slice, which is nil unless the receiver already had one. Parse does not
// retain b.
//
// The encoder writes 8+8*len(Streams) into the 16-bit Length field; keeping
// it within 65535 (at most 8190 entries) is the caller's responsibility.
type IForwardTSN struct {
	// Flags are the chunk flags, which "MUST be set to 0 by the sender and
	// MUST be ignored by the receiver"; they are kept as received.
	Flags uint8
	// NewCumTSN is the New Cumulative TSN.
	NewCumTSN TSN
	// Streams are the stream entries in the order they appear.
	Streams []IForwardTSNStream
}

// Type implements Chunk.
func (c *IForwardTSN) Type() Type { return TypeIForwardTSN }

// Len implements Chunk. An I-FORWARD-TSN chunk is always a multiple of 4
// bytes long.
func (c *IForwardTSN) Len() int { return iForwardTSNHeaderLen + 8*len(c.Streams) }

// Append implements Chunk.
func (c *IForwardTSN) Append(b []byte) []byte {
	n := c.Len()
	b = slices.Grow(b, n)
	b = appendChunkHeader(b, TypeIForwardTSN, c.Flags, n)
	b = binary.BigEndian.AppendUint32(b, uint32(c.NewCumTSN))
	for _, s := range c.Streams {
		b = binary.BigEndian.AppendUint16(b, uint16(s.StreamID))
		b = binary.BigEndian.AppendUint16(b, s.Flags)
		b = binary.BigEndian.AppendUint32(b, uint32(s.MID))
	}
	return b
}

// Parse fills c from the I-FORWARD-TSN chunk at the start of b and returns
// the bytes it occupies. A Length that is not 8 plus a multiple of 8 is
// rejected with ErrLength and the Protocol Violation cause.
func (c *IForwardTSN) Parse(b []byte) (int, error) {
	flags, v, n, err := openChunk(b, TypeIForwardTSN, iForwardTSNHeaderLen)
	if err != nil {
		return 0, err
	}
	entries := v[iForwardTSNHeaderLen-headerLen:]
	if len(entries)%8 != 0 {
		return 0, inChunk(errAt(ErrLength, 2, CauseProtocolViolation), TypeIForwardTSN, 0)
	}
	c.Flags = flags
	c.NewCumTSN = TSN(binary.BigEndian.Uint32(v))
	c.Streams = slices.Grow(c.Streams[:0], len(entries)/8)
	for v = entries; len(v) >= 8; v = v[8:] {
		c.Streams = append(c.Streams, IForwardTSNStream{
			StreamID: StreamID(binary.BigEndian.Uint16(v)),
			Flags:    binary.BigEndian.Uint16(v[2:]),
			MID:      MID(binary.BigEndian.Uint32(v[4:])),
		})
	}
	return n, nil
}

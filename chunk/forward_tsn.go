package chunk

import (
	"encoding/binary"
	"slices"
)

// RFC 3758 Section 3.2: Forward Cumulative TSN Chunk (FORWARD TSN) (192)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 192  |  Flags = 0x00 |        Length = Variable      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      New Cumulative TSN                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Stream-1              |       Stream Sequence-1       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               /
//	/                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Stream-N              |       Stream Sequence-N       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// forwardTSNHeaderLen is the length of a FORWARD TSN chunk without stream
// entries.
const forwardTSNHeaderLen = 8

// ForwardTSNStream is a stream entry of a FORWARD TSN chunk: the largest
// SSN skipped on an ordered stream.
type ForwardTSNStream struct {
	StreamID StreamID
	SSN      SSN
}

// ForwardTSN is a FORWARD TSN chunk (RFC 3758 Section 3.2). RFC 8260
// Section 2.3.1: it "MUST be used in combination with the DATA chunk and
// MUST NOT be used in combination with the I-DATA chunk"; see IForwardTSN.
//
// Parse reuses the capacity of Streams: parsing into a value whose slice is
// large enough allocates nothing. An empty list parses to a zero-length
// slice, which is nil unless the receiver already had one. Parse does not
// retain b.
//
// The encoder writes 8+4*len(Streams) into the 16-bit Length field; keeping
// it within 65535 (at most 16381 entries) is the caller's responsibility.
type ForwardTSN struct {
	// Flags are the chunk flags, "set to all zeros on transmit and ignored
	// on receipt"; they are kept as received.
	Flags uint8
	// NewCumTSN is the New Cumulative TSN.
	NewCumTSN TSN
	// Streams are the skipped streams in the order they appear.
	Streams []ForwardTSNStream
}

// Type implements Chunk.
func (c *ForwardTSN) Type() Type { return TypeForwardTSN }

// Len implements Chunk. A FORWARD TSN chunk is always a multiple of 4 bytes
// long.
func (c *ForwardTSN) Len() int { return forwardTSNHeaderLen + 4*len(c.Streams) }

// Append implements Chunk.
func (c *ForwardTSN) Append(b []byte) []byte {
	n := c.Len()
	b = slices.Grow(b, n)
	b = appendChunkHeader(b, TypeForwardTSN, c.Flags, n)
	b = binary.BigEndian.AppendUint32(b, uint32(c.NewCumTSN))
	for _, s := range c.Streams {
		b = binary.BigEndian.AppendUint16(b, uint16(s.StreamID))
		b = binary.BigEndian.AppendUint16(b, uint16(s.SSN))
	}
	return b
}

// Parse fills c from the FORWARD TSN chunk at the start of b and returns
// the bytes it occupies. A Length that is not 8 plus a multiple of 4 is
// rejected with ErrLength and the Protocol Violation cause.
func (c *ForwardTSN) Parse(b []byte) (int, error) {
	flags, v, n, err := openChunk(b, TypeForwardTSN, forwardTSNHeaderLen)
	if err != nil {
		return 0, err
	}
	if len(v)%4 != 0 {
		return 0, inChunk(errAt(ErrLength, 2, CauseProtocolViolation), TypeForwardTSN, 0)
	}
	c.Flags = flags
	c.NewCumTSN = TSN(binary.BigEndian.Uint32(v))
	v = v[forwardTSNHeaderLen-headerLen:]
	c.Streams = slices.Grow(c.Streams[:0], len(v)/4)
	for ; len(v) >= 4; v = v[4:] {
		c.Streams = append(c.Streams, ForwardTSNStream{
			StreamID: StreamID(binary.BigEndian.Uint16(v)),
			SSN:      SSN(binary.BigEndian.Uint16(v[2:])),
		})
	}
	return n, nil
}

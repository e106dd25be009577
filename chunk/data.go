package chunk

import (
	"encoding/binary"
	"strconv"
)

// RFC 9260 Section 3.3.1: Payload Data (DATA) (0)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 0    |  Res  |I|U|B|E|            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                              TSN                              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      Stream Identifier S      |   Stream Sequence Number n    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                  Payload Protocol Identifier                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                 User Data (seq n of Stream S)                 /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// DataFlags are the flags of DATA (RFC 9260 Section 3.3.1) and I-DATA (RFC
// 8260 Section 2.1) chunks.
type DataFlags uint8

// DATA and I-DATA flag bits.
const (
	// FlagEnd (E) marks the last fragment of a user message.
	FlagEnd DataFlags = 1 << 0
	// FlagBeginning (B) marks the first fragment of a user message.
	FlagBeginning DataFlags = 1 << 1
	// FlagUnordered (U) marks an unordered message.
	FlagUnordered DataFlags = 1 << 2
	// FlagImmediate (I) asks the receiver to send its SACK without delay
	// (RFC 7053).
	FlagImmediate DataFlags = 1 << 3
)

// Has reports whether all bits of g are set in f.
func (f DataFlags) Has(g DataFlags) bool { return f&g == g }

// String lists the set flags, for example "IUBE".
func (f DataFlags) String() string {
	var s []byte
	for _, x := range [...]struct {
		f DataFlags
		c byte
	}{{FlagImmediate, 'I'}, {FlagUnordered, 'U'}, {FlagBeginning, 'B'}, {FlagEnd, 'E'}} {
		if f.Has(x.f) {
			s = append(s, x.c)
		}
	}
	if rest := f &^ 0xf; rest != 0 {
		s = append(s, "+0x"...)
		s = strconv.AppendUint(s, uint64(rest), 16)
	}
	return string(s)
}

// dataHeaderLen is the length of a DATA chunk without user data.
const dataHeaderLen = 16

// Data is a DATA chunk (RFC 9260 Section 3.3.1).
type Data struct {
	// Flags holds the I, U, B and E bits. The reserved bits are kept as
	// received.
	Flags    DataFlags
	TSN      TSN
	StreamID StreamID
	SSN      SSN
	PPID     PPID
	// UserData is the payload. After Parse it aliases the input.
	UserData []byte
}

// Type implements Chunk.
func (c *Data) Type() Type { return TypeData }

// Len implements Chunk.
func (c *Data) Len() int { return pad4(dataHeaderLen + len(c.UserData)) }

// Append implements Chunk.
func (c *Data) Append(b []byte) []byte {
	n := dataHeaderLen + len(c.UserData)
	b = appendChunkHeader(b, TypeData, uint8(c.Flags), n)
	b = binary.BigEndian.AppendUint32(b, uint32(c.TSN))
	b = binary.BigEndian.AppendUint16(b, uint16(c.StreamID))
	b = binary.BigEndian.AppendUint16(b, uint16(c.SSN))
	b = binary.BigEndian.AppendUint32(b, uint32(c.PPID))
	b = append(b, c.UserData...)
	return appendPadding(b, n)
}

// Parse fills c from the DATA chunk at the start of b and returns the bytes
// it occupies. A DATA chunk without user data is rejected with the "No User
// Data" cause (RFC 9260 Section 3.3.1: "L MUST be greater than 0").
func (c *Data) Parse(b []byte) (int, error) {
	flags, v, n, err := openChunk(b, TypeData, dataHeaderLen)
	if err != nil {
		return 0, err
	}
	if len(v) == dataHeaderLen-headerLen {
		return 0, inChunk(errAt(ErrValue, 2, CauseNoUserData), TypeData, 0)
	}
	c.Flags = DataFlags(flags)
	c.TSN = TSN(binary.BigEndian.Uint32(v))
	c.StreamID = StreamID(binary.BigEndian.Uint16(v[4:]))
	c.SSN = SSN(binary.BigEndian.Uint16(v[6:]))
	c.PPID = PPID(binary.BigEndian.Uint32(v[8:]))
	c.UserData = v[12:]
	return n, nil
}

package chunk

import "encoding/binary"

// RFC 8260 Section 2.1: I-DATA Chunk (64)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 64   |  Res  |I|U|B|E|       Length = Variable       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                              TSN                              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Stream Identifier      |           Reserved            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Message Identifier                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Payload Protocol Identifier / Fragment Sequence Number     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                           User Data                           /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// iDataHeaderLen is the length of an I-DATA chunk without user data (RFC
// 8260 Section 2.1: "The length of the I-DATA chunk header is 20 bytes").
const iDataHeaderLen = 20

// IData is an I-DATA chunk (RFC 8260 Section 2.1).
//
// PPID and FSN share one 32-bit field on the wire, chosen by the B bit: "If
// the B bit is set, this field contains the PPID of the user message ... In
// this case, the FSN is implicitly considered to be 0. If the B bit is not
// set, this field contains the FSN." Parse sets PPID and zeroes FSN when
// FlagBeginning is set, and sets FSN and zeroes PPID otherwise. Append
// writes PPID when FlagBeginning is set and FSN otherwise, ignoring the
// other field.
//
// The encoder writes 20+len(UserData) into the 16-bit Length field; keeping
// it within 65535 is the caller's responsibility.
type IData struct {
	// Flags holds the I, U, B and E bits. The reserved bits are kept as
	// received.
	Flags    DataFlags
	TSN      TSN
	StreamID StreamID
	// Reserved is the 16-bit Reserved field, which "MUST be set to 0 by the
	// sender and MUST be ignored by the receiver"; it is kept as received.
	Reserved uint16
	MID      MID
	// PPID is the Payload Protocol Identifier, carried only when
	// FlagBeginning is set.
	PPID PPID
	// FSN is the Fragment Sequence Number, carried only when FlagBeginning
	// is not set; the first fragment has FSN 0 implicitly.
	FSN FSN
	// UserData is the payload. After Parse it aliases the input.
	UserData []byte
}

// Type implements Chunk.
func (c *IData) Type() Type { return TypeIData }

// Len implements Chunk.
func (c *IData) Len() int { return pad4(iDataHeaderLen + len(c.UserData)) }

// Append implements Chunk.
func (c *IData) Append(b []byte) []byte {
	n := iDataHeaderLen + len(c.UserData)
	b = appendChunkHeader(b, TypeIData, uint8(c.Flags), n)
	b = binary.BigEndian.AppendUint32(b, uint32(c.TSN))
	b = binary.BigEndian.AppendUint16(b, uint16(c.StreamID))
	b = binary.BigEndian.AppendUint16(b, c.Reserved)
	b = binary.BigEndian.AppendUint32(b, uint32(c.MID))
	if c.Flags.Has(FlagBeginning) {
		b = binary.BigEndian.AppendUint32(b, uint32(c.PPID))
	} else {
		b = binary.BigEndian.AppendUint32(b, uint32(c.FSN))
	}
	b = append(b, c.UserData...)
	return appendPadding(b, n)
}

// Parse fills c from the I-DATA chunk at the start of b and returns the
// bytes it occupies, padding included. An I-DATA chunk without user data is
// rejected with ErrValue and the "No User Data" cause, as for DATA (RFC
// 9260 Section 3.3.1: "L MUST be greater than 0"; RFC 8260 Section 2.1
// defines the Length "similar to the Length for DATA chunks").
func (c *IData) Parse(b []byte) (int, error) {
	flags, v, n, err := openChunk(b, TypeIData, iDataHeaderLen)
	if err != nil {
		return 0, err
	}
	if len(v) == iDataHeaderLen-headerLen {
		return 0, inChunk(errAt(ErrValue, 2, CauseNoUserData), TypeIData, 0)
	}
	c.Flags = DataFlags(flags)
	c.TSN = TSN(binary.BigEndian.Uint32(v))
	c.StreamID = StreamID(binary.BigEndian.Uint16(v[4:]))
	c.Reserved = binary.BigEndian.Uint16(v[6:])
	c.MID = MID(binary.BigEndian.Uint32(v[8:]))
	field := binary.BigEndian.Uint32(v[12:])
	if c.Flags.Has(FlagBeginning) {
		c.PPID, c.FSN = PPID(field), 0
	} else {
		c.PPID, c.FSN = 0, FSN(field)
	}
	c.UserData = v[16:]
	return n, nil
}

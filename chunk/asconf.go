package chunk

import "encoding/binary"

// RFC 5061 Section 4.1.1: Address Configuration Change Chunk (ASCONF)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Type = 0xC1   |  Chunk Flags  |      Chunk Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Sequence Number                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Address Parameter                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     ASCONF Parameter #1                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                             ....                              \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     ASCONF Parameter #N                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// RFC 5061 Section 4.1.2: Address Configuration Acknowledgment (ASCONF-ACK)
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Type = 0x80   |  Chunk Flags  |      Chunk Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     Sequence Number                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 ASCONF Parameter Response#1                   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                             ....                              \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ASCONF is an ASCONF chunk (RFC 5061 Section 4.1.1).
type ASCONF struct {
	// Flags are reserved; kept as received.
	Flags uint8
	// Serial is the ASCONF Sequence Number, a 32-bit serial number.
	Serial uint32
	// Address is the mandatory Address Parameter: *IPv4Address or
	// *IPv6Address. "This parameter MUST be present in every ASCONF
	// message, i.e. it is a mandatory TLV parameter."
	Address Param
	// Params are the ASCONF parameters (Add IP Address, Delete IP Address,
	// Set Primary Address, ...) in the order received.
	Params []Param
}

// Type implements Chunk.
func (c *ASCONF) Type() Type { return TypeASCONF }

// Len implements Chunk.
func (c *ASCONF) Len() int {
	n := 8 + paramsLen(c.Params)
	if c.Address != nil {
		n += c.Address.Len()
	}
	return n
}

// Append implements Chunk. A nil Address is encoded as nothing, which the
// peer will reject; set it.
func (c *ASCONF) Append(b []byte) []byte {
	var fixed [4]byte
	binary.BigEndian.PutUint32(fixed[:], c.Serial)
	return appendChunkWithParams(b, TypeASCONF, c.Flags, fixed[:], c.Address, c.Params)
}

// Parse fills c from the ASCONF chunk at the start of b.
func (c *ASCONF) Parse(b []byte) (int, error) {
	flags, v, n, err := openChunk(b, TypeASCONF, 8)
	if err != nil {
		return 0, err
	}
	if len(b[8:n]) < headerLen {
		return 0, inChunk(&ParseError{Err: ErrMissingParam, Offset: 8,
			Cause: CauseMissingMandatoryParameter}, TypeASCONF, 0)
	}
	addr, an, err := parseAddressParam(b[8:n])
	if err != nil {
		return 0, inChunk(err, TypeASCONF, 8)
	}
	clear(c.Params)
	c.Params, err = parseParams(b[8+an:n], c.Params[:0])
	if err != nil {
		return 0, inChunk(err, TypeASCONF, 8+an)
	}
	c.Flags, c.Serial, c.Address = flags, binary.BigEndian.Uint32(v), addr
	return n, nil
}

// ASCONFAck is an ASCONF-ACK chunk (RFC 5061 Section 4.1.2).
type ASCONFAck struct {
	// Flags are reserved; kept as received.
	Flags uint8
	// Serial is the Sequence Number of the ASCONF acknowledged.
	Serial uint32
	// Params are the responses (Success Indication, Error Cause
	// Indication) in the order received.
	Params []Param
}

// Type implements Chunk.
func (c *ASCONFAck) Type() Type { return TypeASCONFAck }

// Len implements Chunk.
func (c *ASCONFAck) Len() int { return 8 + paramsLen(c.Params) }

// Append implements Chunk.
func (c *ASCONFAck) Append(b []byte) []byte {
	var fixed [4]byte
	binary.BigEndian.PutUint32(fixed[:], c.Serial)
	return appendChunkWithParams(b, TypeASCONFAck, c.Flags, fixed[:], nil, c.Params)
}

// Parse fills c from the ASCONF-ACK chunk at the start of b.
func (c *ASCONFAck) Parse(b []byte) (int, error) {
	flags, v, n, err := openChunk(b, TypeASCONFAck, 8)
	if err != nil {
		return 0, err
	}
	clear(c.Params)
	c.Params, err = parseParams(b[8:n], c.Params[:0])
	if err != nil {
		return 0, inChunk(err, TypeASCONFAck, 8)
	}
	c.Flags, c.Serial = flags, binary.BigEndian.Uint32(v)
	return n, nil
}

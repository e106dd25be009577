package chunk

import "encoding/binary"

// RFC 9260 Section 3.3.2: Initiation (INIT) (1), and Section 3.3.3:
// Initiation Acknowledgement (INIT ACK) (2), which has the same layout.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 1    |  Chunk Flags  |      Chunk Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Initiate Tag                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Advertised Receiver Window Credit (a_rwnd)           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Number of Outbound Streams   |   Number of Inbound Streams   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                          Initial TSN                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/              Optional/Variable-Length Parameters              /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// initFixedLen is the length of INIT and INIT ACK without parameters.
const initFixedLen = 20

// MinARwnd is the smallest a_rwnd an INIT or INIT ACK may carry. RFC 9260
// Section 3.3.2: "The Advertised Receiver Window Credit MUST NOT be smaller
// than 1500."
const MinARwnd = 1500

// Init is an INIT chunk (RFC 9260 Section 3.3.2).
type Init struct {
	// Flags are reserved; kept as received.
	Flags           uint8
	InitiateTag     VerificationTag
	ARwnd           uint32
	OutboundStreams uint16
	InboundStreams  uint16
	InitialTSN      TSN
	// Params are the optional and variable-length parameters in the order
	// received. Unknown types are *UnknownParam.
	Params []Param
}

// InitAck is an INIT ACK chunk (RFC 9260 Section 3.3.3). Its layout is the
// one of INIT; the State Cookie parameter is mandatory.
type InitAck Init

// Type implements Chunk.
func (c *Init) Type() Type { return TypeInit }

// Len implements Chunk.
func (c *Init) Len() int { return pad4(initFixedLen + paramsLen(c.Params)) }

// Append implements Chunk.
func (c *Init) Append(b []byte) []byte { return c.appendAs(b, TypeInit) }

// Parse fills c from the INIT chunk at the start of b. It checks the
// layout only; Validate checks the values.
func (c *Init) Parse(b []byte) (int, error) { return c.parseAs(b, TypeInit) }

// Validate checks the values RFC 9260 Section 3.3.2 constrains. The
// *ParseError it returns carries the cause to send in an ABORT, or 0 where
// the RFC says to discard the packet silently.
func (c *Init) Validate() error { return c.validateAs(TypeInit) }

// Type implements Chunk.
func (c *InitAck) Type() Type { return TypeInitAck }

// Len implements Chunk.
func (c *InitAck) Len() int { return (*Init)(c).Len() }

// Append implements Chunk.
func (c *InitAck) Append(b []byte) []byte { return (*Init)(c).appendAs(b, TypeInitAck) }

// Parse fills c from the INIT ACK chunk at the start of b. It checks the
// layout only; Validate checks the values and the State Cookie.
func (c *InitAck) Parse(b []byte) (int, error) { return (*Init)(c).parseAs(b, TypeInitAck) }

// Validate checks the values RFC 9260 Section 3.3.3 constrains and that a
// State Cookie parameter is present. The *ParseError it returns carries the
// cause to report.
func (c *InitAck) Validate() error { return (*Init)(c).validateAs(TypeInitAck) }

// StateCookie returns the State Cookie parameter, or nil.
func (c *InitAck) StateCookie() *StateCookie {
	for _, p := range c.Params {
		if sc, ok := p.(*StateCookie); ok {
			return sc
		}
	}
	return nil
}

func (c *Init) appendAs(b []byte, t Type) []byte {
	var fixed [initFixedLen - headerLen]byte
	binary.BigEndian.PutUint32(fixed[0:], uint32(c.InitiateTag))
	binary.BigEndian.PutUint32(fixed[4:], c.ARwnd)
	binary.BigEndian.PutUint16(fixed[8:], c.OutboundStreams)
	binary.BigEndian.PutUint16(fixed[10:], c.InboundStreams)
	binary.BigEndian.PutUint32(fixed[12:], uint32(c.InitialTSN))
	start := len(b)
	b = appendChunkWithParams(b, t, c.Flags, fixed[:], nil, c.Params)
	return appendPadding(b, len(b)-start)
}

func (c *Init) parseAs(b []byte, t Type) (int, error) {
	flags, v, n, err := openChunk(b, t, initFixedLen)
	if err != nil {
		return 0, err
	}
	c.Flags = flags
	c.InitiateTag = VerificationTag(binary.BigEndian.Uint32(v))
	c.ARwnd = binary.BigEndian.Uint32(v[4:])
	c.OutboundStreams = binary.BigEndian.Uint16(v[8:])
	c.InboundStreams = binary.BigEndian.Uint16(v[10:])
	c.InitialTSN = TSN(binary.BigEndian.Uint32(v[12:]))
	clear(c.Params)
	c.Params, err = parseParams(b[initFixedLen:n], c.Params[:0])
	if err != nil {
		return 0, inChunk(err, t, initFixedLen)
	}
	return n, nil
}

func (c *Init) validateAs(t Type) error {
	bad := func(off int, err error, cause CauseCode) error {
		return inChunk(errAt(err, off, cause), t, 0)
	}
	// RFC 9260 Section 3.3.2: "If the value of the Initiate Tag in a
	// received INIT chunk is found to be 0, the receiver MUST silently
	// discard the packet." Section 3.3.3: for INIT ACK "the receiver MUST
	// destroy the association ... MAY send an ABORT chunk".
	if c.InitiateTag == 0 {
		cause := CauseCode(0)
		if t == TypeInitAck {
			cause = CauseInvalidMandatoryParameter
		}
		return bad(4, ErrValue, cause)
	}
	// RFC 9260 Section 3.3.2: a_rwnd, OS and MIS below their minimum: the
	// receiver "MUST discard the packet, SHOULD send a packet in response
	// containing an ABORT chunk".
	if c.ARwnd < MinARwnd {
		return bad(8, ErrValue, CauseInvalidMandatoryParameter)
	}
	if c.OutboundStreams == 0 {
		return bad(12, ErrValue, CauseInvalidMandatoryParameter)
	}
	if c.InboundStreams == 0 {
		return bad(14, ErrValue, CauseInvalidMandatoryParameter)
	}
	off := initFixedLen
	cookie := false
	for _, p := range c.Params {
		switch p.ParamType() {
		case ParamHostNameAddress:
			// RFC 9260 Section 3.3.2, Note 3: "The receiver of an INIT
			// chunk containing a Host Name Address parameter MUST send an
			// ABORT chunk and MAY include an "Unresolvable Address" error
			// cause."
			return inChunk(&ParseError{Err: ErrValue, Offset: off, Param: ParamHostNameAddress,
				Cause: CauseUnresolvableAddress}, t, 0)
		case ParamStateCookie:
			cookie = true
		}
		off += p.Len()
	}
	// RFC 9260 Section 3.3.3.1: the State Cookie is mandatory in INIT ACK;
	// its absence is reported with "Missing Mandatory Parameter"
	// (Section 3.3.10.2).
	if t == TypeInitAck && !cookie {
		return bad(off, ErrMissingParam, CauseMissingMandatoryParameter)
	}
	return nil
}

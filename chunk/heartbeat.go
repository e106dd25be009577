package chunk

import (
	"errors"
	"io"
)

// RFC 9260 Section 3.3.5: Heartbeat Request (HEARTBEAT) (4), and Section
// 3.3.6: Heartbeat Acknowledgement (HEARTBEAT ACK) (5).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 4    |  Chunk Flags  |       Heartbeat Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Heartbeat Info Type = 1    |        HB Info Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                Sender-Specific Heartbeat Info                 /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// Heartbeat is a HEARTBEAT chunk (RFC 9260 Section 3.3.5).
type Heartbeat struct {
	// Flags are reserved; kept as received.
	Flags uint8
	// Info is the Sender-Specific Heartbeat Info carried in the mandatory
	// Heartbeat Info parameter. After Parse it aliases the input.
	Info []byte
}

// HeartbeatAck is a HEARTBEAT ACK chunk (RFC 9260 Section 3.3.6). Its Info
// is the one of the HEARTBEAT it answers: "This field MUST contain the
// Heartbeat Info parameter ... of the Heartbeat Request to which this
// Heartbeat Acknowledgement is responding."
type HeartbeatAck Heartbeat

// Type implements Chunk.
func (c *Heartbeat) Type() Type { return TypeHeartbeat }

// Len implements Chunk.
func (c *Heartbeat) Len() int { return pad4(2*headerLen + len(c.Info)) }

// Append implements Chunk.
func (c *Heartbeat) Append(b []byte) []byte { return c.appendAs(b, TypeHeartbeat) }

// Parse fills c from the HEARTBEAT chunk at the start of b.
func (c *Heartbeat) Parse(b []byte) (int, error) { return c.parseAs(b, TypeHeartbeat) }

// Type implements Chunk.
func (c *HeartbeatAck) Type() Type { return TypeHeartbeatAck }

// Len implements Chunk.
func (c *HeartbeatAck) Len() int { return (*Heartbeat)(c).Len() }

// Append implements Chunk.
func (c *HeartbeatAck) Append(b []byte) []byte {
	return (*Heartbeat)(c).appendAs(b, TypeHeartbeatAck)
}

// Parse fills c from the HEARTBEAT ACK chunk at the start of b.
func (c *HeartbeatAck) Parse(b []byte) (int, error) {
	return (*Heartbeat)(c).parseAs(b, TypeHeartbeatAck)
}

func (c *Heartbeat) appendAs(b []byte, t Type) []byte {
	// The Heartbeat Info parameter is the last parameter, so its padding
	// is outside the Chunk Length (RFC 9260 Section 3.2).
	n := 2*headerLen + len(c.Info)
	b = appendChunkHeader(b, t, c.Flags, n)
	b = appendTLVHeader(b, uint16(ParamHeartbeatInfo), headerLen+len(c.Info))
	b = append(b, c.Info...)
	return appendPadding(b, n)
}

func (c *Heartbeat) parseAs(b []byte, t Type) (int, error) {
	flags, _, n, err := openChunk(b, t, 2*headerLen)
	if err != nil {
		return 0, err
	}
	typ, info, pn, err := openTLV(b[headerLen:n], headerLen)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// The chunk is complete, so the parameter's Length is wrong.
		err = errAt(ErrLength, 2, CauseProtocolViolation)
	}
	if err != nil {
		return 0, inChunk(inParam(err, ParamType(typ), 0), t, headerLen)
	}
	if ParamType(typ) != ParamHeartbeatInfo {
		return 0, inChunk(&ParseError{Err: ErrMissingParam, Param: ParamType(typ),
			Cause: CauseMissingMandatoryParameter}, t, headerLen)
	}
	if headerLen+pn != n {
		// Anything after the Heartbeat Info parameter is not allowed by
		// RFC 9260 Section 3.3.5.
		return 0, inChunk(errAt(ErrLength, 2, CauseProtocolViolation), t, 0)
	}
	c.Flags, c.Info = flags, info
	return n, nil
}

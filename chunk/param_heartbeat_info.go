package chunk

// RFC 9260 Section 3.3.5: Heartbeat Info (1), carried by HEARTBEAT and
// reflected in HEARTBEAT ACK (RFC 9260 Section 3.3.6)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Heartbeat Info Type = 1    |        HB Info Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                Sender-Specific Heartbeat Info                 /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// HeartbeatInfo is the Heartbeat Info parameter (RFC 9260 Section 3.3.5),
// the only parameter of HEARTBEAT and HEARTBEAT ACK chunks. RFC 9260
// Section 3.3.6: the HEARTBEAT ACK "MUST contain the Heartbeat Info
// parameter (as defined in Section 3.3.5) of the Heartbeat Request to which
// this Heartbeat Acknowledgement is responding."
//
// Info of more than 65531 bytes cannot be represented; keeping it shorter
// is the caller's responsibility (Append then writes a wrong Length but
// does not panic).
type HeartbeatInfo struct {
	// Info is the opaque sender-specific heartbeat information, without
	// header and padding. Only its sender interprets it. After Parse it
	// aliases the input.
	Info []byte
}

// ParamType implements Param.
func (p *HeartbeatInfo) ParamType() ParamType { return ParamHeartbeatInfo }

// Len implements Param.
func (p *HeartbeatInfo) Len() int { return pad4(headerLen + len(p.Info)) }

// Append implements Param.
func (p *HeartbeatInfo) Append(b []byte) []byte {
	n := headerLen + len(p.Info)
	b = appendTLVHeader(b, uint16(ParamHeartbeatInfo), n)
	b = append(b, p.Info...)
	return appendPadding(b, n)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies, padding included. An empty Info is accepted.
func (p *HeartbeatInfo) Parse(b []byte) (int, error) {
	v, n, err := openParam(b, ParamHeartbeatInfo, headerLen)
	if err != nil {
		return 0, err
	}
	p.Info = v
	return n, nil
}

package chunk

import "encoding/binary"

// parser is a wire type that parses itself.
type parser interface {
	Parse(b []byte) (int, error)
}

// newChunk returns a new, empty chunk of type t, or *Unknown.
func newChunk(t Type) interface {
	Chunk
	parser
} {
	switch t {
	case TypeData:
		return new(Data)
	case TypeInit:
		return new(Init)
	case TypeInitAck:
		return new(InitAck)
	case TypeSACK:
		return new(SACK)
	case TypeHeartbeat:
		return new(Heartbeat)
	case TypeHeartbeatAck:
		return new(HeartbeatAck)
	case TypeAbort:
		return new(Abort)
	case TypeShutdown:
		return new(Shutdown)
	case TypeShutdownAck:
		return new(ShutdownAck)
	case TypeError:
		return new(OperationError)
	case TypeCookieEcho:
		return new(CookieEcho)
	case TypeCookieAck:
		return new(CookieAck)
	case TypeECNE:
		return new(ECNE)
	case TypeCWR:
		return new(CWR)
	case TypeShutdownComplete:
		return new(ShutdownComplete)
	case TypeAuth:
		return new(Auth)
	case TypeIData:
		return new(IData)
	case TypeASCONFAck:
		return new(ASCONFAck)
	case TypeReConfig:
		return new(ReConfig)
	case TypePad:
		return new(Pad)
	case TypeForwardTSN:
		return new(ForwardTSN)
	case TypeASCONF:
		return new(ASCONF)
	case TypeIForwardTSN:
		return new(IForwardTSN)
	}
	return new(Unknown)
}

// Parse parses the chunk at the start of b into a new value of its type
// (*Data, *Init, ..., or *Unknown for a type this package does not
// interpret) and returns it with the number of bytes it occupies, padding
// included. Parse allocates the value; on hot paths, parse into a reused
// value of the expected type with its Parse method instead.
func Parse(b []byte) (Chunk, int, error) {
	if len(b) < 1 {
		return nil, 0, errTruncated(0)
	}
	c := newChunk(Type(b[0]))
	n, err := c.Parse(b)
	if err != nil {
		return nil, 0, err
	}
	return c, n, nil
}

// newParam returns a new, empty parameter of type t, or *UnknownParam.
func newParam(t ParamType) interface {
	Param
	parser
} {
	switch t {
	case ParamHeartbeatInfo:
		return new(HeartbeatInfo)
	case ParamIPv4Address:
		return new(IPv4Address)
	case ParamIPv6Address:
		return new(IPv6Address)
	case ParamStateCookie:
		return new(StateCookie)
	case ParamUnrecognizedParameter:
		return new(UnrecognizedParameter)
	case ParamCookiePreservative:
		return new(CookiePreservative)
	case ParamHostNameAddress:
		return new(HostNameAddress)
	case ParamSupportedAddressTypes:
		return new(SupportedAddressTypes)
	case ParamOutgoingSSNResetRequest:
		return new(OutgoingSSNResetRequest)
	case ParamIncomingSSNResetRequest:
		return new(IncomingSSNResetRequest)
	case ParamSSNTSNResetRequest:
		return new(SSNTSNResetRequest)
	case ParamReconfigResponse:
		return new(ReconfigResponse)
	case ParamAddOutgoingStreams:
		return new(AddOutgoingStreams)
	case ParamAddIncomingStreams:
		return new(AddIncomingStreams)
	case ParamECNCapable:
		return new(ECNCapable)
	case ParamZeroChecksumAcceptable:
		return new(ZeroChecksumAcceptable)
	case ParamRandom:
		return new(Random)
	case ParamChunkList:
		return new(ChunkList)
	case ParamRequestedHMACAlgorithm:
		return new(RequestedHMACAlgorithm)
	case ParamPadding:
		return new(Padding)
	case ParamSupportedExtensions:
		return new(SupportedExtensions)
	case ParamForwardTSNSupported:
		return new(ForwardTSNSupported)
	case ParamAddIPAddress:
		return new(AddIPAddress)
	case ParamDeleteIPAddress:
		return new(DeleteIPAddress)
	case ParamErrorCauseIndication:
		return new(ErrorCauseIndication)
	case ParamSetPrimaryAddress:
		return new(SetPrimaryAddress)
	case ParamSuccessIndication:
		return new(SuccessIndication)
	case ParamAdaptationLayerIndication:
		return new(AdaptationLayerIndication)
	}
	return new(UnknownParam)
}

// ParseParam parses the parameter at the start of b into a new value of its
// type (*UnknownParam for a type this package does not interpret) and
// returns it with the number of bytes it occupies, padding included.
func ParseParam(b []byte) (Param, int, error) {
	if len(b) < 2 {
		return nil, 0, errTruncated(len(b))
	}
	p := newParam(ParamType(binary.BigEndian.Uint16(b)))
	n, err := p.Parse(b)
	if err != nil {
		return nil, 0, err
	}
	return p, n, nil
}

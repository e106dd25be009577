package chunk

import "encoding/binary"

// RFC 5061 Section 4.2.6: Adaptation Layer Indication (0xC006)
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Type =0xC006           |    Length = 8                 |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                   Adaptation Code point                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// AdaptationLayerIndication is the Adaptation Layer Indication parameter
// of INIT and INIT ACK (RFC 5061 Section 4.2.6). RFC 5061 Section 4.2.6:
// "This parameter SHOULD NOT be examined by the receiving SCTP
// implementation and should be passed opaquely to the upper-layer
// protocol."
type AdaptationLayerIndication struct {
	// Indication is the Adaptation Code point, opaque to SCTP.
	Indication uint32
}

// ParamType implements Param.
func (p *AdaptationLayerIndication) ParamType() ParamType { return ParamAdaptationLayerIndication }

// Len implements Param.
func (p *AdaptationLayerIndication) Len() int { return 8 }

// Append implements Param.
func (p *AdaptationLayerIndication) Append(b []byte) []byte {
	b = appendTLVHeader(b, uint16(ParamAdaptationLayerIndication), 8)
	return binary.BigEndian.AppendUint32(b, p.Indication)
}

// Parse fills p from the parameter at the start of b and returns the bytes
// it occupies. The Length must be 8.
func (p *AdaptationLayerIndication) Parse(b []byte) (int, error) {
	v, n, err := openFixedParam(b, ParamAdaptationLayerIndication, 8)
	if err != nil {
		return 0, err
	}
	p.Indication = binary.BigEndian.Uint32(v)
	return n, nil
}

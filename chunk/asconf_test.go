package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestASCONFWire(t *testing.T) {
	// RFC 5061 Section 4.1.1: Sequence Number, the sender's address
	// (IPv4 192.0.2.1), then Add IP Address (correlation 1, 192.0.2.2)
	// and Set Primary Address (correlation 2, 192.0.2.2).
	checkWire(t, hexBytes("c1 00 0030 | 00000005 | 0005 0008 c0000201 |"+
		" c001 0010 00000001 0005 0008 c0000202 | c004 0010 00000002 0005 0008 c0000202"),
		&ASCONF{Serial: 5, Address: &IPv4Address{Addr: [4]byte{192, 0, 2, 1}}, Params: []Param{
			&AddIPAddress{CorrelationID: 1, Address: &IPv4Address{Addr: [4]byte{192, 0, 2, 2}}},
			&SetPrimaryAddress{CorrelationID: 2, Address: &IPv4Address{Addr: [4]byte{192, 0, 2, 2}}},
		}}, parseAs[ASCONF])
	// Only the address, IPv6.
	checkWire(t, hexBytes("c1 00 001c | ffffffff | 0006 0014 20010db8000000000000000000000001"),
		&ASCONF{Serial: 0xffffffff, Address: &IPv6Address{Addr: [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}}},
		parseAs[ASCONF])
}

func TestASCONFAckWire(t *testing.T) {
	// RFC 5061 Section 4.1.2: Sequence Number, Success Indication for
	// correlation 1, Error Cause Indication for correlation 2 carrying
	// Operation Refused Due to Resource Shortage.
	checkWire(t, hexBytes("80 00 0024 | 00000005 | c005 0008 00000001 |"+
		" c003 0014 00000002 00a1 000c 0000 0004 00000000"),
		&ASCONFAck{Serial: 5, Params: []Param{
			&SuccessIndication{CorrelationID: 1},
			&ErrorCauseIndication{CorrelationID: 2, Causes: []Cause{
				&ResourceShortageCause{Param: hexBytes("0000 0004 00000000")}}},
		}}, parseAs[ASCONFAck])
	checkWire(t, hexBytes("80 00 0008 | 00000000"), &ASCONFAck{}, parseAs[ASCONFAck])
}

func TestASCONFBadInput(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		kind   error
		cause  CauseCode
		offset int
	}{
		// "This parameter MUST be present in every ASCONF message."
		{"no address", "c1 00 0008 00000001", ErrMissingParam, CauseMissingMandatoryParameter, 8},
		{"address is not an address", "c1 00 000c 00000001 c005 0004", ErrType, CauseUnresolvableAddress, 8},
		{"short", "c1 00 0006 0000", ErrLength, CauseProtocolViolation, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c ASCONF
			_, err := c.Parse(hexBytes(tt.in))
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.Equal(t, TypeASCONF, pe.Chunk)
			require.Equal(t, tt.offset, pe.Offset)
		})
	}
}

func TestReConfigWire(t *testing.T) {
	// RFC 6525 Section 3.1: an Outgoing SSN Reset Request (streams 1 and
	// 2, unaligned, padded) and an Incoming SSN Reset Request (stream 3).
	checkWire(t, hexBytes("82 00 0022 | 000d 0014 00000001 00000000 00000063 0001 0002 |"+
		" 000e 000a 00000002 0003 0000"),
		&ReConfig{Params: []Param{
			&OutgoingSSNResetRequest{ReqSeq: 1, RespSeq: 0, SenderLastTSN: 99, Streams: []StreamID{1, 2}},
			&IncomingSSNResetRequest{ReqSeq: 2, Streams: []StreamID{3}},
		}}, parseAs[ReConfig])
	// A response.
	checkWire(t, hexBytes("82 00 0010 | 0010 000c 00000001 00000001"),
		&ReConfig{Params: []Param{&ReconfigResponse{RespSeq: 1, Result: ReconfigSuccessPerformed}}},
		parseAs[ReConfig])
}

func TestReConfigBadInput(t *testing.T) {
	var c ReConfig
	_, err := c.Parse(hexBytes("82 00 0004"))
	pe := requireParseError(t, err, ErrLength, CauseProtocolViolation)
	require.Equal(t, TypeReConfig, pe.Chunk)
}

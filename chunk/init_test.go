package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInitWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   Chunk
		parse  func([]byte) (Chunk, int, error)
	}{
		{
			name: "INIT without parameters",
			// Type 1, flags 0, length 20; Initiate Tag; a_rwnd 65536;
			// OS 10, MIS 65535; Initial TSN.
			golden: "01 00 0014 | 11223344 | 00010000 | 000a ffff | fffffffe",
			want: &Init{InitiateTag: 0x11223344, ARwnd: 65536, OutboundStreams: 10,
				InboundStreams: 0xffff, InitialTSN: 0xfffffffe},
		},
		{
			name: "INIT whose last parameter is unaligned",
			// Chunk Length 38 excludes the 2 padding bytes of the last
			// parameter (RFC 9260 Section 3.2), which pad the chunk.
			golden: "01 00 0026 | 11223344 | 00010000 | 000a 0800 | 01020304 |" +
				" 0005 0008 7f000001 | 8000 0004 | 000c 0006 0005 0000",
			want: &Init{InitiateTag: 0x11223344, ARwnd: 65536, OutboundStreams: 10,
				InboundStreams: 2048, InitialTSN: 0x01020304, Params: []Param{
					&IPv4Address{Addr: [4]byte{127, 0, 0, 1}},
					&ECNCapable{},
					&SupportedAddressTypes{Types: []ParamType{ParamIPv4Address}},
				}},
		},
		{
			name: "INIT ACK with cookie, unknown parameter and reserved flags",
			// Flags 0x80 (reserved, kept); State Cookie of 5 bytes (padded,
			// not last); unknown parameter 0x8123 (skip) of 0 bytes; Forward
			// TSN supported.
			golden: "02 80 0028 | deadbeef | 00001000 | 0001 0001 | 00000000 |" +
				" 0007 0009 6162636465 000000 | 8123 0004 | c000 0004",
			want: &InitAck{Flags: 0x80, InitiateTag: 0xdeadbeef, ARwnd: 4096, OutboundStreams: 1,
				InboundStreams: 1, Params: []Param{
					&StateCookie{Cookie: []byte("abcde")},
					&UnknownParam{Type: 0x8123, Value: []byte{}},
					&ForwardTSNSupported{},
				}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			switch w := tt.want.(type) {
			case *Init:
				checkWire(t, hexBytes(tt.golden), w, parseAs[Init])
			case *InitAck:
				checkWire(t, hexBytes(tt.golden), w, parseAs[InitAck])
			}
		})
	}
}

// RFC 9260 Section 3.2: "A robust implementation is expected to accept the
// chunk whether or not the final padding has been included in the Chunk
// Length."
func TestInitFinalPaddingInLength(t *testing.T) {
	in := hexBytes("01 00 001c | 11223344 | 00010000 | 000a 0800 | 01020304 |" +
		" 000c 0006 0005 0000")
	var c Init
	n, err := c.Parse(in)
	require.NoError(t, err)
	require.Equal(t, 28, n)
	require.Equal(t, []Param{&SupportedAddressTypes{Types: []ParamType{ParamIPv4Address}}}, c.Params)
	// Re-encoded with the Chunk Length the RFC prescribes.
	out := c.Append(nil)
	require.Equal(t, byte(0x1a), out[3])
	require.Equal(t, in[4:], out[4:])
}

func TestInitBadInput(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		kind   error
		cause  CauseCode
		offset int
		param  ParamType
	}{
		{"length below fixed part", "01 00 0010 11223344 00010000 000a 0800", ErrLength, CauseProtocolViolation, 2, 0},
		{"parameter length below 4", "01 00 0018 11223344 00010000 000a 0800 01020304 0005 0002", ErrLength, CauseProtocolViolation, 22, ParamIPv4Address},
		{"parameter past the chunk", "01 00 001c 11223344 00010000 000a 0800 01020304 0005 000c 7f000001", ErrLength, CauseProtocolViolation, 22, ParamIPv4Address},
		{"zero parameter length", "01 00 0016 11223344 00010000 000a 0800 01020304 8000 0000", ErrLength, CauseProtocolViolation, 22, ParamECNCapable},
		{"wrong fixed parameter length", "01 00 0020 11223344 00010000 000a 0800 01020304 0005 000c 7f000001 00000000", ErrLength, CauseProtocolViolation, 22, ParamIPv4Address},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Init
			_, err := c.Parse(hexBytes(tt.in))
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.True(t, pe.HasChunk)
			require.Equal(t, TypeInit, pe.Chunk)
			require.Equal(t, tt.param, pe.Param)
			require.Equal(t, tt.offset, pe.Offset)
		})
	}
}

func TestInitValidate(t *testing.T) {
	good := func() *Init {
		return &Init{InitiateTag: 1, ARwnd: 1500, OutboundStreams: 1, InboundStreams: 1}
	}
	require.NoError(t, good().Validate())
	tests := []struct {
		name  string
		mod   func(*Init)
		kind  error
		cause CauseCode
	}{
		// "If the value of the Initiate Tag in a received INIT chunk is
		// found to be 0, the receiver MUST silently discard the packet."
		{"zero tag", func(c *Init) { c.InitiateTag = 0 }, ErrValue, 0},
		// "The Advertised Receiver Window Credit MUST NOT be smaller than
		// 1500."
		{"small a_rwnd", func(c *Init) { c.ARwnd = 1499 }, ErrValue, CauseInvalidMandatoryParameter},
		// OS and MIS: "The value of 0 MUST NOT be used."
		{"zero OS", func(c *Init) { c.OutboundStreams = 0 }, ErrValue, CauseInvalidMandatoryParameter},
		{"zero MIS", func(c *Init) { c.InboundStreams = 0 }, ErrValue, CauseInvalidMandatoryParameter},
		// "The receiver of an INIT chunk containing a Host Name Address
		// parameter MUST send an ABORT chunk and MAY include an
		// "Unresolvable Address" error cause."
		{"host name", func(c *Init) {
			c.Params = []Param{&ECNCapable{}, &HostNameAddress{HostName: []byte("a\x00")}}
		}, ErrValue, CauseUnresolvableAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.mod(c)
			pe := requireParseError(t, c.Validate(), tt.kind, tt.cause)
			require.Equal(t, TypeInit, pe.Chunk)
		})
	}
	// RFC 9260 Section 3.3.3: the State Cookie is mandatory in INIT ACK.
	ack := &InitAck{InitiateTag: 1, ARwnd: 1500, OutboundStreams: 1, InboundStreams: 1}
	pe := requireParseError(t, ack.Validate(), ErrMissingParam, CauseMissingMandatoryParameter)
	require.Equal(t, TypeInitAck, pe.Chunk)
	ack.Params = []Param{&StateCookie{Cookie: []byte{1}}}
	require.NoError(t, ack.Validate())
	require.Equal(t, []byte{1}, ack.StateCookie().Cookie)
	ack.InitiateTag = 0
	requireParseError(t, ack.Validate(), ErrValue, CauseInvalidMandatoryParameter)
}

// Parsing into a reused INIT keeps the parameter slice's capacity.
func TestInitReuse(t *testing.T) {
	in := hexBytes("01 00 0024 | 11223344 | 00010000 | 000a 0800 | 01020304 | 0005 0008 7f000001 | 8000 0004 | c000 0004")
	var c Init
	_, err := c.Parse(in)
	require.NoError(t, err)
	require.Len(t, c.Params, 3)
	first := &c.Params[0]
	_, err = c.Parse(in)
	require.NoError(t, err)
	require.Same(t, first, &c.Params[0])
}

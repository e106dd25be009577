package chunk

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSupportedExtensionsWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *SupportedExtensions
	}{
		{
			name: "four types, aligned",
			// Type 0x8008, Length 8; RE-CONFIG (0x82), FORWARD-TSN
			// (0xc0), ASCONF (0xc1), ASCONF-ACK (0x80).
			golden: "8008 0008 | 82 c0 c1 80",
			want:   &SupportedExtensions{Types: []Type{TypeReConfig, TypeForwardTSN, TypeASCONF, TypeASCONFAck}},
		},
		{
			name: "three types, padded",
			// Type 0x8008, Length 7 (the Length "MUST NOT include any
			// padding"); RE-CONFIG, FORWARD-TSN, I-DATA (0x40); 1 byte of
			// padding.
			golden: "8008 0007 | 82 c0 40 | 00",
			want:   &SupportedExtensions{Types: []Type{TypeReConfig, TypeForwardTSN, TypeIData}},
		},
		{
			name: "one type, padded",
			// Type 0x8008, Length 5; AUTH (0x0f); 3 bytes of padding.
			golden: "8008 0005 | 0f | 000000",
			want:   &SupportedExtensions{Types: []Type{TypeAuth}},
		},
		{
			name:   "empty list",
			golden: "8008 0004",
			want:   &SupportedExtensions{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[SupportedExtensions])
		})
	}
}

func TestSupportedExtensionsBadInput(t *testing.T) {
	checkParamsBadInput[SupportedExtensions](t, ParamSupportedExtensions, []paramsBadCase{
		{"length below header", "8008 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "8003 0005 | 82 | 000000", ErrType, 0, 0},
		{"length past buffer", "8008 0010 | 82 c0 c1 80", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
		{"padding missing", "8008 0007 | 82 c0 40", io.ErrUnexpectedEOF, CauseProtocolViolation, 7},
	})
}

func TestSupportedExtensionsReuse(t *testing.T) {
	checkParamsReuseNoAllocs[SupportedExtensions](t, hexBytes("8008 0007 | 82 c0 40 | 00"))
}

func TestSupportedExtensionsSupports(t *testing.T) {
	p := &SupportedExtensions{Types: []Type{TypeReConfig, TypeIData}}
	require.True(t, p.Supports(TypeIData))
	require.True(t, p.Supports(TypeReConfig))
	require.False(t, p.Supports(TypeForwardTSN))
	require.False(t, (&SupportedExtensions{}).Supports(TypeData))
}

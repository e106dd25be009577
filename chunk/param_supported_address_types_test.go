package chunk

import (
	"io"
	"testing"
)

func TestSupportedAddressTypesWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *SupportedAddressTypes
	}{
		{
			name: "IPv4 only, padded",
			// Type 12, Length 6; IPv4 (5); 2 bytes of padding.
			golden: "000c 0006 | 0005 | 0000",
			want:   &SupportedAddressTypes{Types: []ParamType{ParamIPv4Address}},
		},
		{
			name: "IPv4 and IPv6, aligned",
			// Type 12, Length 8; IPv4 (5), IPv6 (6).
			golden: "000c 0008 | 0005 0006",
			want:   &SupportedAddressTypes{Types: []ParamType{ParamIPv4Address, ParamIPv6Address}},
		},
		{
			name: "host name kept as received, unknown type, padded",
			// Type 12, Length 10; IPv6 (6), Host Name (11), 0xffff; padding.
			golden: "000c 000a | 0006 000b ffff | 0000",
			want:   &SupportedAddressTypes{Types: []ParamType{ParamIPv6Address, ParamHostNameAddress, 0xffff}},
		},
		{
			name:   "empty list",
			golden: "000c 0004",
			want:   &SupportedAddressTypes{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[SupportedAddressTypes])
		})
	}
}

func TestSupportedAddressTypesBadInput(t *testing.T) {
	checkParamsBadInput[SupportedAddressTypes](t, ParamSupportedAddressTypes, []paramsBadCase{
		// The Length is 4 + 2*N.
		{"odd length", "000c 0007 | 0005 06 | 00", ErrLength, CauseProtocolViolation, 2},
		{"length 5", "000c 0005 | 00 | 000000", ErrLength, CauseProtocolViolation, 2},
		{"length below header", "000c 0002 | 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "000d 0008 | 0005 0006", ErrType, 0, 0},
		{"length past buffer", "000c 000c | 0005 0006", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
		{"padding missing", "000c 0006 | 0005", io.ErrUnexpectedEOF, CauseProtocolViolation, 6},
	})
}

func TestSupportedAddressTypesReuse(t *testing.T) {
	checkParamsReuseNoAllocs[SupportedAddressTypes](t, hexBytes("000c 000a | 0006 000b ffff | 0000"))
}

package chunk

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRequestedHMACAlgorithmWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *RequestedHMACAlgorithm
	}{
		{
			name: "SHA-1 only, padded",
			// Type 0x8004, Length 6; SHA-1 (1); 2 bytes of padding.
			golden: "8004 0006 | 0001 | 0000",
			want:   &RequestedHMACAlgorithm{HMACs: []HMACIdentifier{HMACSHA1}},
		},
		{
			name: "SHA-256 then SHA-1, aligned",
			// Type 0x8004, Length 8; SHA-256 (3), SHA-1 (1).
			golden: "8004 0008 | 0003 0001",
			want:   &RequestedHMACAlgorithm{HMACs: []HMACIdentifier{HMACSHA256, HMACSHA1}},
		},
		{
			name: "reserved identifier kept, padded",
			// Type 0x8004, Length 10; SHA-256, SHA-1, 2 (reserved);
			// 2 bytes of padding.
			golden: "8004 000a | 0003 0001 0002 | 0000",
			want:   &RequestedHMACAlgorithm{HMACs: []HMACIdentifier{HMACSHA256, HMACSHA1, 2}},
		},
		{
			name:   "empty list",
			golden: "8004 0004",
			want:   &RequestedHMACAlgorithm{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[RequestedHMACAlgorithm])
		})
	}
}

func TestRequestedHMACAlgorithmBadInput(t *testing.T) {
	// RFC 4895 Section 3.3: the Length "is the number of HMAC Identifiers
	// multiplied by 2, plus 4."
	checkParamsBadInput[RequestedHMACAlgorithm](t, ParamRequestedHMACAlgorithm, []paramsBadCase{
		{"odd length", "8004 0007 | 0001 03 | 00", ErrLength, CauseProtocolViolation, 2},
		{"length 5", "8004 0005 | 01 | 000000", ErrLength, CauseProtocolViolation, 2},
		{"length below header", "8004 0002", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "8005 0008 | 0003 0001", ErrType, 0, 0},
		{"length past buffer", "8004 000c | 0003 0001", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
		{"padding missing", "8004 0006 | 0001", io.ErrUnexpectedEOF, CauseProtocolViolation, 6},
	})
}

func TestRequestedHMACAlgorithmReuse(t *testing.T) {
	checkParamsReuseNoAllocs[RequestedHMACAlgorithm](t, hexBytes("8004 000a | 0003 0001 0002 | 0000"))
}

func TestHMACIdentifierString(t *testing.T) {
	require.Equal(t, "SHA-1", HMACSHA1.String())
	require.Equal(t, "SHA-256", HMACSHA256.String())
	require.Equal(t, "HMACIdentifier(0)", HMACIdentifier(0).String())
	require.Equal(t, "HMACIdentifier(65535)", HMACIdentifier(0xffff).String())
}

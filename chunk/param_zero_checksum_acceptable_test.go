package chunk

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestZeroChecksumAcceptableWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *ZeroChecksumAcceptable
	}{
		{
			name: "SCTP over DTLS",
			// Type 0x8001, Length 8; EDMID 1 (SCTP over DTLS).
			golden: "8001 0008 | 00000001",
			want:   &ZeroChecksumAcceptable{EDMID: EDMIDDTLS},
		},
		{
			name: "reserved kept",
			// Type 0x8001, Length 8; EDMID 0 (reserved).
			golden: "8001 0008 | 00000000",
			want:   &ZeroChecksumAcceptable{},
		},
		{
			name: "unassigned kept",
			// Type 0x8001, Length 8; EDMID 0xffffffff (unassigned).
			golden: "8001 0008 | ffffffff",
			want:   &ZeroChecksumAcceptable{EDMID: 0xffffffff},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[ZeroChecksumAcceptable])
		})
	}
}

func TestZeroChecksumAcceptableBadInput(t *testing.T) {
	// RFC 9653 Section 4: the Length "MUST be 8".
	checkParamsBadInput[ZeroChecksumAcceptable](t, ParamZeroChecksumAcceptable, []paramsBadCase{
		{"length 4", "8001 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 12", "8001 000c | 00000001 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 7", "8001 0007 | 000001 | 00", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "8002 0008 | 00000001", ErrType, 0, 0},
		{"length past buffer", "8001 0008 | 00", io.ErrUnexpectedEOF, CauseProtocolViolation, 5},
	})
}

func TestEDMIDString(t *testing.T) {
	require.Equal(t, "Reserved", EDMIDReserved.String())
	require.Equal(t, "SCTP over DTLS", EDMIDDTLS.String())
	require.Equal(t, "EDMID(2)", EDMID(2).String())
	require.Equal(t, "EDMID(4294967295)", EDMID(0xffffffff).String())
}

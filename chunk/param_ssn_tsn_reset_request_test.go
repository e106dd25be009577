package chunk

import (
	"io"
	"testing"
)

func TestSSNTSNResetRequestWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *SSNTSNResetRequest
	}{
		{
			name: "zero",
			// Type 15, Length 8; request seq 0.
			golden: "000f 0008 | 00000000",
			want:   &SSNTSNResetRequest{},
		},
		{
			name:   "max",
			golden: "000f 0008 | ffffffff",
			want:   &SSNTSNResetRequest{ReqSeq: 0xffffffff},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[SSNTSNResetRequest])
		})
	}
}

func TestSSNTSNResetRequestBadInput(t *testing.T) {
	// RFC 6525 Section 4.3: the Length "MUST be 8".
	checkParamsBadInput[SSNTSNResetRequest](t, ParamSSNTSNResetRequest, []paramsBadCase{
		{"length 4", "000f 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 12", "000f 000c | 00000001 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 9", "000f 0009 | 00000001 00 | 000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0010 0008 | 00000001", ErrType, 0, 0},
		{"length past buffer", "000f 0008 | 000000", io.ErrUnexpectedEOF, CauseProtocolViolation, 7},
	})
}

package chunk

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReconfigResponseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *ReconfigResponse
	}{
		{
			name: "without TSNs",
			// Type 16, Length 12; response seq 5; result 1 (Success -
			// Performed).
			golden: "0010 000c | 00000005 | 00000001",
			want:   &ReconfigResponse{RespSeq: 5, Result: ReconfigSuccessPerformed},
		},
		{
			name: "with TSNs",
			// Type 16, Length 20; response seq 5; result 6 (In progress);
			// sender's next TSN 0x1000; receiver's next TSN 0xfffffffe.
			golden: "0010 0014 | 00000005 | 00000006 | 00001000 | fffffffe",
			want: &ReconfigResponse{RespSeq: 5, Result: ReconfigInProgress, HasTSNs: true,
				SenderNextTSN: 0x1000, ReceiverNextTSN: 0xfffffffe},
		},
		{
			name: "with zero TSNs",
			// Type 16, Length 20; response seq 0; result 0; TSNs 0 and 0.
			golden: "0010 0014 | 00000000 | 00000000 | 00000000 | 00000000",
			want:   &ReconfigResponse{HasTSNs: true},
		},
		{
			name: "unknown result kept",
			// Type 16, Length 12; response seq 0xffffffff; result 7.
			golden: "0010 000c | ffffffff | 00000007",
			want:   &ReconfigResponse{RespSeq: 0xffffffff, Result: 7},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[ReconfigResponse])
		})
	}
}

func TestReconfigResponseBadInput(t *testing.T) {
	// RFC 6525 Section 4.4: the Length "MUST be 12 if the optional fields
	// are not present and 20 otherwise."
	checkParamsBadInput[ReconfigResponse](t, ParamReconfigResponse, []paramsBadCase{
		{"length 8", "0010 0008 | 00000001", ErrLength, CauseProtocolViolation, 2},
		{"length 16: one TSN only", "0010 0010 | 00000001 00000000 00000005", ErrLength, CauseProtocolViolation, 2},
		{"length 24", "0010 0018 | 00000001 00000000 00000005 00000006 00000007", ErrLength, CauseProtocolViolation, 2},
		{"length 13", "0010 000d | 00000001 00000000 01 | 000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "000f 000c | 00000001 00000000", ErrType, 0, 0},
		{"length past buffer", "0010 0014 | 00000001 00000000", io.ErrUnexpectedEOF, CauseProtocolViolation, 12},
	})
}

func TestReconfigResponseParseClearsTSNs(t *testing.T) {
	p := ReconfigResponse{HasTSNs: true, SenderNextTSN: 1, ReceiverNextTSN: 2}
	_, err := p.Parse(hexBytes("0010 000c | 00000005 | 00000001"))
	require.NoError(t, err)
	require.Equal(t, ReconfigResponse{RespSeq: 5, Result: ReconfigSuccessPerformed}, p)
}

func TestReconfigResultString(t *testing.T) {
	for r, s := range map[ReconfigResult]string{
		ReconfigSuccessNothingToDo:            "Success - Nothing to do",
		ReconfigSuccessPerformed:              "Success - Performed",
		ReconfigDenied:                        "Denied",
		ReconfigErrorWrongSSN:                 "Error - Wrong SSN",
		ReconfigErrorRequestAlreadyInProgress: "Error - Request already in progress",
		ReconfigErrorBadSequenceNumber:        "Error - Bad Sequence Number",
		ReconfigInProgress:                    "In progress",
		7:                                     "ReconfigResult(7)",
		0xffffffff:                            "ReconfigResult(4294967295)",
	} {
		require.Equal(t, s, r.String())
	}
}

package chunk

import (
	"io"
	"testing"
)

func TestIncomingSSNResetRequestWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *IncomingSSNResetRequest
	}{
		{
			name: "all streams",
			// Type 14, Length 8; request seq 7; no stream listed.
			golden: "000e 0008 | 00000007",
			want:   &IncomingSSNResetRequest{ReqSeq: 7},
		},
		{
			name: "one stream, padded",
			// Type 14, Length 10; request seq 0xffffffff; stream 5;
			// 2 bytes of padding.
			golden: "000e 000a | ffffffff | 0005 | 0000",
			want:   &IncomingSSNResetRequest{ReqSeq: 0xffffffff, Streams: []StreamID{5}},
		},
		{
			name: "two streams, aligned",
			// Type 14, Length 12; request seq 0; streams 0 and 1.
			golden: "000e 000c | 00000000 | 0000 0001",
			want:   &IncomingSSNResetRequest{Streams: []StreamID{0, 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[IncomingSSNResetRequest])
		})
	}
}

func TestIncomingSSNResetRequestBadInput(t *testing.T) {
	// RFC 6525 Section 4.2: the Length "MUST be 8 + 2 * N".
	checkParamsBadInput[IncomingSSNResetRequest](t, ParamIncomingSSNResetRequest, []paramsBadCase{
		{"length below minimum", "000e 0006 | 0000 | 0000", ErrLength, CauseProtocolViolation, 2},
		{"odd length", "000e 0009 | 00000001 01 | 000000", ErrLength, CauseProtocolViolation, 2},
		{"odd length with a stream", "000e 000b | 00000001 0001 02 | 00", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "000d 0008 | 00000001", ErrType, 0, 0},
		{"length past buffer", "000e 000c | 00000001", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
		{"padding missing", "000e 000a | 00000001 0001", io.ErrUnexpectedEOF, CauseProtocolViolation, 10},
	})
}

func TestIncomingSSNResetRequestReuse(t *testing.T) {
	checkParamsReuseNoAllocs[IncomingSSNResetRequest](t, hexBytes("000e 000c | 00000000 | 0000 0001"))
}

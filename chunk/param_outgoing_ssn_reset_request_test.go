package chunk

import (
	"io"
	"testing"
)

func TestOutgoingSSNResetRequestWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *OutgoingSSNResetRequest
	}{
		{
			name: "all streams",
			// Type 13, Length 16; request seq 1; response seq 0; sender's
			// last assigned TSN 0xffffffff; no stream listed.
			golden: "000d 0010 | 00000001 | 00000000 | ffffffff",
			want:   &OutgoingSSNResetRequest{ReqSeq: 1, SenderLastTSN: 0xffffffff},
		},
		{
			name: "one stream, padded",
			// Type 13, Length 18; request seq 0x12345678; response seq
			// 0x12345677; last TSN 100; stream 3; 2 bytes of padding.
			golden: "000d 0012 | 12345678 | 12345677 | 00000064 | 0003 | 0000",
			want: &OutgoingSSNResetRequest{ReqSeq: 0x12345678, RespSeq: 0x12345677,
				SenderLastTSN: 100, Streams: []StreamID{3}},
		},
		{
			name: "two streams, aligned",
			// Type 13, Length 20; seqs 0xffffffff and 0; last TSN 0;
			// streams 0 and 65535.
			golden: "000d 0014 | ffffffff | 00000000 | 00000000 | 0000 ffff",
			want:   &OutgoingSSNResetRequest{ReqSeq: 0xffffffff, Streams: []StreamID{0, 0xffff}},
		},
		{
			name: "three streams, padded",
			// Type 13, Length 22; streams 1, 2, 3; 2 bytes of padding.
			golden: "000d 0016 | 00000002 | 00000001 | 00000005 | 0001 0002 0003 | 0000",
			want: &OutgoingSSNResetRequest{ReqSeq: 2, RespSeq: 1, SenderLastTSN: 5,
				Streams: []StreamID{1, 2, 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[OutgoingSSNResetRequest])
		})
	}
}

func TestOutgoingSSNResetRequestBadInput(t *testing.T) {
	// RFC 6525 Section 4.1: the Length "MUST be 16 + 2 * N".
	checkParamsBadInput[OutgoingSSNResetRequest](t, ParamOutgoingSSNResetRequest, []paramsBadCase{
		{"length below minimum", "000d 000c | 00000001 00000000 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length below header", "000d 0003 | 00", ErrLength, CauseProtocolViolation, 2},
		{"odd length", "000d 0011 | 00000001 00000000 00000000 01 | 000000", ErrLength, CauseProtocolViolation, 2},
		{"odd length with a stream", "000d 0013 | 00000001 00000000 00000000 0001 02 | 00", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "000e 0010 | 00000001 00000000 00000000", ErrType, 0, 0},
		{"length past buffer", "000d 0014 | 00000001 00000000 00000000", io.ErrUnexpectedEOF, CauseProtocolViolation, 16},
		{"padding missing", "000d 0012 | 00000001 00000000 00000000 0001", io.ErrUnexpectedEOF, CauseProtocolViolation, 18},
	})
}

func TestOutgoingSSNResetRequestReuse(t *testing.T) {
	checkParamsReuseNoAllocs[OutgoingSSNResetRequest](t,
		hexBytes("000d 0016 | 00000002 | 00000001 | 00000005 | 0001 0002 0003 | 0000"))
}

package chunk

import (
	"io"
	"testing"
)

func TestAddOutgoingStreamsWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *AddOutgoingStreams
	}{
		{
			name: "16 streams",
			// Type 17, Length 12; request seq 1; 16 new streams; reserved 0.
			golden: "0011 000c | 00000001 | 0010 0000",
			want:   &AddOutgoingStreams{ReqSeq: 1, NumNewStreams: 16},
		},
		{
			name: "max, reserved bits kept",
			// Type 17, Length 12; request seq 0xffffffff; 65535 new
			// streams; reserved 0xabcd kept as received.
			golden: "0011 000c | ffffffff | ffff abcd",
			want:   &AddOutgoingStreams{ReqSeq: 0xffffffff, NumNewStreams: 0xffff, Reserved: 0xabcd},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[AddOutgoingStreams])
		})
	}
}

func TestAddOutgoingStreamsBadInput(t *testing.T) {
	// RFC 6525 Section 4.5: the Length "MUST be 12".
	checkParamsBadInput[AddOutgoingStreams](t, ParamAddOutgoingStreams, []paramsBadCase{
		{"length 8", "0011 0008 | 00000001", ErrLength, CauseProtocolViolation, 2},
		{"length 16", "0011 0010 | 00000001 0010 0000 00000000", ErrLength, CauseProtocolViolation, 2},
		{"length 10", "0011 000a | 00000001 0010 | 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0012 000c | 00000001 0010 0000", ErrType, 0, 0},
		{"length past buffer", "0011 000c | 00000001 0010", io.ErrUnexpectedEOF, CauseProtocolViolation, 10},
	})
}

func TestAddIncomingStreamsWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *AddIncomingStreams
	}{
		{
			name: "1 stream",
			// Type 18, Length 12; request seq 0x01020304; 1 new stream;
			// reserved 0.
			golden: "0012 000c | 01020304 | 0001 0000",
			want:   &AddIncomingStreams{ReqSeq: 0x01020304, NumNewStreams: 1},
		},
		{
			name: "zero streams, reserved bits kept",
			// Type 18, Length 12; request seq 0; 0 new streams; reserved
			// 0xffff kept as received.
			golden: "0012 000c | 00000000 | 0000 ffff",
			want:   &AddIncomingStreams{Reserved: 0xffff},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[AddIncomingStreams])
		})
	}
}

func TestAddIncomingStreamsBadInput(t *testing.T) {
	// RFC 6525 Section 4.6: the Length "MUST be 12".
	checkParamsBadInput[AddIncomingStreams](t, ParamAddIncomingStreams, []paramsBadCase{
		{"length 4", "0012 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 16", "0012 0010 | 00000001 0010 0000 00000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0011 000c | 00000001 0010 0000", ErrType, 0, 0},
		{"length past buffer", "0012 000c | 00000001", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
	})
}

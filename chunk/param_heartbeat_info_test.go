package chunk

import (
	"io"
	"testing"
)

func TestHeartbeatInfoWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *HeartbeatInfo
	}{
		{
			name: "aligned info",
			// Type 1, Length 12; 8 bytes of sender-specific info.
			golden: "0001 000c | 0102030405060708",
			want:   &HeartbeatInfo{Info: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
		},
		{
			name: "unaligned info, padded",
			// Type 1, Length 7; "abc" and one byte of padding.
			golden: "0001 0007 | 616263 | 00",
			want:   &HeartbeatInfo{Info: []byte("abc")},
		},
		{
			name: "one byte, three bytes of padding",
			// Type 1, Length 5; 0xff and three bytes of padding.
			golden: "0001 0005 | ff | 000000",
			want:   &HeartbeatInfo{Info: []byte{0xff}},
		},
		{
			name:   "empty info",
			golden: "0001 0004",
			want:   &HeartbeatInfo{Info: []byte{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[HeartbeatInfo])
		})
	}
}

func TestHeartbeatInfoBadInput(t *testing.T) {
	checkParamsBadInput[HeartbeatInfo](t, ParamHeartbeatInfo, []paramsBadCase{
		{"empty buffer", "", io.ErrUnexpectedEOF, CauseProtocolViolation, 0},
		{"length below header", "0001 0003 | 00000000", ErrLength, CauseProtocolViolation, 2},
		{"zero length", "0001 0000 | 00000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0002 0008 | 01020304", ErrType, 0, 0},
		{"length past buffer", "0001 000c | 01020304", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
		{"padding missing", "0001 0005 | 61", io.ErrUnexpectedEOF, CauseProtocolViolation, 5},
	})
}

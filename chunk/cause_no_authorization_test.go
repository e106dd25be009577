package chunk

import "testing"

func TestNoAuthorizationCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *NoAuthorizationCause
	}{
		// A refused Set Primary Address parameter (C-ID 0x01023479,
		// 192.0.2.1) copied from the ASCONF.
		{"refused set primary", "00a4 0014 | c004 0010 01023479 0005 0008 c0000201",
			&NoAuthorizationCause{Param: hexBytes("c004 0010 01023479 0005 0008 c0000201")}},
		// Edge cases: the field is kept as raw bytes whatever it holds.
		{"empty", "00a4 0004", &NoAuthorizationCause{Param: []byte{}}},
		{"1 byte, 3 bytes of padding", "00a4 0005 | 01 | 000000", &NoAuthorizationCause{Param: []byte{1}}},
		{"6 bytes, 2 bytes of padding", "00a4 000a | 010203040506 | 0000", &NoAuthorizationCause{Param: []byte{1, 2, 3, 4, 5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[NoAuthorizationCause])
		})
	}
}

func TestNoAuthorizationCauseBadInput(t *testing.T) {
	checkCauseBadInput[NoAuthorizationCause](t, []causeBadInput{
		{"length below header", "00a4 0003 00", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "00a4 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "00a4 0010 00000000", errTruncated(0).Err, CauseProtocolViolation, 8},
		{"padding missing", "00a4 0007 010203", errTruncated(0).Err, CauseProtocolViolation, 7},
	})
}

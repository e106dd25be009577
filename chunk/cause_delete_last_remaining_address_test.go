package chunk

import "testing"

func TestDeleteLastRemainingAddressCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *DeleteLastRemainingAddressCause
	}{
		// RFC 5061 Section 4.3.1 example: the Delete IP Address parameter
		// (C-ID 0x01023476, 192.0.2.1) copied from the ASCONF.
		{"RFC 5061 example", "00a0 0014 | c002 0010 01023476 0005 0008 c0000201",
			&DeleteLastRemainingAddressCause{Param: hexBytes("c002 0010 01023476 0005 0008 c0000201")}},
		// Edge cases: the field is kept as raw bytes whatever it holds.
		{"empty", "00a0 0004", &DeleteLastRemainingAddressCause{Param: []byte{}}},
		{"1 byte, 3 bytes of padding", "00a0 0005 | 01 | 000000", &DeleteLastRemainingAddressCause{Param: []byte{1}}},
		{"6 bytes, 2 bytes of padding", "00a0 000a | 010203040506 | 0000", &DeleteLastRemainingAddressCause{Param: []byte{1, 2, 3, 4, 5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[DeleteLastRemainingAddressCause])
		})
	}
}

func TestDeleteLastRemainingAddressCauseBadInput(t *testing.T) {
	checkCauseBadInput[DeleteLastRemainingAddressCause](t, []causeBadInput{
		{"length below header", "00a0 0003 00", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "00a0 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "00a0 0010 00000000", errTruncated(0).Err, CauseProtocolViolation, 8},
		{"padding missing", "00a0 0007 010203", errTruncated(0).Err, CauseProtocolViolation, 7},
	})
}

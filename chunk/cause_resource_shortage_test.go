package chunk

import "testing"

func TestResourceShortageCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *ResourceShortageCause
	}{
		// RFC 5061 Section 4.3.2 example: the Add IP Address parameter
		// (C-ID 0x01023474, 192.0.2.1) copied from the ASCONF.
		{"RFC 5061 example", "00a1 0014 | c001 0010 01023474 0005 0008 c0000201",
			&ResourceShortageCause{Param: hexBytes("c001 0010 01023474 0005 0008 c0000201")}},
		// Edge cases: the field is kept as raw bytes whatever it holds.
		{"empty", "00a1 0004", &ResourceShortageCause{Param: []byte{}}},
		{"1 byte, 3 bytes of padding", "00a1 0005 | 01 | 000000", &ResourceShortageCause{Param: []byte{1}}},
		{"6 bytes, 2 bytes of padding", "00a1 000a | 010203040506 | 0000", &ResourceShortageCause{Param: []byte{1, 2, 3, 4, 5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[ResourceShortageCause])
		})
	}
}

func TestResourceShortageCauseBadInput(t *testing.T) {
	checkCauseBadInput[ResourceShortageCause](t, []causeBadInput{
		{"length below header", "00a1 0003 00", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "00a1 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "00a1 0010 00000000", errTruncated(0).Err, CauseProtocolViolation, 8},
		{"padding missing", "00a1 0007 010203", errTruncated(0).Err, CauseProtocolViolation, 7},
	})
}

package chunk

import "testing"

func TestUnresolvableAddressCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *UnresolvableAddressCause
	}{
		// Code 5, Length 12; the IPv4 Address parameter 192.0.2.1.
		{"IPv4 address", "0005 000c | 0005 0008 c0000201", &UnresolvableAddressCause{Address: hexBytes("0005 0008 c0000201")}},
		// Code 5, Length 11; Host Name Address "ex" with its NUL, copied
		// without its own padding; 1 byte of padding for the cause.
		{"host name, odd length", "0005 000b | 000b 0007 657800 | 00",
			&UnresolvableAddressCause{Address: hexBytes("000b 0007 657800")}},
		// The same parameter copied with its padding.
		{"host name with its padding", "0005 000c | 000b 0007 657800 00",
			&UnresolvableAddressCause{Address: hexBytes("000b 0007 657800 00")}},
		// Edge cases: the field is kept as raw bytes whatever it holds.
		{"empty", "0005 0004", &UnresolvableAddressCause{Address: []byte{}}},
		{"1 byte, 3 bytes of padding", "0005 0005 | 01 | 000000", &UnresolvableAddressCause{Address: []byte{1}}},
		{"6 bytes, 2 bytes of padding", "0005 000a | 010203040506 | 0000", &UnresolvableAddressCause{Address: []byte{1, 2, 3, 4, 5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[UnresolvableAddressCause])
		})
	}
}

func TestUnresolvableAddressCauseBadInput(t *testing.T) {
	checkCauseBadInput[UnresolvableAddressCause](t, []causeBadInput{
		{"length below header", "0005 0003 00", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "0005 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "0005 0010 00000000", errTruncated(0).Err, CauseProtocolViolation, 8},
		{"padding missing", "0005 0007 010203", errTruncated(0).Err, CauseProtocolViolation, 7},
	})
}

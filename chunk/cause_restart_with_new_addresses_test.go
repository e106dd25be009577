package chunk

import "testing"

func TestRestartWithNewAddressesCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *RestartWithNewAddressesCause
	}{
		// Code 11, Length 32; IPv4 Address 192.0.2.7 and IPv6 Address
		// 2001:db8::1.
		{"IPv4 and IPv6", "000b 0020 | 0005 0008 c0000207 | 0006 0014 20010db8 00000000 00000000 00000001",
			&RestartWithNewAddressesCause{Addresses: hexBytes("0005 0008 c0000207 0006 0014 20010db8 00000000 00000000 00000001")}},
		// Edge cases: the field is kept as raw bytes whatever it holds.
		{"empty", "000b 0004", &RestartWithNewAddressesCause{Addresses: []byte{}}},
		{"1 byte, 3 bytes of padding", "000b 0005 | 01 | 000000", &RestartWithNewAddressesCause{Addresses: []byte{1}}},
		{"6 bytes, 2 bytes of padding", "000b 000a | 010203040506 | 0000", &RestartWithNewAddressesCause{Addresses: []byte{1, 2, 3, 4, 5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[RestartWithNewAddressesCause])
		})
	}
}

func TestRestartWithNewAddressesCauseBadInput(t *testing.T) {
	checkCauseBadInput[RestartWithNewAddressesCause](t, []causeBadInput{
		{"length below header", "000b 0003 00", ErrLength, CauseProtocolViolation, 2},
		{"length 0", "000b 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "00ff 0004", ErrType, 0, 0},
		{"length past buffer", "000b 0010 00000000", errTruncated(0).Err, CauseProtocolViolation, 8},
		{"padding missing", "000b 0007 010203", errTruncated(0).Err, CauseProtocolViolation, 7},
	})
}

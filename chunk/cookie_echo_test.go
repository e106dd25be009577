package chunk

import (
	"io"
	"testing"
)

func TestCookieEchoWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *CookieEcho
	}{
		// Type 10, flags 0, length 4; no cookie.
		{"empty cookie", "0a 00 0004", &CookieEcho{Cookie: []byte{}}},
		// Length 5; 1-byte cookie and 3 bytes of padding.
		{"1 byte, padded", "0a 00 0005 | aa 000000", &CookieEcho{Cookie: []byte{0xaa}}},
		// Length 7; 3-byte cookie and 1 byte of padding.
		{"3 bytes, padded", "0a 00 0007 | 010203 00", &CookieEcho{Cookie: []byte{1, 2, 3}}},
		// Length 12; 8-byte cookie, aligned.
		{"aligned", "0a 00 000c | deadbeef 01020304", &CookieEcho{Cookie: hexBytes("deadbeef 01020304")}},
		// Flags 0x80 (ignored, kept); length 6; 2-byte cookie, 2 bytes padding.
		{"flags kept", "0a 80 0006 | 0102 0000", &CookieEcho{Flags: 0x80, Cookie: []byte{1, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[CookieEcho])
		})
	}
}

func TestCookieEchoBadInput(t *testing.T) {
	checkBadChunkInput[CookieEcho](t, TypeCookieEcho, []badChunkInput{
		{"zero length", "0a 00 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 3", "0a 00 0003", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0b 00 0004", ErrType, 0, 0},
		{"padding missing", "0a 00 0005 aa", io.ErrUnexpectedEOF, CauseProtocolViolation, 5},
		{"length past buffer", "0a 00 0010 01020304", io.ErrUnexpectedEOF, CauseProtocolViolation, 8},
	})
}

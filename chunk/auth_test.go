package chunk

import (
	"bytes"
	"io"
	"testing"
)

func TestAuthWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *Auth
	}{
		{
			name: "HMAC-SHA-1",
			// Type 15, flags 0, length 28; Shared Key Identifier 0, HMAC
			// Identifier 1 (SHA-1); 20-byte HMAC.
			golden: "0f 00 001c | 0000 0001 | 0102030405060708090a0b0c0d0e0f1011121314",
			want: &Auth{HMACID: 1,
				HMAC: hexBytes("0102030405060708090a0b0c0d0e0f1011121314")},
		},
		{
			name: "HMAC-SHA-256",
			// Length 40; Shared Key Identifier 1, HMAC Identifier 3
			// (SHA-256); 32-byte HMAC of 0xee.
			golden: "0f 00 0028 | 0001 0003 | " + hexRepeat("ee", 32),
			want:   &Auth{SharedKeyID: 1, HMACID: 3, HMAC: bytes.Repeat([]byte{0xee}, 32)},
		},
		{
			name: "empty HMAC, max identifiers, flags kept",
			// Flags 0x40 (ignored, kept); length 8; Shared Key
			// Identifier 65535, HMAC Identifier 65535; no HMAC.
			golden: "0f 40 0008 | ffff ffff",
			want:   &Auth{Flags: 0x40, SharedKeyID: 0xffff, HMACID: 0xffff, HMAC: []byte{}},
		},
		{
			name: "unaligned HMAC",
			// Length 13; Shared Key Identifier 2, HMAC Identifier 1; 5-byte
			// HMAC and 3 bytes of padding.
			golden: "0f 00 000d | 0002 0001 | 0102030405 000000",
			want:   &Auth{SharedKeyID: 2, HMACID: 1, HMAC: []byte{1, 2, 3, 4, 5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[Auth])
		})
	}
}

// hexRepeat returns the hex string h repeated n times.
func hexRepeat(h string, n int) string { return string(bytes.Repeat([]byte(h), n)) }

func TestAuthBadInput(t *testing.T) {
	checkBadChunkInput[Auth](t, TypeAuth, []badChunkInput{
		{"length 4", "0f 00 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 7", "0f 00 0007 0000 00 00", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "0e 00 0008 0000 0001", ErrType, 0, 0},
		{"padding missing", "0f 00 0009 0000 0001 aa", io.ErrUnexpectedEOF, CauseProtocolViolation, 9},
		{"length past buffer", "0f 00 001c 0000 0001 01020304", io.ErrUnexpectedEOF, CauseProtocolViolation, 12},
	})
}

package chunk

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHostNameAddressWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *HostNameAddress
	}{
		{
			name: "NUL-terminated, padded",
			// Type 11, Length 9; "host" NUL; 3 bytes of padding.
			golden: "000b 0009 | 686f7374 00 | 000000",
			want:   &HostNameAddress{HostName: []byte("host\x00")},
		},
		{
			name: "several NULs within the length",
			// Type 11, Length 12; "ab" and 6 NULs, all within the Length.
			golden: "000b 000c | 6162 000000000000",
			want:   &HostNameAddress{HostName: []byte("ab\x00\x00\x00\x00\x00\x00")},
		},
		{
			name: "no terminator, kept as received",
			// Type 11, Length 7; "abc"; 1 byte of padding.
			golden: "000b 0007 | 616263 | 00",
			want:   &HostNameAddress{HostName: []byte("abc")},
		},
		{
			name:   "empty",
			golden: "000b 0004",
			want:   &HostNameAddress{HostName: []byte{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[HostNameAddress])
		})
	}
}

func TestHostNameAddressBadInput(t *testing.T) {
	checkParamsBadInput[HostNameAddress](t, ParamHostNameAddress, []paramsBadCase{
		{"length below header", "000b 0000", ErrLength, CauseProtocolViolation, 2},
		{"wrong type", "000c 0008 | 686f7374", ErrType, 0, 0},
		{"length past buffer", "000b 0010 | 686f7374 00000000", io.ErrUnexpectedEOF, CauseProtocolViolation, 12},
		{"padding missing", "000b 0009 | 686f7374 00", io.ErrUnexpectedEOF, CauseProtocolViolation, 9},
	})
}

func TestHostNameAddressName(t *testing.T) {
	require.Equal(t, "host.example", (&HostNameAddress{HostName: []byte("host.example\x00\x00")}).Name())
	require.Equal(t, "abc", (&HostNameAddress{HostName: []byte("abc")}).Name())
	require.Equal(t, "", (&HostNameAddress{}).Name())
}

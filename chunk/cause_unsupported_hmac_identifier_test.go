package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUnsupportedHMACIdentifierCauseWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *UnsupportedHMACIdentifierCause
	}{
		// Code 0x0105, Length 6; HMAC Identifier; 2 bytes of padding.
		{"reserved 0", "0105 0006 | 0000 | 0000", &UnsupportedHMACIdentifierCause{}},
		{"SHA-256", "0105 0006 | 0003 | 0000", &UnsupportedHMACIdentifierCause{HMACID: 3}},
		{"max", "0105 0006 | ffff | 0000", &UnsupportedHMACIdentifierCause{HMACID: 0xffff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[UnsupportedHMACIdentifierCause])
		})
	}
}

// RFC 4895 Section 4.1: the padding "MUST be ignored by the receiver".
func TestUnsupportedHMACIdentifierCausePaddingIgnored(t *testing.T) {
	var c UnsupportedHMACIdentifierCause
	n, err := c.Parse(hexBytes("0105 0006 | 0002 | abcd"))
	require.NoError(t, err)
	require.Equal(t, 8, n)
	require.Equal(t, HMACIdentifier(2), c.HMACID)
	require.Equal(t, hexBytes("0105 0006 0002 0000"), c.Append(nil))
}

func TestUnsupportedHMACIdentifierCauseBadInput(t *testing.T) {
	checkCauseBadInput[UnsupportedHMACIdentifierCause](t, []causeBadInput{
		// RFC 4895 Section 4.1: Cause Length "MUST be set to 6".
		{"length 8", "0105 0008 0002 0000", ErrLength, CauseProtocolViolation, 2},
		{"length 4", "0105 0004", ErrLength, CauseProtocolViolation, 2},
		{"length 5", "0105 0005 02 000000", ErrLength, CauseProtocolViolation, 2},
		{"wrong code", "0106 0006 0002 0000", ErrType, 0, 0},
		{"padding missing", "0105 0006 0002", errTruncated(0).Err, CauseProtocolViolation, 6},
	})
}

package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// asconfBadInput is a malformed ASCONF parameter and the error Parse must
// give, with the parameter the error names.
type asconfBadInput struct {
	name   string
	in     string
	kind   error
	cause  CauseCode
	offset int
	param  ParamType
}

// checkASCONFBadInput parses every input of tests with the Parse method of
// PT and checks the kind, cause, offset and attribution of the error.
func checkASCONFBadInput[T any, PT interface {
	*T
	Parse([]byte) (int, error)
}](t *testing.T, tests []asconfBadInput) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, n, err := parseAs[T, PT](hexBytes(tt.in))
			require.Zero(t, n)
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.Equal(t, tt.offset, pe.Offset, "offset of %v", err)
			require.Equal(t, tt.param, pe.Param, "attribution of %v", err)
			require.False(t, pe.HasChunk)
		})
	}
}

func TestAddIPAddressWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *AddIPAddress
	}{
		// RFC 5061 Section 4.2.1 example: type 0xC001, Length 16; C-ID
		// 0x01023474; IPv4 Address 192.0.2.1.
		{"RFC 5061 example", "c001 0010 | 01023474 | 0005 0008 c0000201",
			&AddIPAddress{CorrelationID: 0x01023474, Address: &IPv4Address{Addr: [4]byte{192, 0, 2, 1}}}},
		// Length 28; C-ID max; IPv6 Address 2001:db8::1.
		{"IPv6", "c001 001c | ffffffff | 0006 0014 20010db8 00000000 00000000 00000001",
			&AddIPAddress{CorrelationID: 0xffffffff, Address: &IPv6Address{
				Addr: [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}}}},
		// The wildcard 0.0.0.0 (the source address of the packet).
		{"wildcard", "c001 0010 | 00000000 | 0005 0008 00000000",
			&AddIPAddress{Address: &IPv4Address{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[AddIPAddress])
		})
	}
}

func TestDeleteIPAddressWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *DeleteIPAddress
	}{
		// RFC 5061 Section 4.2.2 example: type 0xC002, Length 16; C-ID
		// 0x01023476; IPv4 Address 192.0.2.1.
		{"RFC 5061 example", "c002 0010 | 01023476 | 0005 0008 c0000201",
			&DeleteIPAddress{CorrelationID: 0x01023476, Address: &IPv4Address{Addr: [4]byte{192, 0, 2, 1}}}},
		// Length 28; IPv6 Address ::.
		{"IPv6 wildcard", "c002 001c | 00000001 | 0006 0014 00000000 00000000 00000000 00000000",
			&DeleteIPAddress{CorrelationID: 1, Address: &IPv6Address{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[DeleteIPAddress])
		})
	}
}

func TestSetPrimaryAddressWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *SetPrimaryAddress
	}{
		// RFC 5061 Section 4.2.4 example: type 0xC004, Length 16; C-ID
		// 0x01023479; IPv4 Address 192.0.2.1.
		{"RFC 5061 example", "c004 0010 | 01023479 | 0005 0008 c0000201",
			&SetPrimaryAddress{CorrelationID: 0x01023479, Address: &IPv4Address{Addr: [4]byte{192, 0, 2, 1}}}},
		// Length 28; IPv6 Address fe80::2.
		{"IPv6", "c004 001c | 00000002 | 0006 0014 fe800000 00000000 00000000 00000002",
			&SetPrimaryAddress{CorrelationID: 2, Address: &IPv6Address{Addr: [16]byte{0xfe, 0x80, 15: 2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[SetPrimaryAddress])
		})
	}
}

func TestAddIPAddressBadInput(t *testing.T) {
	checkASCONFBadInput[AddIPAddress](t, []asconfBadInput{
		{"length 8", "c001 0008 00000001", ErrLength, CauseProtocolViolation, 2, ParamAddIPAddress},
		{"length 12", "c001 000c 00000001 0005 0004", ErrLength, CauseProtocolViolation, 2, ParamAddIPAddress},
		{"wrong type", "c002 0010 00000001 0005 0008 c0000201", ErrType, 0, 0, ParamAddIPAddress},
		// RFC 5061 Section 4.2.1: the field "contains an IPv4 or IPv6
		// address parameter"; a Host Name Address is not one.
		{"host name address", "c001 0010 00000001 000b 0008 61626300", ErrType, CauseUnresolvableAddress, 8, ParamAddIPAddress},
		{"not an address", "c001 0010 00000001 0007 0008 61626300", ErrType, CauseUnresolvableAddress, 8, ParamAddIPAddress},
		// The Length leaves bytes after the address.
		{"bytes after address", "c001 0014 00000001 0005 0008 c0000201 00000000", ErrLength, CauseProtocolViolation, 2, ParamAddIPAddress},
		{"odd bytes after address", "c001 0011 00000001 0005 0008 c0000201 00 000000", ErrLength, CauseProtocolViolation, 2, ParamAddIPAddress},
		// The enclosed IPv6 parameter runs past the Length: a length
		// error at the IPv6 Length field.
		{"address overruns", "c001 0010 00000001 0006 0014 20010db8 00000000 00000000 00000001",
			ErrLength, CauseProtocolViolation, 10, ParamIPv6Address},
		{"IPv4 length 12", "c001 0014 00000001 0005 000c c0000201 00000000", ErrLength, CauseProtocolViolation, 10, ParamIPv4Address},
		{"IPv4 length 4", "c001 0010 00000001 0005 0004 c0000201", ErrLength, CauseProtocolViolation, 10, ParamIPv4Address},
		{"length past buffer", "c001 0010 00000001 0005 0008", errTruncated(0).Err, CauseProtocolViolation, 12, ParamAddIPAddress},
	})
}

func TestDeleteIPAddressBadInput(t *testing.T) {
	checkASCONFBadInput[DeleteIPAddress](t, []asconfBadInput{
		{"length 15", "c002 000f 00000001 0005 0008 c00002 00", ErrLength, CauseProtocolViolation, 2, ParamDeleteIPAddress},
		{"wrong type", "c001 0010 00000001 0005 0008 c0000201", ErrType, 0, 0, ParamDeleteIPAddress},
		{"unknown address type", "c002 0010 00000001 8005 0008 c0000201", ErrType, CauseUnresolvableAddress, 8, ParamDeleteIPAddress},
		{"length past buffer", "c002 001c 00000001 0006 0014 20010db8", errTruncated(0).Err, CauseProtocolViolation, 16, ParamDeleteIPAddress},
	})
}

func TestSetPrimaryAddressBadInput(t *testing.T) {
	checkASCONFBadInput[SetPrimaryAddress](t, []asconfBadInput{
		{"length 4", "c004 0004", ErrLength, CauseProtocolViolation, 2, ParamSetPrimaryAddress},
		{"wrong type", "c005 0010 00000001 0005 0008 c0000201", ErrType, 0, 0, ParamSetPrimaryAddress},
		{"IPv6 length 8", "c004 0010 00000001 0006 0008 20010db8", ErrLength, CauseProtocolViolation, 10, ParamIPv6Address},
		{"padding missing", "c004 0011 00000001 0005 0008 c0000201 00", errTruncated(0).Err, CauseProtocolViolation, 17, ParamSetPrimaryAddress},
	})
}

func TestASCONFRequestNilAddress(t *testing.T) {
	// Append does not panic without an address; Parse rejects the result.
	p := &AddIPAddress{CorrelationID: 9}
	b := p.Append(nil)
	require.Equal(t, hexBytes("c001 0008 00000009"), b)
	require.Equal(t, len(b), p.Len())
	_, err := new(AddIPAddress).Parse(b)
	requireParseError(t, err, ErrLength, CauseProtocolViolation)
}

func TestASCONFRequestReuse(t *testing.T) {
	v4 := hexBytes("c001 0010 | 01023474 | 0005 0008 c0000201")
	v6 := hexBytes("c001 001c | 00000002 | 0006 0014 fe800000 00000000 00000000 00000002")
	var p AddIPAddress
	_, err := p.Parse(v4)
	require.NoError(t, err)
	addr := p.Address
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := p.Parse(v4); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
	require.Same(t, addr, p.Address)

	// A different address type replaces the old value.
	_, err = p.Parse(v6)
	require.NoError(t, err)
	require.Equal(t, &IPv6Address{Addr: [16]byte{0xfe, 0x80, 15: 2}}, p.Address)
	require.Equal(t, uint32(2), p.CorrelationID)

	// A failed parse leaves the receiver's fields unchanged.
	_, err = p.Parse(hexBytes("c001 0010 00000007 000b 0008 61626300"))
	require.Error(t, err)
	require.Equal(t, uint32(2), p.CorrelationID)
}

func TestParseAddressParam(t *testing.T) {
	p, n, err := parseAddressParam(hexBytes("0005 0008 c0000201 ffff"))
	require.NoError(t, err)
	require.Equal(t, 8, n)
	require.Equal(t, &IPv4Address{Addr: [4]byte{192, 0, 2, 1}}, p)

	p, n, err = parseAddressParam(hexBytes("0006 0014 20010db8 00000000 00000000 00000001"))
	require.NoError(t, err)
	require.Equal(t, 20, n)
	require.Equal(t, &IPv6Address{Addr: [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}}, p)

	tests := []struct {
		name   string
		in     string
		kind   error
		cause  CauseCode
		offset int
	}{
		{"empty", "", errTruncated(0).Err, CauseProtocolViolation, 0},
		{"short header", "0005 00", errTruncated(0).Err, CauseProtocolViolation, 3},
		{"host name", "000b 0008 61626300", ErrType, CauseUnresolvableAddress, 0},
		{"IPv4 short", "0005 0008 c000", errTruncated(0).Err, CauseProtocolViolation, 6},
		{"IPv6 length 8", "0006 0008 00000000", ErrLength, CauseProtocolViolation, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, n, err := parseAddressParam(hexBytes(tt.in))
			require.Nil(t, p)
			require.Zero(t, n)
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.Equal(t, tt.offset, pe.Offset)
		})
	}
}

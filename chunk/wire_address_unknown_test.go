package chunk

import (
	"net/netip"
	"testing"
)

// TestAddressParamsWire: the IPv4 and IPv6 Address parameters of RFC 9260
// Section 3.3.2.1 ("Type = 5, Length = 8" and "Type = 6, Length = 20").
func TestAddressParamsWire(t *testing.T) {
	checkWire(t, hexBytes("0005 0008 | c0000201"),
		&IPv4Address{Addr: [4]byte{192, 0, 2, 1}}, parseAs[IPv4Address])
	checkWire(t, hexBytes("0006 0014 | 20010db8 00000000 00000000 00000001"),
		&IPv6Address{Addr: [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}}, parseAs[IPv6Address])
}

// TestUnknownWire: chunks and parameters of unknown types are kept as raw
// TLVs (RFC 9260 Sections 3.2 and 3.2.1), their values padded to 4 bytes
// on the wire and the padding not part of the value.
func TestUnknownWire(t *testing.T) {
	checkWire(t, hexBytes("bf 05 0007 | 616263 00"),
		&Unknown{ChunkType: 0xbf, Flags: 5, Value: []byte("abc")}, parseAs[Unknown])
	checkWire(t, hexBytes("7e 00 0004"),
		&Unknown{ChunkType: 0x7e, Value: []byte{}}, parseAs[Unknown])
	checkWire(t, hexBytes("c123 0006 | 6162 0000"),
		&UnknownParam{Type: 0xc123, Value: []byte("ab")}, parseAs[UnknownParam])
	checkWire(t, hexBytes("4123 0008 | 01020304"),
		&UnknownParam{Type: 0x4123, Value: []byte{1, 2, 3, 4}}, parseAs[UnknownParam])
}

// ParamAddress reads back what AddressParam builds, IPv4-mapped IPv6
// addresses as IPv4, and nothing from other parameters.
func TestParamAddress(t *testing.T) {
	for _, s := range []string{"192.0.2.1", "2001:db8::1", "::ffff:192.0.2.7"} {
		a := netip.MustParseAddr(s)
		got, ok := ParamAddress(AddressParam(a))
		if !ok || got != a.Unmap() {
			t.Errorf("ParamAddress(AddressParam(%v)) = %v, %v", a, got, ok)
		}
	}
	mapped := &IPv6Address{Addr: netip.MustParseAddr("::ffff:192.0.2.7").As16()}
	if got, _ := ParamAddress(mapped); got != netip.MustParseAddr("192.0.2.7") {
		t.Errorf("mapped: %v", got)
	}
	if _, ok := ParamAddress(&ECNCapable{}); ok {
		t.Error("ECN Capable has no address")
	}
}

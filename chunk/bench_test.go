package chunk

import "testing"

// init20 is an INIT with 20 parameters, like one from a multihomed host
// that supports the common extensions.
func init20() *Init {
	c := &Init{InitiateTag: 0x12345678, ARwnd: 1 << 20, OutboundStreams: 10,
		InboundStreams: 65535, InitialTSN: 1}
	for i := 0; i < 8; i++ {
		c.Params = append(c.Params, &IPv4Address{Addr: [4]byte{10, 0, 0, byte(i)}})
	}
	for i := 0; i < 4; i++ {
		c.Params = append(c.Params, &IPv6Address{Addr: [16]byte{0xfd, 15: byte(i)}})
	}
	c.Params = append(c.Params,
		&SupportedAddressTypes{Types: []ParamType{ParamIPv4Address, ParamIPv6Address}},
		&ECNCapable{},
		&ForwardTSNSupported{},
		&SupportedExtensions{Types: []Type{TypeForwardTSN, TypeReConfig, TypeIData, TypeIForwardTSN, TypeAuth}},
		&Random{Random: make([]byte, 32)},
		&ChunkList{Types: []Type{TypeASCONF, TypeASCONFAck}},
		&RequestedHMACAlgorithm{HMACs: []HMACIdentifier{HMACSHA256}},
		&AdaptationLayerIndication{Indication: 7},
	)
	return c
}

func BenchmarkInitParse(b *testing.B) {
	in := init20().Append(nil)
	if n := len(init20().Params); n != 20 {
		b.Fatalf("%d parameters", n)
	}
	var c Init
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInitAppend(b *testing.B) {
	c := init20()
	buf := make([]byte, 0, 1500)
	b.SetBytes(int64(c.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf = c.Append(buf[:0])
	}
}

func BenchmarkDataParse(b *testing.B) {
	in := (&Data{Flags: FlagBeginning | FlagEnd, TSN: 1, UserData: make([]byte, 1172)}).Append(nil)
	var d Data
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

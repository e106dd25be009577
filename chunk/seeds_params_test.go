package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// seedsParams returns one valid encoding of every parameter type of the
// param_*.go files written with it (all but the address and ASCONF
// parameters), to seed the fuzz targets.
func seedsParams() [][]byte {
	params := []Param{
		&IPv4Address{Addr: [4]byte{192, 0, 2, 1}},
		&IPv6Address{Addr: [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}},
		&HeartbeatInfo{Info: []byte{0x01, 0x02, 0x03, 0x04, 0x05}},
		&StateCookie{Cookie: []byte("cookie")},
		&UnrecognizedParameter{Param: hexBytes("4123 0006 6162")},
		&CookiePreservative{SuggestedLifespanIncrement: 1000},
		&HostNameAddress{HostName: []byte("host.example\x00")},
		&SupportedAddressTypes{Types: []ParamType{ParamIPv4Address, ParamIPv6Address, ParamHostNameAddress}},
		&OutgoingSSNResetRequest{ReqSeq: 10, RespSeq: 9, SenderLastTSN: 100, Streams: []StreamID{1, 2, 3}},
		&IncomingSSNResetRequest{ReqSeq: 11, Streams: []StreamID{4}},
		&SSNTSNResetRequest{ReqSeq: 12},
		&ReconfigResponse{RespSeq: 12, Result: ReconfigSuccessPerformed, HasTSNs: true,
			SenderNextTSN: 1000, ReceiverNextTSN: 2000},
		&AddOutgoingStreams{ReqSeq: 13, NumNewStreams: 5},
		&AddIncomingStreams{ReqSeq: 14, NumNewStreams: 6},
		&ECNCapable{},
		&ZeroChecksumAcceptable{EDMID: EDMIDDTLS},
		&Random{Random: []byte("0123456789abcdef0123456789abcdef")},
		&ChunkList{Types: []Type{TypeASCONF, TypeASCONFAck, TypeData}},
		&RequestedHMACAlgorithm{HMACs: []HMACIdentifier{HMACSHA256, HMACSHA1}},
		&Padding{Padding: make([]byte, 8)},
		&SupportedExtensions{Types: []Type{TypeReConfig, TypeForwardTSN, TypeASCONF, TypeASCONFAck, TypeAuth}},
		&ForwardTSNSupported{},
		&AdaptationLayerIndication{Indication: 0x01020304},
		// RFC 5061 Section 4.2: the ASCONF and ASCONF-ACK parameters.
		&AddIPAddress{CorrelationID: 1, Address: &IPv4Address{Addr: [4]byte{192, 0, 2, 2}}},
		&DeleteIPAddress{CorrelationID: 2, Address: &IPv6Address{Addr: [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 2}}},
		&SetPrimaryAddress{CorrelationID: 3, Address: &IPv4Address{Addr: [4]byte{192, 0, 2, 3}}},
		&ErrorCauseIndication{CorrelationID: 4, Causes: []Cause{&DeleteLastRemainingAddressCause{}}},
		&SuccessIndication{CorrelationID: 5},
	}
	seeds := make([][]byte, 0, len(params))
	for _, p := range params {
		seeds = append(seeds, p.Append(nil))
	}
	return seeds
}

// paramsParser is a parameter that can be parsed.
type paramsParser interface {
	Param
	parser
}

// TestSeedsParams checks that every seed is one well-formed parameter of a
// distinct type that parses, re-encodes to the same bytes and reports its
// type, which is the invariant the fuzz targets check.
func TestSeedsParams(t *testing.T) {
	seen := map[ParamType]bool{}
	for _, s := range seedsParams() {
		var u UnknownParam
		n, err := u.Parse(s)
		require.NoError(t, err)
		require.Equal(t, len(s), n)
		require.True(t, u.Type.Known(), "%v", u.Type)
		require.False(t, seen[u.Type], "duplicate seed for %v", u.Type)
		seen[u.Type] = true

		p := newParam(u.Type)
		require.NotNil(t, p, "%v", u.Type)
		n, err = p.Parse(s)
		require.NoError(t, err, "%v", u.Type)
		require.Equal(t, len(s), n, "%v", u.Type)
		require.Equal(t, u.Type, p.ParamType())
		require.Equal(t, len(s), p.Len(), "%v", u.Type)
		require.Equal(t, s, p.Append(nil), "%v", u.Type)
	}
	// One seed for every parameter type the package knows.
	for pt := 0; pt <= 0xffff; pt++ {
		if ParamType(pt).Known() {
			require.True(t, seen[ParamType(pt)], "no seed for %v", ParamType(pt))
		}
	}
	require.Len(t, seen, 28)
}

// paramsBadCase is a malformed parameter and the error it must give.
type paramsBadCase struct {
	name   string
	in     string
	kind   error
	cause  CauseCode
	offset int
}

// checkParamsBadInput parses each case with T's Parse method and checks
// the kind, cause, offset and attribution of the *ParseError.
func checkParamsBadInput[T any, PT interface {
	*T
	paramsParser
}](t *testing.T, want ParamType, tests []paramsBadCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PT(new(T))
			n, err := p.Parse(hexBytes(tt.in))
			require.Zero(t, n)
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.False(t, pe.HasChunk)
			require.Equal(t, want, pe.Param)
			require.Zero(t, pe.ErrorCause)
			require.Equal(t, tt.offset, pe.Offset)
		})
	}
}

// checkParamsReuseNoAllocs checks that parsing golden again into a value
// that already holds it does not allocate.
func checkParamsReuseNoAllocs[T any, PT interface {
	*T
	paramsParser
}](t *testing.T, golden []byte) {
	t.Helper()
	p := PT(new(T))
	_, err := p.Parse(golden)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := p.Parse(golden); err != nil {
			panic(err)
		}
	})
	require.Zero(t, allocs)
}

// TestParamsMutatedSeeds parses every one-byte mutation of every seed with
// its typed parser: none may panic, and whatever parses must re-encode to
// bytes that parse to the same value, with Len agreeing.
func TestParamsMutatedSeeds(t *testing.T) {
	for _, s := range seedsParams() {
		typ := ParamType(s[0])<<8 | ParamType(s[1])
		for i := range s {
			for _, x := range []byte{0x00, 0x01, 0x7f, 0xff, s[i] ^ 0x01, s[i] + 1} {
				m := append([]byte(nil), s...)
				m[i] = x
				p := newParam(typ)
				n, err := p.Parse(m)
				if err != nil {
					var pe *ParseError
					require.ErrorAs(t, err, &pe, "%v byte %d = %#x", typ, i, x)
					continue
				}
				require.LessOrEqual(t, n, len(m))
				require.Zero(t, n%4)
				enc := p.Append(nil)
				require.Equal(t, len(enc), p.Len())
				q := newParam(typ)
				n2, err := q.Parse(enc)
				require.NoError(t, err, "%v byte %d = %#x", typ, i, x)
				require.Equal(t, len(enc), n2)
				require.Equal(t, p, q, "%v byte %d = %#x", typ, i, x)
			}
		}
	}
}

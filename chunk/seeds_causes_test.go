package chunk

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// seedsCauses returns one valid encoding of every error cause (RFC 9260
// Section 3.3.10, RFC 5061 Section 4.3, RFC 4895 Section 4.1) and of every
// ASCONF parameter (RFC 5061 Section 4.2.1 to 4.2.5), to seed fuzz targets.
func seedsCauses() [][]byte {
	addASCONF := hexBytes("c001 0010 01023474 0005 0008 c0000201")
	values := []wire{
		&InvalidStreamIdentifierCause{StreamID: 7},
		&MissingMandatoryParameterCause{Missing: []ParamType{ParamStateCookie, ParamIPv4Address, ParamRandom}},
		&StaleCookieCause{Staleness: 1500000},
		&OutOfResourceCause{},
		&UnresolvableAddressCause{Address: hexBytes("000b 0007 657800")},
		&UnrecognizedChunkTypeCause{Chunk: hexBytes("4f 00 0005 aa")},
		&InvalidMandatoryParameterCause{},
		&UnrecognizedParametersCause{Params: hexBytes("8123 0005 aa 000000 c0ff 0005 bb")},
		&NoUserDataCause{TSN: 0x01020304},
		&CookieWhileShuttingDownCause{},
		&RestartWithNewAddressesCause{Addresses: hexBytes("0005 0008 c0000207")},
		&UserInitiatedAbortCause{Reason: []byte("close")},
		&ProtocolViolationCause{Info: []byte("bad gap")},
		&RestartWithNewEncapsulationPortCause{Current: 9899, New: 40000},
		&DeleteLastRemainingAddressCause{Param: hexBytes("c002 0010 01023476 0005 0008 c0000201")},
		&ResourceShortageCause{Param: addASCONF},
		&DeleteSourceAddressCause{Param: hexBytes("c002 0010 01023476 0005 0008 c0000201")},
		&IllegalASCONFAckCause{},
		&NoAuthorizationCause{Param: hexBytes("c004 0010 01023479 0005 0008 c0000201")},
		&UnsupportedHMACIdentifierCause{HMACID: 3},
		&AddIPAddress{CorrelationID: 0x01023474, Address: &IPv4Address{Addr: [4]byte{192, 0, 2, 1}}},
		&DeleteIPAddress{CorrelationID: 0x01023476, Address: &IPv6Address{Addr: [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}}},
		&SetPrimaryAddress{CorrelationID: 0x01023479, Address: &IPv4Address{Addr: [4]byte{192, 0, 2, 1}}},
		&ErrorCauseIndication{CorrelationID: 0x01023474, Causes: []Cause{
			&ResourceShortageCause{Param: addASCONF},
			&UnsupportedHMACIdentifierCause{HMACID: 2},
		}},
		&SuccessIndication{CorrelationID: 0x01023474},
	}
	seeds := make([][]byte, len(values))
	for i, v := range values {
		seeds[i] = v.Append(nil)
	}
	return seeds
}

// TestSeedsCauses checks that every seed parses as the type it encodes and
// re-encodes to the same bytes, and that every typed cause has a seed.
func TestSeedsCauses(t *testing.T) {
	params := map[ParamType]func([]byte) (wire, int, error){
		ParamAddIPAddress:         func(b []byte) (wire, int, error) { return parseAs[AddIPAddress](b) },
		ParamDeleteIPAddress:      func(b []byte) (wire, int, error) { return parseAs[DeleteIPAddress](b) },
		ParamSetPrimaryAddress:    func(b []byte) (wire, int, error) { return parseAs[SetPrimaryAddress](b) },
		ParamErrorCauseIndication: func(b []byte) (wire, int, error) { return parseAs[ErrorCauseIndication](b) },
		ParamSuccessIndication:    func(b []byte) (wire, int, error) { return parseAs[SuccessIndication](b) },
	}
	causes := map[CauseCode]bool{}
	seenParams := map[ParamType]bool{}
	for _, seed := range seedsCauses() {
		typ := binary.BigEndian.Uint16(seed)
		var v wire
		var n int
		var err error
		if parse, ok := params[ParamType(typ)]; ok {
			v, n, err = parse(seed)
			seenParams[ParamType(typ)] = true
		} else {
			var c Cause
			c, n, err = ParseCause(seed)
			require.NoError(t, err, "seed %x", seed)
			_, unknown := c.(*UnknownCause)
			require.False(t, unknown, "seed %x parses as UnknownCause", seed)
			causes[c.CauseCode()] = true
			v = c
		}
		require.NoError(t, err, "seed %x", seed)
		require.Equal(t, len(seed), n, "seed %x", seed)
		require.Equal(t, seed, v.Append(nil), "seed %x", seed)
	}
	for code := range causeNames {
		require.True(t, causes[code], "no seed for %v", code)
	}
	require.Len(t, seenParams, len(params))
}

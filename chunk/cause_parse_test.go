package chunk

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// causeBadInput is a malformed error cause and the error Parse must give.
type causeBadInput struct {
	name   string
	in     string
	kind   error
	cause  CauseCode
	offset int
}

// checkCauseBadInput parses every input of tests with the Parse method of
// PT and checks the kind, cause, offset and attribution of the error.
func checkCauseBadInput[T any, PT interface {
	*T
	Cause
	Parse([]byte) (int, error)
}](t *testing.T, tests []causeBadInput) {
	t.Helper()
	code := PT(new(T)).CauseCode()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, n, err := parseAs[T, PT](hexBytes(tt.in))
			require.Zero(t, n)
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.Equal(t, tt.offset, pe.Offset, "offset of %v", err)
			require.Equal(t, code, pe.ErrorCause, "attribution of %v", err)
			require.False(t, pe.HasChunk)
			require.Zero(t, pe.Param)
		})
	}
}

// allCauses is one golden encoding of every typed cause and of an unknown
// one, with the value it decodes to.
var allCauses = []struct {
	golden string
	want   Cause
}{
	{"0001 0008 | 0007 0000", &InvalidStreamIdentifierCause{StreamID: 7}},
	{"0002 000a | 00000001 | 0007 0000", &MissingMandatoryParameterCause{Missing: []ParamType{ParamStateCookie}}},
	{"0003 0008 | 000f4240", &StaleCookieCause{Staleness: 1000000}},
	{"0004 0004", &OutOfResourceCause{}},
	{"0005 000c | 0005 0008 c0000201", &UnresolvableAddressCause{Address: hexBytes("0005 0008 c0000201")}},
	{"0006 0009 | 4f000005 aa | 000000", &UnrecognizedChunkTypeCause{Chunk: hexBytes("4f000005 aa")}},
	{"0007 0004", &InvalidMandatoryParameterCause{}},
	{"0008 000c | 8123 0008 01020304", &UnrecognizedParametersCause{Params: hexBytes("8123 0008 01020304")}},
	{"0009 0008 | fffffffe", &NoUserDataCause{TSN: 0xfffffffe}},
	{"000a 0004", &CookieWhileShuttingDownCause{}},
	{"000b 000c | 0005 0008 c0000202", &RestartWithNewAddressesCause{Addresses: hexBytes("0005 0008 c0000202")}},
	{"000c 0007 | 627965 | 00", &UserInitiatedAbortCause{Reason: []byte("bye")}},
	{"000d 0008 | 54534e21", &ProtocolViolationCause{Info: []byte("TSN!")}},
	{"000e 0008 | 26ab | 9c40", &RestartWithNewEncapsulationPortCause{Current: 9899, New: 40000}},
	{"00a0 0014 | c002 0010 01023476 0005 0008 c0000201",
		&DeleteLastRemainingAddressCause{Param: hexBytes("c002 0010 01023476 0005 0008 c0000201")}},
	{"00a1 0014 | c001 0010 01023474 0005 0008 c0000201",
		&ResourceShortageCause{Param: hexBytes("c001 0010 01023474 0005 0008 c0000201")}},
	{"00a2 0014 | c002 0010 01023476 0005 0008 c0000201",
		&DeleteSourceAddressCause{Param: hexBytes("c002 0010 01023476 0005 0008 c0000201")}},
	{"00a3 0004", &IllegalASCONFAckCause{}},
	{"00a4 0014 | c004 0010 01023479 0005 0008 c0000201",
		&NoAuthorizationCause{Param: hexBytes("c004 0010 01023479 0005 0008 c0000201")}},
	{"0105 0006 | 0002 | 0000", &UnsupportedHMACIdentifierCause{HMACID: 2}},
	{"4321 0005 | 99 | 000000", &UnknownCause{Code: 0x4321, Info: []byte{0x99}}},
}

func TestParseCauseDispatch(t *testing.T) {
	seen := map[CauseCode]bool{}
	for _, tt := range allCauses {
		t.Run(tt.want.CauseCode().String(), func(t *testing.T) {
			golden := hexBytes(tt.golden)
			c, n, err := ParseCause(golden)
			require.NoError(t, err)
			require.Equal(t, len(golden), n)
			require.Equal(t, reflect.TypeOf(tt.want), reflect.TypeOf(c), "dispatched type")
			require.Equal(t, tt.want, c)
			require.Equal(t, golden, c.Append(nil))
			require.Equal(t, len(golden), c.Len())
		})
		seen[tt.want.CauseCode()] = true
	}
	// Every code with a name has a typed cause, and the table covers it.
	for code := range causeNames {
		require.True(t, seen[code], "no test for %v", code)
		require.NotNil(t, newCause(code), "no typed cause for %v", code)
		_, unknown := newCauseReuse(code, nil).(*UnknownCause)
		require.False(t, unknown)
	}
}

func TestParseCauseUnknown(t *testing.T) {
	// Code 0 and an unassigned code with the high bits set are kept raw.
	for _, in := range []string{"0000 0004", "ffff 0008 01020304"} {
		c, n, err := ParseCause(hexBytes(in))
		require.NoError(t, err)
		require.Equal(t, len(hexBytes(in)), n)
		require.IsType(t, &UnknownCause{}, c)
	}
}

func TestParseCauseBadInput(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		kind   error
		cause  CauseCode
		offset int
		code   CauseCode
	}{
		{"empty", "", errTruncated(0).Err, CauseProtocolViolation, 0, 0},
		{"short header", "0003 00", errTruncated(0).Err, CauseProtocolViolation, 3, 0},
		// A typed cause with a wrong layout is an error, not UnknownCause.
		{"stale cookie too long", "0003 000c 00000001 00000002", ErrLength, CauseProtocolViolation, 2, CauseStaleCookie},
		{"unknown code length past buffer", "4321 0010 00000000", errTruncated(0).Err, CauseProtocolViolation, 8, 0x4321},
		{"unknown code length below header", "4321 0002 00000000", ErrLength, CauseProtocolViolation, 2, 0x4321},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, n, err := ParseCause(hexBytes(tt.in))
			require.Nil(t, c)
			require.Zero(t, n)
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.Equal(t, tt.offset, pe.Offset)
			require.Equal(t, tt.code, pe.ErrorCause)
		})
	}
}

func TestParseCauses(t *testing.T) {
	// Out of Resource; User-Initiated Abort "bye" (padded); Unsupported
	// HMAC Identifier 1 (Length 6, padded); unknown 0x4321, empty.
	region := hexBytes("0004 0004 | 000c 0007 627965 00 | 0105 0006 0001 0000 | 4321 0004")
	want := []Cause{
		&OutOfResourceCause{},
		&UserInitiatedAbortCause{Reason: []byte("bye")},
		&UnsupportedHMACIdentifierCause{HMACID: 1},
		&UnknownCause{Code: 0x4321, Info: []byte{}},
	}
	got, err := parseCauses(region, nil)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Equal(t, len(region), causesLen(got))
	require.Equal(t, region, appendCauses(nil, got))

	// Appends to dst.
	first := Cause(&NoUserDataCause{TSN: 1})
	got, err = parseCauses(region, []Cause{first})
	require.NoError(t, err)
	require.Equal(t, append([]Cause{first}, want...), got)

	// Empty region.
	got, err = parseCauses(nil, nil)
	require.NoError(t, err)
	require.Nil(t, got)
	got, err = parseCauses([]byte{}, nil)
	require.NoError(t, err)
	require.Nil(t, got)
}

func TestParseCausesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		kind   error
		offset int
		code   CauseCode
	}{
		// The second cause's Length runs past the region: the region is
		// complete, so this is a length error at that Length field.
		{"overrun", "0004 0004 | 000c 0010 627965 00", ErrLength, 6, CauseUserInitiatedAbort},
		{"overrun by padding", "0004 0004 | 000c 0005 62", ErrLength, 6, CauseUserInitiatedAbort},
		{"bad second cause", "0004 0004 | 0009 000c 00000001 00000000", ErrLength, 6, CauseNoUserData},
		{"length below header", "0004 0004 | 0009 0000", ErrLength, 6, CauseNoUserData},
		{"stray bytes", "0004 0004 | 0000", ErrPadding, 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []Cause{&OutOfResourceCause{}}
			got, err := parseCauses(hexBytes(tt.in), dst)
			require.Equal(t, dst, got, "dst returned unchanged")
			pe := requireParseError(t, err, tt.kind, CauseProtocolViolation)
			require.Equal(t, tt.offset, pe.Offset)
			require.Equal(t, tt.code, pe.ErrorCause)
		})
	}
}

func TestParseCausesReuse(t *testing.T) {
	region := hexBytes("0003 0008 00000064 | 000d 0006 6869 0000 | 4321 0005 99 000000")
	causes, err := parseCauses(region, nil)
	require.NoError(t, err)
	stale := causes[0]

	allocs := testing.AllocsPerRun(100, func() {
		causes, err = parseCauses(region, causes[:0])
		if err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs, "reparse into the same slice")
	require.Same(t, stale, causes[0], "cause reused")
	require.Equal(t, []Cause{
		&StaleCookieCause{Staleness: 100},
		&ProtocolViolationCause{Info: []byte("hi")},
		&UnknownCause{Code: 0x4321, Info: []byte{0x99}},
	}, causes)

	// A cause of another type in the spare capacity is replaced, not
	// reused; an UnknownCause is not reused for a typed code.
	spare := []Cause{&UnknownCause{Code: 3}, &StaleCookieCause{}, &NoUserDataCause{}}
	causes, err = parseCauses(region, spare[:0])
	require.NoError(t, err)
	require.IsType(t, &StaleCookieCause{}, causes[0])
	require.IsType(t, &ProtocolViolationCause{}, causes[1])
	require.IsType(t, &UnknownCause{}, causes[2])
}

func TestCausesNil(t *testing.T) {
	cs := []Cause{nil, &OutOfResourceCause{}, nil}
	require.Equal(t, 4, causesLen(cs))
	require.Equal(t, hexBytes("0004 0004"), appendCauses(nil, cs))
	require.Zero(t, causesLen(nil))
	require.Nil(t, appendCauses(nil, nil))
}

package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrorCauseIndicationWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *ErrorCauseIndication
	}{
		// RFC 5061 Section 4.3.1 example: type 0xC003, Length 28; C-ID
		// 0x01023476; cause 0x00A0, Length 20, holding the Delete IP
		// Address parameter (C-ID 0x01023476, 192.0.2.1).
		{"RFC 5061 Section 4.3.1 example",
			"c003 001c | 01023476 | 00a0 0014 | c002 0010 01023476 0005 0008 c0000201",
			&ErrorCauseIndication{CorrelationID: 0x01023476, Causes: []Cause{
				&DeleteLastRemainingAddressCause{Param: hexBytes("c002 0010 01023476 0005 0008 c0000201")}}}},
		// RFC 5061 Section 4.3.2 example: cause 0x00A1 holding the Add IP
		// Address parameter (C-ID 0x01023474, 192.0.2.1).
		{"RFC 5061 Section 4.3.2 example",
			"c003 001c | 01023474 | 00a1 0014 | c001 0010 01023474 0005 0008 c0000201",
			&ErrorCauseIndication{CorrelationID: 0x01023474, Causes: []Cause{
				&ResourceShortageCause{Param: hexBytes("c001 0010 01023474 0005 0008 c0000201")}}}},
		// Length 36; C-ID 7; Unrecognized Parameters (RFC 5061 Section
		// 5.2, rule V2) holding parameter 0xC0FF with 1 byte, 3 bytes of
		// cause padding; Unsupported HMAC Identifier 1 (Length 6, 2 bytes
		// of padding); Out of Resource. Every padding is covered.
		{"three causes, inner padding",
			"c003 0020 | 00000007 | 0008 0009 c0ff0005 bb 000000 | 0105 0006 0001 0000 | 0004 0004",
			&ErrorCauseIndication{CorrelationID: 7, Causes: []Cause{
				&UnrecognizedParametersCause{Params: hexBytes("c0ff0005 bb")},
				&UnsupportedHMACIdentifierCause{HMACID: 1},
				&OutOfResourceCause{}}}},
		// Length 8: no cause (RFC 5061 asks for one or more; accepted).
		{"no cause", "c003 0008 | ffffffff", &ErrorCauseIndication{CorrelationID: 0xffffffff}},
		// An unknown cause code is kept raw.
		{"unknown cause", "c003 000c | 00000001 | 7777 0004",
			&ErrorCauseIndication{CorrelationID: 1, Causes: []Cause{&UnknownCause{Code: 0x7777, Info: []byte{}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[ErrorCauseIndication])
		})
	}
}

// A Length that leaves out the padding of the last cause, as RFC 9260
// Section 3.2 allows for the last parameter of a chunk, is accepted; the
// padding is still required. Append writes the canonical Length.
func TestErrorCauseIndicationLastCausePadding(t *testing.T) {
	in := hexBytes("c003 000e | 00000005 | 0105 0006 0003 | 0000")
	var p ErrorCauseIndication
	n, err := p.Parse(in)
	require.NoError(t, err)
	require.Equal(t, 16, n)
	require.Equal(t, ErrorCauseIndication{CorrelationID: 5, Causes: []Cause{
		&UnsupportedHMACIdentifierCause{HMACID: 3}}}, p)
	require.Equal(t, hexBytes("c003 0010 | 00000005 | 0105 0006 0003 0000"), p.Append(nil))

	in = hexBytes("c003 000d | 00000005 | 000c 0005 61 | 000000")
	n, err = p.Parse(in)
	require.NoError(t, err)
	require.Equal(t, 16, n)
	require.Equal(t, []Cause{&UserInitiatedAbortCause{Reason: []byte("a")}}, p.Causes)
}

func TestErrorCauseIndicationBadInput(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		kind   error
		offset int
		param  ParamType
		cause  CauseCode
	}{
		{"length 4", "c003 0004", ErrLength, 2, ParamErrorCauseIndication, 0},
		{"length 6", "c003 0006 0000 0000", ErrLength, 2, ParamErrorCauseIndication, 0},
		{"wrong type", "c005 0008 00000001", ErrType, 0, ParamErrorCauseIndication, 0},
		{"length past buffer", "c003 0010 00000001 0004", errTruncated(0).Err, 10, ParamErrorCauseIndication, 0},
		// The cause runs past the parameter Length: a length error at the
		// cause's Length field.
		{"cause overruns", "c003 000c 00000001 0009 0008 00000001", ErrLength, 10, 0, CauseNoUserData},
		// A malformed cause is reported with offsets from the parameter.
		{"bad cause", "c003 0014 00000001 0004 0004 0009 0004 00000000", ErrLength, 14, 0, CauseNoUserData},
		{"cause length below header", "c003 000c 00000001 0009 0000", ErrLength, 10, 0, CauseNoUserData},
		// Two bytes after the Correlation ID: with the padding they read
		// as a cause header of Length 0.
		{"stray bytes", "c003 000a 00000001 0000 0000", ErrLength, 10, ParamErrorCauseIndication, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p ErrorCauseIndication
			n, err := p.Parse(hexBytes(tt.in))
			require.Zero(t, n)
			want := CauseProtocolViolation
			if tt.kind == ErrType {
				want = 0
			}
			pe := requireParseError(t, err, tt.kind, want)
			require.Equal(t, tt.offset, pe.Offset, "offset of %v", err)
			require.Equal(t, tt.param, pe.Param, "parameter of %v", err)
			require.Equal(t, tt.cause, pe.ErrorCause, "error cause of %v", err)
		})
	}
}

func TestErrorCauseIndicationReuse(t *testing.T) {
	golden := hexBytes("c003 0018 | 00000007 | 0009 0008 00000001 | 000d 0006 6869 0000")
	var p ErrorCauseIndication
	_, err := p.Parse(golden)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := p.Parse(golden); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
	require.Equal(t, []Cause{&NoUserDataCause{TSN: 1}, &ProtocolViolationCause{Info: []byte("hi")}}, p.Causes)
}

func TestSuccessIndicationWire(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		want   *SuccessIndication
	}{
		// Type 0xC005, Length 8; ASCONF-Response Correlation ID.
		{"C-ID 0x01023474", "c005 0008 | 01023474", &SuccessIndication{CorrelationID: 0x01023474}},
		{"C-ID 0", "c005 0008 | 00000000", &SuccessIndication{}},
		{"C-ID max", "c005 0008 | ffffffff", &SuccessIndication{CorrelationID: 0xffffffff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, hexBytes(tt.golden), tt.want, parseAs[SuccessIndication])
		})
	}
}

func TestSuccessIndicationBadInput(t *testing.T) {
	checkASCONFBadInput[SuccessIndication](t, []asconfBadInput{
		// RFC 5061 Section 4.2.5: Length = 8.
		{"length 4", "c005 0004", ErrLength, CauseProtocolViolation, 2, ParamSuccessIndication},
		{"length 12", "c005 000c 00000001 00000000", ErrLength, CauseProtocolViolation, 2, ParamSuccessIndication},
		{"length 7", "c005 0007 000000 00", ErrLength, CauseProtocolViolation, 2, ParamSuccessIndication},
		{"wrong type", "c003 0008 00000001", ErrType, 0, 0, ParamSuccessIndication},
		{"length past buffer", "c005 0008 0000", errTruncated(0).Err, CauseProtocolViolation, 6, ParamSuccessIndication},
	})
}

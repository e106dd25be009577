package chunk

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// seedsContainers returns one valid encoding of every chunk type not in
// seedsChunks: DATA and the chunks that carry parameters or causes.
func seedsContainers() [][]byte {
	cs := []Chunk{
		&Data{Flags: FlagBeginning | FlagEnd, TSN: 1, StreamID: 2, SSN: 3, PPID: 4, UserData: []byte("hello")},
		&Init{InitiateTag: 1, ARwnd: 65536, OutboundStreams: 10, InboundStreams: 10, InitialTSN: 5,
			Params: []Param{&IPv4Address{Addr: [4]byte{127, 0, 0, 1}},
				&SupportedAddressTypes{Types: []ParamType{ParamIPv4Address}}}},
		&InitAck{InitiateTag: 2, ARwnd: 65536, OutboundStreams: 10, InboundStreams: 10, InitialTSN: 6,
			Params: []Param{&StateCookie{Cookie: []byte("cookie!")}, &ForwardTSNSupported{}}},
		&Heartbeat{Info: []byte("info")},
		&HeartbeatAck{Info: []byte("ack")},
		&Abort{Flags: FlagT, Causes: []Cause{&UserInitiatedAbortCause{Reason: []byte("bye")}}},
		&OperationError{Causes: []Cause{&StaleCookieCause{Staleness: 1000}}},
		&ASCONF{Serial: 1, Address: &IPv4Address{Addr: [4]byte{10, 0, 0, 1}},
			Params: []Param{&DeleteIPAddress{CorrelationID: 1, Address: &IPv4Address{Addr: [4]byte{10, 0, 0, 2}}}}},
		&ASCONFAck{Serial: 1, Params: []Param{&SuccessIndication{CorrelationID: 1}}},
		&ReConfig{Params: []Param{&SSNTSNResetRequest{ReqSeq: 3}}},
		&Unknown{ChunkType: 0xbf, Flags: 3, Value: []byte{1, 2, 3}},
	}
	var seeds [][]byte
	for _, c := range cs {
		seeds = append(seeds, c.Append(nil))
	}
	return seeds
}

func allChunkSeeds() [][]byte { return append(seedsChunks(), seedsContainers()...) }

// Every known chunk type has a seed, and Parse dispatches it to its type.
func TestParseDispatch(t *testing.T) {
	seen := map[Type]bool{}
	for _, s := range allChunkSeeds() {
		c, n, err := Parse(s)
		require.NoError(t, err, "%x", s)
		require.Equal(t, len(s), n)
		require.Equal(t, Type(s[0]), c.Type())
		require.Equal(t, s, c.Append(nil))
		if Type(s[0]).Known() {
			_, unknown := c.(*Unknown)
			require.False(t, unknown, "%v parsed as Unknown", c.Type())
		}
		seen[c.Type()] = true
	}
	for t0 := 0; t0 < 256; t0++ {
		if Type(t0).Known() {
			require.True(t, seen[Type(t0)], "no seed for %v", Type(t0))
		}
	}
	_, _, err := Parse(nil)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestParseParamDispatch(t *testing.T) {
	seen := map[ParamType]bool{}
	seeds := seedsParams()
	for _, s := range seedsCauses() {
		if s[0] >= 0xc0 { // the ASCONF parameters among the cause seeds
			seeds = append(seeds, s)
		}
	}
	for _, s := range seeds {
		typ := ParamType(uint16(s[0])<<8 | uint16(s[1]))
		p, n, err := ParseParam(s)
		require.NoError(t, err)
		require.Equal(t, len(s), n)
		require.Equal(t, typ, p.ParamType())
		_, unknown := p.(*UnknownParam)
		require.False(t, unknown, "%v", typ)
		seen[typ] = true
	}
	for _, p := range []Param{&IPv4Address{}, &IPv6Address{}} {
		q, _, err := ParseParam(p.Append(nil))
		require.NoError(t, err)
		require.Equal(t, p, q)
		seen[p.ParamType()] = true
	}
	for typ := range paramNames {
		require.True(t, seen[typ], "no seed for %v", typ)
	}
	p, _, err := ParseParam([]byte{0x41, 0x23, 0, 5, 9, 0, 0, 0})
	require.NoError(t, err)
	require.Equal(t, &UnknownParam{Type: 0x4123, Value: []byte{9}}, p)
	require.Equal(t, ActionStopReport, p.(*UnknownParam).Action())
	_, _, err = ParseParam([]byte{1})
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

// checkStable is the invariant of the fuzz targets: a value that parses
// encodes to Len bytes, and that encoding parses to an equal value and
// re-encodes to the same bytes.
func checkStable[V interface {
	Len() int
	Append([]byte) []byte
}](t *testing.T, in []byte, parse func([]byte) (V, int, error)) {
	v, n, err := parse(in)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error is not a *ParseError: %T %v", err, err)
		}
		if pe.Offset < 0 || pe.Offset > len(in) {
			t.Fatalf("error offset %d outside the input of %d bytes", pe.Offset, len(in))
		}
		return
	}
	if n <= 0 || n > len(in) || n%4 != 0 {
		t.Fatalf("consumed %d of %d bytes", n, len(in))
	}
	enc := v.Append(nil)
	if len(enc) != v.Len() {
		t.Fatalf("Len %d, Append wrote %d", v.Len(), len(enc))
	}
	v2, n2, err := parse(enc)
	if err != nil {
		t.Fatalf("re-parse of %x: %v", enc, err)
	}
	if n2 != len(enc) {
		t.Fatalf("re-parse consumed %d of %d", n2, len(enc))
	}
	if !reflect.DeepEqual(v, v2) {
		t.Fatalf("unstable:\n%#v\n%#v", v, v2)
	}
	if enc2 := v2.Append(nil); !bytes.Equal(enc, enc2) {
		t.Fatalf("re-encoding differs:\n%x\n%x", enc, enc2)
	}
}

func FuzzChunk(f *testing.F) {
	for _, s := range allChunkSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkStable(t, in, Parse)
	})
}

func FuzzParam(f *testing.F) {
	for _, s := range seedsParams() {
		f.Add(s)
	}
	for _, s := range seedsCauses() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkStable(t, in, ParseParam)
	})
}

func FuzzCause(f *testing.F) {
	for _, s := range seedsCauses() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkStable(t, in, ParseCause)
	})
}

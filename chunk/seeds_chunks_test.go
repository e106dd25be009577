package chunk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The chunk types of this file set implement Chunk.
var _ = []Chunk{
	(*SACK)(nil), (*Shutdown)(nil), (*ShutdownAck)(nil), (*CookieEcho)(nil),
	(*CookieAck)(nil), (*ECNE)(nil), (*CWR)(nil), (*ShutdownComplete)(nil),
	(*Auth)(nil), (*Pad)(nil), (*ForwardTSN)(nil), (*IData)(nil),
	(*IForwardTSN)(nil),
}

// seedsChunks returns one valid encoding of each of SACK, SHUTDOWN,
// SHUTDOWN ACK, COOKIE ECHO, COOKIE ACK, ECNE, CWR, SHUTDOWN COMPLETE, AUTH,
// PAD, FORWARD TSN, I-DATA and I-FORWARD-TSN, for seeding fuzz targets.
func seedsChunks() [][]byte {
	chunks := []Chunk{
		&SACK{CumTSNAck: 12, ARwnd: 4660, GapBlocks: []GapBlock{{2, 3}, {5, 5}}, DupTSNs: []TSN{19}},
		&Shutdown{CumTSNAck: 0x01020304},
		&ShutdownAck{},
		&CookieEcho{Cookie: []byte("a state cookie")},
		&CookieAck{},
		&ECNE{LowestTSN: 77},
		&CWR{LowestTSN: 77},
		&ShutdownComplete{Flags: FlagT},
		&Auth{SharedKeyID: 0, HMACID: 1, HMAC: make([]byte, 20)},
		&Pad{Padding: make([]byte, 9)},
		&ForwardTSN{NewCumTSN: 100, Streams: []ForwardTSNStream{{StreamID: 1, SSN: 5}}},
		&IData{Flags: FlagBeginning, TSN: 1, StreamID: 3, MID: 0, PPID: 51, UserData: []byte("hello")},
		&IForwardTSN{NewCumTSN: 100, Streams: []IForwardTSNStream{{StreamID: 1, Flags: IForwardTSNUnordered, MID: 7}}},
	}
	seeds := make([][]byte, len(chunks))
	for i, c := range chunks {
		seeds[i] = c.Append(nil)
	}
	return seeds
}

func TestSeedsChunks(t *testing.T) {
	seeds := seedsChunks()
	parsers := []func([]byte) (int, error){
		new(SACK).Parse, new(Shutdown).Parse, new(ShutdownAck).Parse,
		new(CookieEcho).Parse, new(CookieAck).Parse, new(ECNE).Parse,
		new(CWR).Parse, new(ShutdownComplete).Parse, new(Auth).Parse,
		new(Pad).Parse, new(ForwardTSN).Parse, new(IData).Parse,
		new(IForwardTSN).Parse,
	}
	require.Len(t, seeds, len(parsers))
	for i, s := range seeds {
		n, err := parsers[i](s)
		require.NoError(t, err, "seed %d", i)
		require.Equal(t, len(s), n, "seed %d", i)
	}
}

// badChunkInput is a malformed chunk and the *ParseError it must produce.
type badChunkInput struct {
	name   string
	in     string // hex, as for hexBytes
	kind   error
	cause  CauseCode
	offset int
}

// checkBadChunkInput parses each input as a T and checks the error kind,
// cause, offset and that the error names chunk type typ.
func checkBadChunkInput[T any, PT interface {
	*T
	Parse([]byte) (int, error)
}](t *testing.T, typ Type, tests []badChunkInput) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, n, err := parseAs[T, PT](hexBytes(tt.in))
			require.Zero(t, n)
			pe := requireParseError(t, err, tt.kind, tt.cause)
			require.True(t, pe.HasChunk)
			require.Equal(t, typ, pe.Chunk)
			require.Equal(t, tt.offset, pe.Offset)
		})
	}
}

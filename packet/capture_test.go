package packet

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/pcap"
	"github.com/stretchr/testify/require"
)

// TestCapturesRoundTrip is the golden test over real captures of usrsctp
// speaking SCTP over UDP (pcap/testdata, see its README): every
// captured SCTP packet passes its CRC32c, every chunk parses into its typed
// value and re-encodes to the same bytes, and the packet rebuilt from the
// parsed chunks is byte-identical to the capture, checksum included.
func TestCapturesRoundTrip(t *testing.T) {
	files, err := filepath.Glob("../pcap/testdata/*.pcap")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	total := 0
	types := map[chunk.Type]int{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			pkts, err := pcap.ReadFile(f)
			require.NoError(t, err)
			for _, cp := range pkts {
				total++
				if bad, ok := malformedFrames[frameKey{filepath.Base(f), cp.Index}]; ok {
					requireMalformed(t, cp.Payload, bad)
					continue
				}
				roundTrip(t, cp.Index, cp.Payload, types)
			}
		})
	}
	t.Logf("%d packets; chunk types: %v", total, types)
	// The captures cover these chunk types (see the testdata README).
	for _, ct := range []chunk.Type{chunk.TypeData, chunk.TypeInit, chunk.TypeInitAck, chunk.TypeSACK,
		chunk.TypeHeartbeat, chunk.TypeHeartbeatAck, chunk.TypeAbort, chunk.TypeShutdown,
		chunk.TypeShutdownAck, chunk.TypeError, chunk.TypeCookieEcho, chunk.TypeCookieAck,
		chunk.TypeShutdownComplete, chunk.TypeIData, chunk.TypeReConfig, chunk.TypeForwardTSN,
		chunk.TypeIForwardTSN} {
		require.NotZero(t, types[ct], "no %v in the captures", ct)
	}
	require.NotZero(t, types[sackWithGaps], "no SACK with gap ack blocks in the captures")
	require.NotZero(t, types[sackWithDups], "no SACK with duplicate TSNs in the captures")
}

// Pseudo chunk types for SACK features in the counts of roundTrip (the
// log shows them as Type(254) and Type(255)): no capture holds chunks of
// these types.
const (
	sackWithGaps chunk.Type = 0xfe
	sackWithDups chunk.Type = 0xff
)

type frameKey struct {
	file  string
	frame int
}

// malformedFrames are captured packets that were made malformed on
// purpose (gen/inject.py), with the error their DATA chunk must give.
var malformedFrames = map[frameKey]struct {
	kind  error
	cause chunk.CauseCode
}{
	// A DATA chunk of length 16: RFC 9260 Section 6.2: "If an endpoint
	// receives a DATA chunk with no user data (i.e., the Length field is
	// set to 16), it SHOULD send an ABORT chunk with a "No User Data"
	// error cause." (frame 16, usrsctp's answer, is that ABORT).
	{"echo_injected_error_abort.pcap", 15}: {chunk.ErrValue, chunk.CauseNoUserData},
}

func requireMalformed(t *testing.T, b []byte, bad struct {
	kind  error
	cause chunk.CauseCode
}) {
	t.Helper()
	p, err := Parse(b, Options{})
	require.NoError(t, err, "the envelope is valid")
	it := p.Chunks()
	r, _ := it.Next()
	_, _, err = chunk.Parse(r.Bytes)
	require.ErrorIs(t, err, bad.kind)
	var pe *chunk.ParseError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, bad.cause, pe.Cause)
}

func roundTrip(t *testing.T, frame int, b []byte, types map[chunk.Type]int) {
	t.Helper()
	p, err := Parse(b, Options{})
	require.NoError(t, err, "frame %d", frame)
	var bl Builder
	bl.Reset(nil, p.Header, len(b))
	it := p.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		c, n, err := chunk.Parse(r.Bytes)
		require.NoError(t, err, "frame %d, %v at offset %d", frame, r.Type, r.Offset)
		require.Equal(t, len(r.Bytes), n)
		if r.Type.Known() {
			_, unknown := c.(*chunk.Unknown)
			require.False(t, unknown, "frame %d: %v parsed as unknown", frame, r.Type)
		}
		require.Equal(t, r.Bytes, c.Append(nil), "frame %d, %v at offset %d", frame, r.Type, r.Offset)
		require.True(t, bl.Add(c))
		types[r.Type]++
		if s, ok := c.(*chunk.SACK); ok {
			// Pseudo-types count the SACK features the captures must
			// cover: gap ack blocks and duplicate TSNs (RFC 9260 Section
			// 3.3.4).
			if len(s.GapBlocks) > 0 {
				types[sackWithGaps]++
			}
			if len(s.DupTSNs) > 0 {
				types[sackWithDups]++
			}
		}
	}
	out := bl.Finish()
	if !bytes.Equal(b, out) {
		t.Fatalf("frame %d: rebuilt packet differs\n got %x\nwant %x", frame, out, b)
	}
}

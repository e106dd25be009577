package packet

import (
	"errors"
	"io"
	"testing"

	"github.com/gensctp/gensctp/chunk"
	"github.com/stretchr/testify/require"
)

// build makes a packet from raw chunk encodings with a correct checksum.
func build(tag uint32, chunks ...[]byte) []byte {
	h := Header{SrcPort: 5000, DstPort: 5001, VerificationTag: chunk.VerificationTag(tag)}
	b := h.Append(nil)
	for _, c := range chunks {
		b = append(b, c...)
	}
	SetChecksum(b)
	return b
}

var (
	rawInit = []byte{1, 0, 0, 20, 0, 0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 1}
	rawSACK = []byte{3, 0, 0, 16, 0, 0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0}
	rawData = []byte{0, 3, 0, 17, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 'x', 0, 0, 0}
	rawAuth = []byte{15, 0, 0, 8, 0, 0, 0, 1}
	rawCE   = []byte{10, 0, 0, 8, 1, 2, 3, 4}
	rawSC   = []byte{14, 0, 0, 4}
	rawUnk  = []byte{0x85, 0xff, 0, 5, 9, 0, 0, 0}
)

func TestParseAndIterate(t *testing.T) {
	pkt := build(0x11223344, rawSACK, rawUnk, rawData)
	p, err := Parse(pkt, Options{})
	require.NoError(t, err)
	require.Equal(t, uint16(5000), p.SrcPort)
	require.Equal(t, uint16(5001), p.DstPort)
	require.Equal(t, chunk.VerificationTag(0x11223344), p.VerificationTag)
	require.Equal(t, Checksum(pkt), p.Checksum)
	require.Equal(t, 3, p.NumChunks)
	require.Zero(t, p.Findings)

	var types []chunk.Type
	var offsets []int
	it := p.Chunks()
	for {
		r, ok := it.Next()
		if !ok {
			break
		}
		types = append(types, r.Type)
		offsets = append(offsets, r.Offset)
		require.Equal(t, pkt[r.Offset:r.Offset+len(r.Bytes)], r.Bytes)
	}
	require.Equal(t, []chunk.Type{chunk.TypeSACK, 0x85, chunk.TypeData}, types)
	require.Equal(t, []int{12, 28, 36}, offsets)

	it = p.Chunks()
	it.Next()
	r, _ := it.Next()
	require.Equal(t, []byte{9}, r.Value(), "value excludes header and padding")
	require.Equal(t, uint8(0xff), r.Flags)
	r, _ = it.Next()
	var d chunk.Data
	n, err := d.Parse(r.Bytes)
	require.NoError(t, err)
	require.Equal(t, 20, n)
	require.Equal(t, []byte("x"), d.UserData)
}

// RFC 9260 Sections 3.1, 3.2.2 and 6.10, reported as findings.
func TestFindings(t *testing.T) {
	tests := []struct {
		name string
		tag  uint32
		src  uint16
		in   [][]byte
		want Findings
	}{
		{"INIT alone", 0, 5000, [][]byte{rawInit}, 0},
		// "An endpoint MUST NOT bundle INIT, INIT ACK, or SHUTDOWN
		// COMPLETE chunks with any other chunks."
		{"INIT then SACK", 0, 5000, [][]byte{rawInit, rawSACK}, FindingUnbundleable},
		{"SACK then SHUTDOWN COMPLETE", 1, 5000, [][]byte{rawSACK, rawSC}, FindingUnbundleable},
		// "When bundling control chunks with DATA chunks, an endpoint
		// MUST place control chunks first in the outbound SCTP packet."
		{"DATA then SACK", 1, 5000, [][]byte{rawData, rawSACK}, FindingControlAfterData},
		{"SACK then DATA", 1, 5000, [][]byte{rawSACK, rawData}, 0},
		// "Any time a COOKIE ECHO chunk is sent in a packet, it MUST be
		// the first chunk." (RFC 4895 Section 6.3 allows AUTH first.)
		{"SACK then COOKIE ECHO", 1, 5000, [][]byte{rawSACK, rawCE}, FindingCookieEchoNotFirst},
		{"AUTH then COOKIE ECHO", 1, 5000, [][]byte{rawAuth, rawCE, rawData}, 0},
		// "A packet containing an INIT chunk MUST have a zero
		// Verification Tag."
		{"INIT with a tag", 7, 5000, [][]byte{rawInit}, FindingInitTagNotZero},
		// "The Source Port Number 0 MUST NOT be used."
		{"zero source port", 1, 0, [][]byte{rawSACK}, FindingZeroPort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkt := build(tt.tag, tt.in...)
			pkt[0], pkt[1] = byte(tt.src>>8), byte(tt.src)
			SetChecksum(pkt)
			p, err := Parse(pkt, Options{})
			require.NoError(t, err)
			require.Equal(t, tt.want, p.Findings, "got %v", p.Findings)
		})
	}
}

func TestFindingsString(t *testing.T) {
	require.Equal(t, "unbundleable chunk bundled, zero checksum accepted",
		(FindingUnbundleable | FindingZeroChecksum).String())
	require.Equal(t, "", Findings(0).String())
}

func TestParseZeroChecksum(t *testing.T) {
	pkt := build(1, rawSACK)
	pkt[8], pkt[9], pkt[10], pkt[11] = 0, 0, 0, 0
	_, err := Parse(pkt, Options{})
	require.ErrorIs(t, err, ErrChecksum)
	p, err := Parse(pkt, Options{AcceptZeroChecksum: true})
	require.NoError(t, err)
	require.True(t, p.Findings.Has(FindingZeroChecksum))
	p, err = Parse(pkt, Options{SkipChecksum: true})
	require.NoError(t, err)
	require.False(t, p.Findings.Has(FindingZeroChecksum))
}

func TestParseBadInput(t *testing.T) {
	good := build(1, rawSACK, rawData)
	tests := []struct {
		name   string
		in     []byte
		kind   error
		offset int
		chunk  bool // a *chunk.ParseError rather than *Error
	}{
		{"empty", nil, io.ErrUnexpectedEOF, 0, false},
		{"short header", good[:11], io.ErrUnexpectedEOF, 11, false},
		{"header only", good[:12], ErrNoChunks, 12, false},
		{"partial chunk header", append(good[:12:12], 3, 0), ErrPadding, 12, false},
		{"first chunk past the end", good[:len(good)-len(rawData)-4], io.ErrUnexpectedEOF, len(good) - len(rawData) - 4, true},
		{"zero chunk length", append(good[:12:12], 3, 0, 0, 0), chunk.ErrLength, 14, true},
		{"chunk length 3", append(good[:12:12], 3, 0, 0, 3), chunk.ErrLength, 14, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in, Options{SkipChecksum: true})
			require.ErrorIs(t, err, tt.kind)
			if tt.chunk {
				var pe *chunk.ParseError
				require.True(t, errors.As(err, &pe), "%T", err)
				require.Equal(t, tt.offset, pe.Offset)
				require.True(t, pe.HasChunk)
			} else {
				var e *Error
				require.True(t, errors.As(err, &e), "%T", err)
				require.Equal(t, tt.offset, e.Offset)
			}
		})
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 0x80
	_, err := Parse(bad, Options{})
	require.ErrorIs(t, err, ErrChecksum)
}

// RFC 9260 Section 6.10: "An endpoint MUST process received chunks in
// their order in the packet. ... If the receiver detects a partial chunk,
// it MUST drop the chunk." A malformed chunk envelope after well-formed
// chunks drops that chunk (and what follows, which cannot be delimited);
// the chunks before it are kept, and FindingDroppedTail says so.
func TestParseDropsMalformedTail(t *testing.T) {
	good := build(1, rawSACK, rawData)
	tail := func(b ...byte) []byte { return append(append([]byte(nil), good...), b...) }
	tests := []struct {
		name string
		in   []byte
		keep int // chunks kept
	}{
		{"chunk past the end", good[:len(good)-4], 1},
		{"trailing bytes", tail(0, 0), 2},
		{"zero chunk length", tail(4, 0, 0, 0), 2},
		{"chunk length 3", tail(4, 0, 0, 3, 0, 0, 0, 0), 2},
		{"zero-length chunk then a good one", append(tail(4, 0, 0, 0), rawSACK...), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.in, Options{SkipChecksum: true})
			require.NoError(t, err)
			require.True(t, p.Findings.Has(FindingDroppedTail))
			require.Equal(t, tt.keep, p.NumChunks)
			var types []chunk.Type
			it := p.Chunks()
			for r, ok := it.Next(); ok; r, ok = it.Next() {
				types = append(types, r.Type)
			}
			require.Equal(t, []chunk.Type{chunk.TypeSACK, chunk.TypeData}[:tt.keep], types)
		})
	}
	p, err := Parse(good, Options{})
	require.NoError(t, err)
	require.False(t, p.Findings.Has(FindingDroppedTail))

	// RFC 9260 Section 6.10: "An endpoint MUST NOT bundle INIT, INIT ACK,
	// or SHUTDOWN COMPLETE chunks with any other chunks." One followed by
	// a malformed chunk was bundled all the same: the packet stays
	// unbundleable, so it is discarded as before the tail was dropped.
	for _, typ := range []chunk.Type{chunk.TypeInit, chunk.TypeInitAck, chunk.TypeShutdownComplete} {
		alone := []byte{byte(typ), 0, 0, 4}
		p, err := Parse(append(build(0, alone), 4, 0, 0, 0), Options{SkipChecksum: true})
		require.NoError(t, err)
		require.True(t, p.Findings.Has(FindingDroppedTail), "%v", typ)
		require.True(t, p.Findings.Has(FindingUnbundleable), "%v followed by a malformed chunk", typ)
		p, err = Parse(build(0, alone), Options{SkipChecksum: true})
		require.NoError(t, err)
		require.False(t, p.Findings.Has(FindingUnbundleable), "%v alone", typ)
	}
}

func TestBuilder(t *testing.T) {
	var b Builder
	buf := make([]byte, 0, 1500)
	b.Reset(buf, Header{SrcPort: 1, DstPort: 2, VerificationTag: 3, Checksum: 99}, 64)
	require.True(t, b.Empty())
	require.Equal(t, 52, b.Remaining())
	sack := &chunk.Unknown{ChunkType: chunk.TypeSACK, Value: rawSACK[4:]}
	data := &chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: 6, UserData: []byte("x")}
	require.True(t, b.Add(sack))
	require.True(t, b.Add(data))
	require.False(t, b.Add(&chunk.Data{UserData: make([]byte, 17)}), "over budget")
	require.Equal(t, 48, b.Len())
	require.Zero(t, b.Findings())
	pkt := b.Finish()
	want := build(3, rawSACK, rawData)
	require.Equal(t, want[4:8], pkt[4:8])
	require.Equal(t, want[12:], pkt[12:])
	p, err := Parse(pkt, Options{})
	require.NoError(t, err)
	require.Equal(t, 2, p.NumChunks)

	// Control after DATA is reported, not refused.
	b.Reset(buf, Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}, 1500)
	b.Add(data)
	b.Add(sack)
	require.Equal(t, FindingControlAfterData, b.Findings())
}

// AddOversized: a chunk over the budget goes alone, in an empty packet
// only (RFC 9260 Section 6.9: a DATA chunk cut for a larger PMTU is sent
// with IP fragmentation).
func TestBuilderAddOversized(t *testing.T) {
	var b Builder
	b.Reset(nil, Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}, 64)
	big := &chunk.Data{Flags: chunk.FlagBeginning, TSN: 6, UserData: make([]byte, 100)}
	require.False(t, b.Add(big))
	require.True(t, b.AddOversized(big))
	require.Equal(t, HeaderLen+big.Len(), b.Len())
	require.False(t, b.Add(&chunk.CookieAck{}), "the packet stays closed")
	p, err := Parse(b.Finish(), Options{})
	require.NoError(t, err)
	require.Equal(t, 1, p.NumChunks)

	b.Reset(nil, Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}, 64)
	require.True(t, b.Add(&chunk.CookieAck{}))
	require.False(t, b.AddOversized(big), "not into a packet that has chunks")
	require.Equal(t, HeaderLen+4, b.Len())
}

// RFC 9653 Section 5.2: zero checksum except for packets with INIT, COOKIE
// ECHO or ASCONF, which "MUST include a correct CRC32c checksum".
func TestBuilderZeroChecksum(t *testing.T) {
	var b Builder
	b.ZeroChecksum = true
	b.Reset(nil, Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}, 1500)
	b.Add(&chunk.Data{TSN: 1, UserData: []byte("a")})
	pkt := b.Finish()
	require.Equal(t, []byte{0, 0, 0, 0}, pkt[8:12])
	for _, c := range []chunk.Chunk{
		&chunk.Unknown{ChunkType: chunk.TypeInit, Value: rawInit[4:]},
		&chunk.Unknown{ChunkType: chunk.TypeCookieEcho, Value: []byte{1, 2, 3, 4}},
		&chunk.Unknown{ChunkType: chunk.TypeASCONF, Value: []byte{0, 0, 0, 1}},
	} {
		b.Reset(nil, Header{SrcPort: 1, DstPort: 2}, 1500)
		b.Add(c)
		pkt := b.Finish()
		_, err := VerifyChecksum(pkt, false)
		require.NoError(t, err, "%v", c.Type())
	}
}

// dataPacket returns a full-MTU packet (1200 bytes of SCTP) of n DATA chunks.
func dataPacket(n int) ([]byte, []chunk.Data) {
	per := ((1200-HeaderLen)/n - 16) &^ 3
	ds := make([]chunk.Data, n)
	for i := range ds {
		ds[i] = chunk.Data{Flags: chunk.FlagBeginning | chunk.FlagEnd, TSN: chunk.TSN(100 + i),
			StreamID: chunk.StreamID(i), SSN: 7, PPID: 51, UserData: make([]byte, per)}
	}
	var b Builder
	b.Reset(nil, Header{SrcPort: 5000, DstPort: 5000, VerificationTag: 0xabcdef}, 1200)
	for i := range ds {
		b.Add(&ds[i])
	}
	return b.Finish(), ds
}

func parseDataPacket(pkt []byte, d *chunk.Data) (int, error) {
	p, err := Parse(pkt, Options{})
	if err != nil {
		return 0, err
	}
	total := 0
	it := p.Chunks()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		if _, err := d.Parse(r.Bytes); err != nil {
			return 0, err
		}
		total += len(d.UserData)
	}
	return total, nil
}

func TestDataPacketAllocs(t *testing.T) {
	pkt, ds := dataPacket(10)
	require.LessOrEqual(t, len(pkt), 1200)
	var d chunk.Data
	n, err := parseDataPacket(pkt, &d)
	require.NoError(t, err)
	require.Equal(t, 10*len(ds[0].UserData), n)

	allocs := testing.AllocsPerRun(100, func() {
		if _, err := parseDataPacket(pkt, &d); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs, "parsing a full-MTU DATA packet")

	var b Builder
	buf := make([]byte, 0, 1500)
	allocs = testing.AllocsPerRun(100, func() {
		b.Reset(buf, Header{SrcPort: 5000, DstPort: 5000, VerificationTag: 0xabcdef}, 1200)
		for i := range ds {
			b.Add(&ds[i])
		}
		b.Finish()
	})
	require.Zero(t, allocs, "building a full-MTU DATA packet into a reused buffer")
}

func BenchmarkParseDataPacket(b *testing.B) {
	pkt, _ := dataPacket(10)
	var d chunk.Data
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseDataPacket(pkt, &d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildDataPacket(b *testing.B) {
	pkt, ds := dataPacket(10)
	var bl Builder
	buf := make([]byte, 0, 1500)
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		bl.Reset(buf, Header{SrcPort: 5000, DstPort: 5000, VerificationTag: 0xabcdef}, 1200)
		for i := range ds {
			bl.Add(&ds[i])
		}
		bl.Finish()
	}
}

package packet

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/gensctp/gensctp/chunk"
)

// FuzzPacket: a packet that Parse accepts yields chunks that each parse or
// fail with a *chunk.ParseError; rebuilding the packet from the parsed
// chunks gives a packet that parses to equal chunks and re-encodes to the
// same bytes. Nothing panics.
func FuzzPacket(f *testing.F) {
	pkt, _ := dataPacket(3)
	f.Add(pkt)
	f.Add(build(0, rawInit))
	f.Add(build(1, rawSACK, rawUnk, rawData))
	f.Add(build(1, rawAuth, rawCE, rawData))
	f.Add(build(1, rawSC))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := Parse(in, Options{SkipChecksum: true})
		if err != nil {
			var pe *chunk.ParseError
			var e *Error
			if !errors.As(err, &pe) && !errors.As(err, &e) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		var cs []chunk.Chunk
		it := p.Chunks()
		count := 0
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			count++
			c, n, err := chunk.Parse(r.Bytes)
			if err != nil {
				var pe *chunk.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("untyped chunk error %T: %v", err, err)
				}
				return
			}
			if n != len(r.Bytes) {
				t.Fatalf("chunk consumed %d of %d", n, len(r.Bytes))
			}
			cs = append(cs, c)
		}
		if count != p.NumChunks {
			t.Fatalf("iterated %d chunks, Parse counted %d", count, p.NumChunks)
		}
		var b Builder
		b.Reset(nil, p.Header, 1<<20)
		for _, c := range cs {
			if !b.Add(c) {
				t.Fatal("chunk does not fit")
			}
		}
		built, parsed := b.Findings(), p.Findings&^(FindingZeroChecksum|FindingDroppedTail)
		if p.Findings.Has(FindingDroppedTail) {
			// An INIT, INIT ACK or SHUTDOWN COMPLETE before the dropped
			// tail was bundled with it; the chunks kept alone are not.
			built, parsed = built&^FindingUnbundleable, parsed&^FindingUnbundleable
		}
		if built != parsed {
			t.Fatalf("findings differ: built %v, parsed %v", b.Findings(), p.Findings)
		}
		out := bytes.Clone(b.Finish())
		p2, err := Parse(out, Options{})
		if err != nil {
			t.Fatalf("rebuilt packet does not parse: %v", err)
		}
		var cs2 []chunk.Chunk
		it = p2.Chunks()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			c, _, err := chunk.Parse(r.Bytes)
			if err != nil {
				t.Fatalf("rebuilt chunk does not parse: %v", err)
			}
			cs2 = append(cs2, c)
		}
		if !reflect.DeepEqual(cs, cs2) {
			t.Fatalf("chunks differ after rebuilding")
		}
		b.Reset(nil, p2.Header, 1<<20)
		for _, c := range cs2 {
			b.Add(c)
		}
		if !bytes.Equal(out, b.Finish()) {
			t.Fatal("re-encoding is not stable")
		}
	})
}

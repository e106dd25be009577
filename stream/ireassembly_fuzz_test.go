package stream

import (
	"errors"
	"testing"

	"github.com/gensctp/gensctp/chunk"
)

// FuzzIReassembly feeds a Reassembly that takes I-DATA (SetIData) chunks
// derived from the input, five bytes each: stream (0-3, or 4: invalid),
// U, B and E bits, MID (0-7), FSN (0-7), length (0-15), with Pop,
// ForwardI and StartPartialDeliveries in between, under a small partial
// delivery point and every fragment interleave level. Whatever the input:
// no panic, every error one of the documented ones and changing nothing,
// the accounting never negative, what Pop hands out never more than what
// was added, and, once every message is skipped and every partial
// delivery aborted, nothing held.
func FuzzIReassembly(f *testing.F) {
	f.Add([]byte{1, 0x06, 0, 0, 4, 1, 0x02, 0, 2, 3, 1, 0x04, 0, 1, 2})
	f.Add([]byte{0, 0x03, 1, 0, 9, 2, 0x0a, 3, 1, 5, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		r := newIReassembly()
		r.SetPartialDeliveryPoint(8)
		added, popped := 0, 0
		defer func() {
			if popped > added {
				t.Fatalf("popped %d bytes of %d added", popped, added)
			}
		}()
		tsn := chunk.TSN(1)
		for len(in) >= 5 {
			b := in[:5]
			in = in[5:]
			switch b[0] >> 5 {
			case 1:
				popped += popI(t, r)
				continue
			case 2:
				r.ForwardI([]chunk.IForwardTSNStream{{StreamID: chunk.StreamID(b[1] % 4),
					Flags: uint16(b[2] & 1), MID: chunk.MID(b[3] % 8)}}, nil)
				continue
			case 3:
				r.StartPartialDeliveries(int(b[1] % 4))
				continue
			case 4:
				r.SetFragmentInterleave(int(b[1] % 3))
				continue
			}
			d := &chunk.IData{StreamID: chunk.StreamID(b[0] % 5), Flags: chunk.DataFlags(b[1] & 0x07),
				MID: chunk.MID(b[2] % 8), FSN: chunk.FSN(b[3] % 8), PPID: chunk.PPID(b[0] % 5), UserData: make([]byte, b[4]%16)}
			before, recs := r.Buffered(), r.Records()
			err := r.AddI(tsn, d)
			tsn++
			switch {
			case err == nil:
				added += len(d.UserData)
			case errors.Is(err, ErrInvalidFragment), errors.Is(err, ErrInvalidStream),
				errors.Is(err, ErrEmptyMessage), errors.Is(err, ErrStaleMessage):
				if r.Buffered() != before || r.Records() != recs {
					t.Fatalf("refused chunk changed the state: %v", err)
				}
			default:
				t.Fatalf("unexpected error %v", err)
			}
			requireIPDPages(t, r)
			if r.Buffered() < 0 || r.Chunks() < 0 || r.Records() < 0 || r.Buffered() > added {
				t.Fatalf("accounting: buffered %d chunks %d records %d added %d", r.Buffered(), r.Chunks(), r.Records(), added)
			}
		}
		popped += popI(t, r)
		var all []chunk.IForwardTSNStream
		for sid := range chunk.StreamID(4) {
			for u := range uint16(2) {
				all = append(all, chunk.IForwardTSNStream{StreamID: sid, Flags: u, MID: 7})
			}
		}
		r.ForwardI(all, nil)
		r.AbortPartial()
		r.SetFragmentInterleave(2)
		popI(t, r)
		if r.Buffered() != 0 || r.Chunks() != 0 || r.Records() != 0 || len(r.imsgs) != 0 || len(r.ifrags) != 0 {
			t.Fatalf("held after skipping everything: buffered %d chunks %d records %d msgs %d frags %d",
				r.Buffered(), r.Chunks(), r.Records(), len(r.imsgs), len(r.ifrags))
		}
	})
}

// popI pops every deliverable message or piece of r, checks the
// accounting and returns the bytes popped. With I-DATA a message's TSNs
// need not grow with its FSNs: FirstTSN and LastTSN are not compared.
func popI(t *testing.T, r *Reassembly) int {
	n := 0
	for {
		before := r.Buffered()
		m, ok := r.Pop()
		if !ok {
			return n
		}
		if len(m.Data) == 0 && !m.EndOfMessage || r.Buffered() != before-len(m.Data) {
			t.Fatalf("pop: %d bytes, buffered %d then %d", len(m.Data), before, r.Buffered())
		}
		n += len(m.Data)
		r.Release(m.Data)
	}
}

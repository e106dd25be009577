package packet

import (
	"errors"

	"github.com/gensctp/gensctp/chunk"
)

// Options control Parse.
type Options struct {
	// AcceptZeroChecksum accepts a checksum field of zero without
	// verification, as RFC 9653 Section 5.3 allows after the peer has
	// announced an alternate error detection method that this end
	// supports. A non-zero checksum is always verified.
	AcceptZeroChecksum bool
	// SkipChecksum does not look at the checksum at all, for callers that
	// verified it already (or fuzzers).
	SkipChecksum bool
}

// Packet is a received SCTP packet whose header, checksum and chunk
// envelopes Parse has validated. It aliases the buffer given to Parse.
type Packet struct {
	Header
	// Findings are the rule violations Parse noticed (RFC 9260 Sections
	// 3.1, 3.2.2 and 6.10).
	Findings Findings
	// NumChunks is the number of chunks in the packet (at least one).
	NumChunks int
	// raw is the whole packet.
	raw []byte
}

// Bytes returns the packet as given to Parse.
func (p *Packet) Bytes() []byte { return p.raw }

// Parse validates the SCTP packet b: the common header, the checksum (RFC
// 9260 Section 6.8) and the envelope of every chunk (type, a Chunk Length of
// at least 4, the chunk and its padding within the packet: Sections 3.2 and
// 6.10). It does not look inside chunk values: parse each chunk with its
// type's Parse method while iterating with Chunks.
//
// A malformed envelope after one or more well-formed chunks ends the
// packet there: the packet keeps the chunks before it, and Findings has
// FindingDroppedTail (Section 6.10: a partial chunk is dropped; the chunks
// before it are processed).
//
// Errors are *Error for the packet as a whole and *chunk.ParseError, with
// the offset from the start of b, for a malformed envelope of the first
// chunk. The returned Packet aliases b. Parse does not allocate.
func Parse(b []byte, opts Options) (Packet, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return Packet{}, err
	}
	p := Packet{Header: h, raw: b}
	if !opts.SkipChecksum {
		zero, err := VerifyChecksum(b, opts.AcceptZeroChecksum)
		if err != nil {
			return Packet{}, err
		}
		if zero {
			p.Findings |= FindingZeroChecksum
		}
	}
	if h.SrcPort == 0 || h.DstPort == 0 {
		p.Findings |= FindingZeroPort
	}
	var bf bundling
	for off := HeaderLen; off < len(b); {
		var err error
		if len(b)-off < 4 {
			err = &Error{Err: ErrPadding, Offset: off}
		}
		var ch chunk.Header
		var n int
		if err == nil {
			if ch, n, err = chunk.ReadHeader(b[off:]); err != nil {
				var pe *chunk.ParseError
				if errors.As(err, &pe) {
					pe.Offset += off
				}
			}
		}
		if err != nil {
			if p.NumChunks == 0 {
				return Packet{}, err
			}
			p.Findings |= FindingDroppedTail // Chunks stops before it
			if bf.alone {
				// An INIT, INIT ACK or SHUTDOWN COMPLETE followed by
				// anything, a malformed chunk included, was bundled.
				bf.findings |= FindingUnbundleable
			}
			break
		}
		bf.add(ch.Type)
		p.NumChunks++
		off += n
	}
	if p.NumChunks == 0 {
		return Packet{}, &Error{Err: ErrNoChunks, Offset: HeaderLen}
	}
	p.Findings |= bf.findings
	if bf.hasInit && h.VerificationTag != 0 {
		p.Findings |= FindingInitTagNotZero
	}
	return p, nil
}

// bundling accumulates the findings of RFC 9260 Sections 3.2.2 and 6.10 as
// chunk types are seen in order.
type bundling struct {
	n         int
	seenData  bool
	seenOther bool // a chunk other than AUTH
	alone     bool // an INIT, INIT ACK or SHUTDOWN COMPLETE was seen
	hasInit   bool
	findings  Findings
}

func (bf *bundling) add(t chunk.Type) {
	bf.n++
	switch t {
	case chunk.TypeInit, chunk.TypeInitAck, chunk.TypeShutdownComplete:
		if bf.n > 1 {
			bf.findings |= FindingUnbundleable
		}
		bf.alone = true
		bf.hasInit = bf.hasInit || t == chunk.TypeInit
	default:
		if bf.alone {
			bf.findings |= FindingUnbundleable
		}
	}
	switch t {
	case chunk.TypeData, chunk.TypeIData:
		bf.seenData = true
	default:
		if bf.seenData {
			bf.findings |= FindingControlAfterData
		}
	}
	if t == chunk.TypeCookieEcho && bf.seenOther {
		bf.findings |= FindingCookieEchoNotFirst
	}
	if t != chunk.TypeAuth {
		bf.seenOther = true
	}
}

// Chunks returns an iterator over the chunks of p.
func (p *Packet) Chunks() Iter {
	return Iter{b: p.raw, off: HeaderLen}
}

// Iter iterates over the chunks of a Packet. The zero value yields nothing.
type Iter struct {
	b   []byte
	off int
}

// Raw is one chunk of a packet, as yielded by Iter.
type Raw struct {
	chunk.Header
	// Offset is the offset of the chunk from the start of the packet.
	Offset int
	// Bytes is the whole chunk, header and padding included: the input of
	// the Parse method of the chunk type. It aliases the packet.
	Bytes []byte
}

// Value returns the chunk value: Bytes without the header and padding.
func (r *Raw) Value() []byte { return r.Bytes[4:r.Length] }

// Next returns the next chunk, or false after the last one.
func (it *Iter) Next() (Raw, bool) {
	b := it.b[min(it.off, len(it.b)):]
	if len(b) < 4 {
		return Raw{}, false
	}
	// Parse validated every envelope up to a dropped tail
	// (FindingDroppedTail), where this check ends the iteration; it also
	// keeps a Packet built by hand from making Next read out of range.
	length := int(b[2])<<8 | int(b[3])
	n := (length + 3) &^ 3
	if length < 4 || n > len(b) {
		it.off = len(it.b)
		return Raw{}, false
	}
	r := Raw{
		Header: chunk.Header{Type: chunk.Type(b[0]), Flags: b[1], Length: uint16(length)},
		Offset: it.off,
		Bytes:  b[:n:n],
	}
	it.off += n
	return r, true
}

// Lead returns the chunk that identifies p: its first chunk, or, when
// that is an AUTH chunk followed by another, the chunk after it (RFC 4895
// Section 6.3: for "a packet containing an AUTH chunk as the first chunk",
// the receiver "MUST use the chunks after the AUTH chunk to look up an
// existing association"; an AUTH chunk may precede a COOKIE ECHO). auth
// reports whether an AUTH chunk was skipped.
func (p *Packet) Lead() (lead Raw, auth bool) {
	it := p.Chunks()
	first, _ := it.Next()
	if first.Type != chunk.TypeAuth {
		return first, false
	}
	if next, ok := it.Next(); ok {
		return next, true
	}
	return first, false
}

package stack

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// appendSummary appends the one-line summary of the SCTP packet b sent or
// received (dir) from one UDP address to another, the way tshark
// summarises a packet: the addresses, the SCTP ports, the verification
// tag and each chunk with its main fields, for example
//
//	recv 127.0.0.1:9899 → 127.0.0.1:9900 sctp 5000 → 5001 vtag 0x1234abcd DATA(tsn=5 sid=0 ssn=3 ppid=0 len=64 flags=BE) SACK(cum=4 a_rwnd=65536 gaps=0 dups=0)
//
// A packet whose checksum (RFC 9260 Section 6.8) is wrong gets
// "bad-checksum" after its tag (a zero checksum, RFC 9653, is not
// checked); what cannot be read ends the line with "malformed".
func appendSummary(dst []byte, dir string, from, to netip.AddrPort, b []byte) []byte {
	dst = append(dst, dir...)
	dst = append(dst, ' ')
	dst = from.AppendTo(dst)
	dst = append(dst, " → "...)
	dst = to.AppendTo(dst)
	h, err := packet.ParseHeader(b)
	if err != nil {
		dst = append(dst, " malformed ("...)
		dst = strconv.AppendInt(dst, int64(len(b)), 10)
		return append(dst, " bytes)"...)
	}
	dst = append(dst, " sctp "...)
	dst = strconv.AppendUint(dst, uint64(h.SrcPort), 10)
	dst = append(dst, " → "...)
	dst = strconv.AppendUint(dst, uint64(h.DstPort), 10)
	dst = append(dst, " vtag "...)
	dst = appendHex(dst, uint32(h.VerificationTag))
	if _, err := packet.VerifyChecksum(b, true); err != nil {
		dst = append(dst, " bad-checksum"...)
	}
	for off := packet.HeaderLen; off < len(b); {
		ch, n, err := chunk.ReadHeader(b[off:])
		if err != nil {
			return append(dst, " malformed"...)
		}
		dst = append(dst, ' ')
		dst = appendChunk(dst, ch, b[off+4:off+int(ch.Length)])
		off += n
	}
	return dst
}

// appendChunk appends a chunk of the summary: its name (as tshark writes
// it, INIT_ACK for INIT ACK) and, in parentheses, its main fields, read
// from its value v.
func appendChunk(dst []byte, ch chunk.Header, v []byte) []byte {
	for _, c := range []byte(ch.Type.String()) {
		if c == ' ' {
			c = '_'
		}
		dst = append(dst, c)
	}
	f := fields{dst: append(dst, '(')}
	u32 := func(i int) uint64 { return uint64(binary.BigEndian.Uint32(v[i:])) }
	u16 := func(i int) uint64 { return uint64(binary.BigEndian.Uint16(v[i:])) }
	switch t := ch.Type; {
	case t == chunk.TypeData && len(v) >= 12:
		f.num("tsn", u32(0)).num("sid", u16(4)).num("ssn", u16(6)).num("ppid", u32(8)).num("len", uint64(len(v)-12))
		f.str("flags", chunk.DataFlags(ch.Flags).String())
	case t == chunk.TypeIData && len(v) >= 16:
		f.num("tsn", u32(0)).num("sid", u16(4)).num("mid", u32(8))
		if chunk.DataFlags(ch.Flags).Has(chunk.FlagBeginning) {
			f.num("ppid", u32(12))
		} else {
			f.num("fsn", u32(12))
		}
		f.num("len", uint64(len(v)-16)).str("flags", chunk.DataFlags(ch.Flags).String())
	case t == chunk.TypeSACK && len(v) >= 12:
		f.num("cum", u32(0)).num("a_rwnd", u32(4)).num("gaps", u16(8)).num("dups", u16(10))
	case (t == chunk.TypeInit || t == chunk.TypeInitAck) && len(v) >= 16:
		f.hex("itag", uint32(u32(0))).num("a_rwnd", u32(4)).num("os", u16(8)).num("mis", u16(10)).num("tsn", u32(12))
	case (t == chunk.TypeShutdown || t == chunk.TypeForwardTSN || t == chunk.TypeIForwardTSN) && len(v) >= 4:
		f.num("cum", u32(0))
	case t == chunk.TypeAbort || t == chunk.TypeError:
		if t == chunk.TypeAbort && ch.Flags&1 != 0 {
			f.str("flags", "T")
		}
		f.causes(v)
	case t == chunk.TypeShutdownComplete && ch.Flags&1 != 0:
		f.str("flags", "T")
	default:
		f.num("len", uint64(len(v)))
	}
	return append(f.dst, ')')
}

// fields appends "name=value" fields separated by spaces.
type fields struct {
	dst []byte
	n   int
}

func (f *fields) name(k string) *fields {
	if f.n > 0 {
		f.dst = append(f.dst, ' ')
	}
	f.n++
	f.dst = append(f.dst, k...)
	f.dst = append(f.dst, '=')
	return f
}

func (f *fields) num(k string, v uint64) *fields {
	f.name(k).dst = strconv.AppendUint(f.dst, v, 10)
	return f
}

func (f *fields) hex(k string, v uint32) *fields {
	f.name(k).dst = appendHex(f.dst, v)
	return f
}

func (f *fields) str(k, v string) *fields {
	f.name(k).dst = append(f.dst, v...)
	return f
}

// causes appends the error causes of an ABORT or ERROR chunk value v
// (RFC 9260 Section 3.3.10), by name.
func (f *fields) causes(v []byte) {
	for len(v) >= 4 {
		code := chunk.CauseCode(binary.BigEndian.Uint16(v))
		n := int(binary.BigEndian.Uint16(v[2:]))
		f.name("cause").dst = strconv.AppendQuote(f.dst, code.String())
		n = (n + 3) &^ 3
		if n < 4 || n > len(v) {
			return
		}
		v = v[n:]
	}
}

// appendHex appends v as 0x and eight hexadecimal digits.
func appendHex(dst []byte, v uint32) []byte {
	const digits = "0123456789abcdef"
	dst = append(dst, "0x"...)
	for i := 28; i >= 0; i -= 4 {
		dst = append(dst, digits[v>>i&0xf])
	}
	return dst
}

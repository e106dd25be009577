package packet

import "github.com/gensctp/gensctp/chunk"

// Builder assembles one SCTP packet at a time into a caller's buffer,
// within a byte budget (the path MTU less the IP and UDP headers). It
// reports the bundling findings of the packet it built but does not refuse
// to build it. A Builder is not safe for concurrent use.
type Builder struct {
	buf []byte
	max int
	bf  bundling
	// ZeroChecksum makes Finish leave the checksum field zero (RFC 9653
	// Section 5.2) unless the packet holds an INIT, COOKIE ECHO or ASCONF
	// chunk, which always carry a correct CRC32c (RFC 9653 Section 5.2,
	// restrictions 1a, 2 and 3). Set it only after the peer announced an
	// alternate error detection method.
	ZeroChecksum bool
	// Auth, when not nil, authenticates the chunks it requires (RFC 4895
	// Section 6.2): Add puts an AUTH chunk before the first of them, and
	// Finish fills in its HMAC, computed over the AUTH chunk and every
	// chunk after it. Set it after Reset.
	Auth    Authenticator
	needCRC bool
	authOff int // offset of the AUTH chunk, 0 if none
}

// Authenticator inserts and signs the AUTH chunk of RFC 4895 Section 6.2
// (see Builder.Auth).
type Authenticator interface {
	// AuthRequired reports whether chunks of type t must follow an AUTH
	// chunk.
	AuthRequired(t chunk.Type) bool
	// AuthLen returns the length of the AUTH chunk (its HMAC is a
	// multiple of 4 bytes long: no padding).
	AuthLen() int
	// AppendAuth appends the AUTH chunk with its HMAC field zero (RFC
	// 4895 Section 6.2, Figure 6).
	AppendAuth(b []byte) []byte
	// Sign writes into mac the HMAC of data: the AUTH chunk, with its
	// HMAC field zero, and the chunks after it.
	Sign(data, mac []byte)
}

// Reset starts a new packet with header h in buf[:0], reusing buf's
// capacity, limited to max bytes in all. The checksum field of h is
// ignored.
func (b *Builder) Reset(buf []byte, h Header, max int) {
	h.Checksum = 0
	b.buf = h.Append(buf[:0])
	b.max = max
	b.bf = bundling{}
	b.needCRC = false
	b.Auth = nil
	b.authOff = 0
}

// Len returns the number of bytes in the packet so far.
func (b *Builder) Len() int { return len(b.buf) }

// Remaining returns how many more bytes fit in the budget.
func (b *Builder) Remaining() int { return b.max - len(b.buf) }

// RemainingFor returns how many bytes a chunk of type t may take: those
// Remaining returns, less the AUTH chunk that must go before it when
// Auth requires one and the packet has none yet.
func (b *Builder) RemainingFor(t chunk.Type) int { return b.Remaining() - b.authNeed(t) }

// authNeed returns the length of the AUTH chunk a chunk of type t needs
// before it, or 0.
func (b *Builder) authNeed(t chunk.Type) int {
	if b.Auth == nil || b.authOff != 0 || !b.Auth.AuthRequired(t) {
		return 0
	}
	return b.Auth.AuthLen()
}

// Empty reports whether no chunk has been added since Reset.
func (b *Builder) Empty() bool { return b.bf.n == 0 }

// Add appends c if it fits in the remaining budget and reports whether it
// did. Add does not allocate when the buffer has the capacity.
func (b *Builder) Add(c chunk.Chunk) bool {
	t := c.Type()
	auth := b.authNeed(t)
	if c.Len()+auth > b.Remaining() {
		return false
	}
	if auth > 0 {
		b.authOff = len(b.buf)
		b.buf = b.Auth.AppendAuth(b.buf)
		b.bf.add(chunk.TypeAuth)
	}
	b.buf = c.Append(b.buf)
	b.bf.add(t)
	switch t {
	case chunk.TypeInit, chunk.TypeCookieEcho, chunk.TypeASCONF:
		b.needCRC = true
	}
	return true
}

// AddOversized appends c to an empty packet whatever the budget, and
// reports false (adding nothing) if the packet is not empty. It is for a
// DATA chunk cut for a larger PMTU than the current one: RFC 9260 Section
// 6.9, "Once a user message is fragmented, it cannot be re-fragmented.
// Instead, if the PMTU has been reduced, then IP fragmentation MUST be
// used."
func (b *Builder) AddOversized(c chunk.Chunk) bool {
	if !b.Empty() {
		return false
	}
	max := b.max
	b.max = len(b.buf) + c.Len() + b.authNeed(c.Type())
	b.Add(c)
	b.max = max
	return true
}

// Findings returns the findings of the packet built so far.
func (b *Builder) Findings() Findings {
	f := b.bf.findings
	if len(b.buf) < HeaderLen {
		return f
	}
	if b.bf.hasInit && b.buf[4]|b.buf[5]|b.buf[6]|b.buf[7] != 0 {
		f |= FindingInitTagNotZero
	}
	if b.buf[0]|b.buf[1] == 0 || b.buf[2]|b.buf[3] == 0 {
		f |= FindingZeroPort
	}
	return f
}

// Finish fills in the checksum and returns the packet. The result aliases
// the buffer given to Reset (or a larger copy of it, if appending outgrew
// its capacity).
func (b *Builder) Finish() []byte {
	if len(b.buf) < HeaderLen {
		return b.buf
	}
	if b.authOff != 0 {
		const hdr = 8 // the AUTH chunk before its HMAC
		n := b.Auth.AuthLen() - hdr
		b.Auth.Sign(b.buf[b.authOff:], b.buf[b.authOff+hdr:b.authOff+hdr+n])
	}
	if b.ZeroChecksum && !b.needCRC {
		b.buf[8], b.buf[9], b.buf[10], b.buf[11] = 0, 0, 0, 0
	} else {
		SetChecksum(b.buf)
	}
	return b.buf
}

package fuzz

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/packet"
)

// The verification tags an injected packet may carry (RFC 9260 Section
// 8.5): the receiver's own (valid), its peer's with the T bit set on
// ABORT and SHUTDOWN COMPLETE (reflected, Section 8.5.1 rules B and C),
// zero (valid only for INIT), or one derived from the input (invalid).
const (
	tagValid = iota
	tagReflected
	tagZero
	tagOther
)

// inject sends the receiver `to` a packet of up to three chunks generated
// from the input, each of a type the state machine handles, with fields
// near the values the association expects (TSNs around the cumulative
// TSN, the last State Cookie and Heartbeat Info seen on the link).
func (w *world) inject() {
	to, tagKind, n := int(w.next()&1), w.next()%4, 1+int(w.next()%3)
	var b []byte
	for range n {
		b = w.genChunk(to, tagKind).Append(b)
	}
	w.sendForged(to, tagKind, b)
}

// raw sends the receiver `to` a packet whose chunks are up to 64 bytes of
// the input.
func (w *world) raw() {
	to, tagKind, n := int(w.next()&1), w.next()%4, int(w.next()%65)
	b := make([]byte, 0, n)
	for range n {
		b = append(b, w.next())
	}
	w.sendForged(to, tagKind, b)
}

// corrupt changes one byte of held packet i, fixes its checksum or not,
// and delivers it in its place.
func (w *world) corrupt() {
	i, pos, x, fix := int(w.next()), int(w.next())*7, w.next()|1, w.next()&1 == 0
	if len(w.held) == 0 {
		return
	}
	i %= len(w.held)
	h := w.held[i]
	w.held = append(w.held[:i], w.held[i+1:]...)
	b := bytes.Clone(h.data)
	b[pos%len(b)] ^= x
	if fix {
		markForged(b)
		packet.SetChecksum(b)
	}
	// Unless fixed, the checksum is wrong (a one-byte change never keeps
	// a CRC32c), and the packet must be discarded (RFC 9260 Section 6.8);
	// a zero checksum might be accepted (RFC 9653).
	to := sideA
	if h.to == w.p.AddrZ {
		to = sideZ
	}
	w.deliverForged(to, b, !fix && binary.BigEndian.Uint32(b[8:]) != 0)
}

// sendForged wraps chunks in a packet to side `to` with a tag of tagKind
// and delivers it.
func (w *world) sendForged(to int, tagKind byte, chunks []byte) {
	from := 1 - to
	h := make([]byte, 12, 12+len(chunks))
	binary.BigEndian.PutUint16(h[0:], w.cfg[from].LocalPort)
	binary.BigEndian.PutUint16(h[2:], w.cfg[to].LocalPort)
	var tag chunk.VerificationTag
	if a := w.end(to); a != nil {
		local, peer := a.Tags()
		switch tagKind {
		case tagValid:
			tag = local
		case tagReflected:
			tag = peer
		case tagOther:
			tag = local ^ chunk.VerificationTag(0x5a5a0000|uint32(len(chunks)))
		}
	}
	binary.BigEndian.PutUint32(h[4:], uint32(tag))
	b := append(h, chunks...)
	markForged(b)
	packet.SetChecksum(b)
	w.deliverForged(to, b, (tagKind == tagZero || tagKind == tagOther) && !tagExempt(b))
}

// tagExempt reports whether the packet b holds a chunk whose receiver may
// act on it whatever the verification tag: an INIT (RFC 9260 Section
// 8.5.1 rule A: tag 0), a COOKIE ECHO (rule D: "follows the procedures in
// Section 5", which check the tags inside the cookie) or a SHUTDOWN ACK in
// COOKIE-WAIT or COOKIE-ECHOED (rule E: out of the blue, answered).
func tagExempt(b []byte) bool {
	for off := 12; off+4 <= len(b); {
		switch chunk.Type(b[off]) {
		case chunk.TypeInit, chunk.TypeCookieEcho, chunk.TypeShutdownAck:
			return true
		}
		l := int(binary.BigEndian.Uint16(b[off+2:]))
		if l < 4 {
			break
		}
		off += (l + 3) &^ 3
	}
	return false
}

// deliverForged hands a forged packet to side `to`: straight to its
// association if it is open, else through the link (the Acceptor or the
// out-of-the-blue rules). A packet with an invalid verification tag must
// (RFC 9260 Section 8.5: "the receiver MUST silently discard the
// packet"), or a wrong checksum, must be discarded; any other may legitimately change anything, and makes the
// run forged.
func (w *world) deliverForged(to int, b []byte, invalid bool) {
	if !invalid {
		w.forge()
	}
	a := w.end(to)
	if a == nil || a.State() == association.StateClosed {
		w.injecting = true
		w.p.Net.Send(w.p.Now, w.addr(1-to), w.addr(to), b)
		w.injecting = false
		return
	}
	var de *association.DiscardError
	if err := a.HandleDatagram(&association.Datagram{Now: w.p.Now, From: w.addr(1 - to), Data: b}); invalid && !errors.As(err, &de) {
		w.fail("side %d accepted a packet with an invalid tag or checksum (error %v): %x", to, err, b)
	}
}

// forge marks the run as forged: the receivers stop checking content.
func (w *world) forge() {
	w.forged = true
	w.rcv[sideA].Lenient, w.rcv[sideZ].Lenient = true, true
}

// markForged gives every DATA chunk of the packet b the PPID forgedPPID,
// walking the chunks the way a receiver does (RFC 9260 Section 3.2).
func markForged(b []byte) {
	for off := 12; off+4 <= len(b); {
		l := int(binary.BigEndian.Uint16(b[off+2:]))
		if l < 4 {
			return
		}
		if chunk.Type(b[off]) == chunk.TypeData && l >= 16 && off+16 <= len(b) {
			binary.BigEndian.PutUint32(b[off+12:], forgedPPID)
		}
		off += (l + 3) &^ 3
	}
}

// genChunk generates one chunk for side `to` from the input.
func (w *world) genChunk(to int, tagKind byte) chunk.Chunk {
	from := 1 - to
	kind, x, y := w.next(), w.next(), w.next()
	d := chunk.TSN(int8(x)) // a small signed offset
	t := chunk.TFlags(0)
	if tagKind == tagReflected {
		t = chunk.FlagT
	}
	switch kind % 16 {
	case 0:
		return &chunk.Data{Flags: chunk.DataFlags(y & 0x0f), TSN: w.lastCum[to] + 1 + d,
			StreamID: chunk.StreamID(y >> 4 % 5), SSN: chunk.SSN(x >> 4), UserData: bytes.Repeat([]byte{x}, 1+int(y))}
	case 1:
		s := &chunk.SACK{CumTSNAck: w.highTSN[to] + d, ARwnd: uint32(y) << (x & 15)}
		for i := range int(y % 4) {
			s.GapBlocks = append(s.GapBlocks, chunk.GapBlock{Start: uint16(2 + 2*i), End: uint16(2 + 2*i + int(x%3))})
		}
		if y&0x40 != 0 {
			s.DupTSNs = []chunk.TSN{w.lastCum[from]}
		}
		return s
	case 2:
		return &chunk.Init{InitiateTag: chunk.VerificationTag(uint32(x)<<8 | uint32(y)), ARwnd: 1 << 16,
			OutboundStreams: uint16(y%8) + 1, InboundStreams: uint16(x%8) + 1, InitialTSN: chunk.TSN(y) << 24}
	case 3:
		return &chunk.InitAck{InitiateTag: chunk.VerificationTag(uint32(x)<<16 | 1), ARwnd: 1 << 16,
			OutboundStreams: 4, InboundStreams: 4, InitialTSN: chunk.TSN(x),
			Params: []chunk.Param{&chunk.StateCookie{Cookie: w.cookieBytes(y)}}}
	case 4:
		return &chunk.CookieEcho{Cookie: w.cookieBytes(y)}
	case 5:
		return &chunk.CookieAck{}
	case 6:
		return &chunk.Shutdown{CumTSNAck: w.highTSN[to] + d}
	case 7:
		return &chunk.ShutdownAck{}
	case 8:
		return &chunk.ShutdownComplete{Flags: t}
	case 9:
		a := &chunk.Abort{Flags: t}
		if y&1 != 0 {
			a.Causes = []chunk.Cause{&chunk.UserInitiatedAbortCause{Reason: []byte{x}}}
		}
		return a
	case 10:
		return &chunk.Heartbeat{Info: w.hbBytes(y)}
	case 11:
		return (*chunk.HeartbeatAck)(&chunk.Heartbeat{Info: w.hbBytes(y)})
	case 12:
		var c chunk.Cause = &chunk.StaleCookieCause{Staleness: uint32(x) * 1000}
		if y&1 != 0 {
			c = &chunk.ProtocolViolationCause{Info: []byte{x, y}}
		}
		return &chunk.OperationError{Causes: []chunk.Cause{c}}
	case 14, 15:
		return w.genReconfig(to, x, y)
	default:
		// PR-SCTP (RFC 3758 Section 3.6), negotiated by both ends: a
		// FORWARD TSN near the cumulative TSN, listing up to three
		// streams (some beyond those negotiated) with SSNs near the
		// start.
		f := &chunk.ForwardTSN{NewCumTSN: w.lastCum[to] + d}
		for i := range int(y % 4) {
			f.Streams = append(f.Streams, chunk.ForwardTSNStream{StreamID: chunk.StreamID((y >> 2) % 6),
				SSN: chunk.SSN(x>>5) + chunk.SSN(i)})
		}
		return f
	}
}

// cookieBytes returns the last State Cookie seen (y even) or garbage.
func (w *world) cookieBytes(y byte) []byte {
	if y&1 == 0 && w.cookie != nil {
		return bytes.Clone(w.cookie)
	}
	return bytes.Repeat([]byte{y}, int(y%64)+1)
}

// hbBytes returns the last Heartbeat Info seen (y even) or garbage.
func (w *world) hbBytes(y byte) []byte {
	if y&1 == 0 && w.hbInfo != nil {
		return bytes.Clone(w.hbInfo)
	}
	return bytes.Repeat([]byte{y}, int(y%32)+1)
}

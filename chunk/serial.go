package chunk

import "strconv"

// Serial numbers compare with RFC 1982 serial number arithmetic: a is less
// than b when a != b and the forward distance from a to b is less than half
// the number space. Two numbers exactly half the space apart are unordered:
// neither is less than the other (RFC 1982 Section 3.2). Never compare them
// with < directly.

// TSN is a Transmission Sequence Number (RFC 9260 Section 3.3.1), a 32-bit
// serial number (RFC 9260 Section 1.6).
type TSN uint32

// LT reports whether t precedes u in serial number arithmetic.
func (t TSN) LT(u TSN) bool { return t != u && uint32(u-t) < 1<<31 }

// LE reports whether t precedes or equals u.
func (t TSN) LE(u TSN) bool { return t == u || t.LT(u) }

// GT reports whether t follows u in serial number arithmetic.
func (t TSN) GT(u TSN) bool { return u.LT(t) }

// GE reports whether t follows or equals u.
func (t TSN) GE(u TSN) bool { return t == u || u.LT(t) }

// Add returns t advanced by n, wrapping at 2^32.
func (t TSN) Add(n uint32) TSN { return t + TSN(n) }

// Sub returns the forward distance from u to t, modulo 2^32.
func (t TSN) Sub(u TSN) uint32 { return uint32(t - u) }

// String returns the decimal value.
func (t TSN) String() string { return strconv.FormatUint(uint64(t), 10) }

// SSN is a Stream Sequence Number (RFC 9260 Section 3.3.1), a 16-bit serial
// number.
type SSN uint16

// LT reports whether s precedes u in serial number arithmetic.
func (s SSN) LT(u SSN) bool { return s != u && uint16(u-s) < 1<<15 }

// LE reports whether s precedes or equals u.
func (s SSN) LE(u SSN) bool { return s == u || s.LT(u) }

// GT reports whether s follows u in serial number arithmetic.
func (s SSN) GT(u SSN) bool { return u.LT(s) }

// GE reports whether s follows or equals u.
func (s SSN) GE(u SSN) bool { return s == u || u.LT(s) }

// Add returns s advanced by n, wrapping at 2^16.
func (s SSN) Add(n uint16) SSN { return s + SSN(n) }

// String returns the decimal value.
func (s SSN) String() string { return strconv.FormatUint(uint64(s), 10) }

// MID is a Message Identifier of I-DATA (RFC 8260 Section 2.1), a 32-bit
// serial number.
type MID uint32

// LT reports whether m precedes u in serial number arithmetic.
func (m MID) LT(u MID) bool { return m != u && uint32(u-m) < 1<<31 }

// LE reports whether m precedes or equals u.
func (m MID) LE(u MID) bool { return m == u || m.LT(u) }

// GT reports whether m follows u in serial number arithmetic.
func (m MID) GT(u MID) bool { return u.LT(m) }

// GE reports whether m follows or equals u.
func (m MID) GE(u MID) bool { return m == u || u.LT(m) }

// Add returns m advanced by n, wrapping at 2^32.
func (m MID) Add(n uint32) MID { return m + MID(n) }

// String returns the decimal value.
func (m MID) String() string { return strconv.FormatUint(uint64(m), 10) }

// FSN is a Fragment Sequence Number of I-DATA (RFC 8260 Section 2.1), a
// 32-bit serial number.
type FSN uint32

// LT reports whether f precedes u in serial number arithmetic.
func (f FSN) LT(u FSN) bool { return f != u && uint32(u-f) < 1<<31 }

// LE reports whether f precedes or equals u.
func (f FSN) LE(u FSN) bool { return f == u || f.LT(u) }

// GT reports whether f follows u in serial number arithmetic.
func (f FSN) GT(u FSN) bool { return u.LT(f) }

// GE reports whether f follows or equals u.
func (f FSN) GE(u FSN) bool { return f == u || u.LT(f) }

// Add returns f advanced by n, wrapping at 2^32.
func (f FSN) Add(n uint32) FSN { return f + FSN(n) }

// String returns the decimal value.
func (f FSN) String() string { return strconv.FormatUint(uint64(f), 10) }

// StreamID is a stream identifier (RFC 9260 Section 3.3.1).
type StreamID uint16

// String returns the decimal value.
func (s StreamID) String() string { return strconv.FormatUint(uint64(s), 10) }

// PPID is a Payload Protocol Identifier (RFC 9260 Section 3.3.1). It is
// opaque to SCTP and carried in network byte order.
type PPID uint32

// String returns the decimal value.
func (p PPID) String() string { return strconv.FormatUint(uint64(p), 10) }

// VerificationTag is an SCTP verification tag (RFC 9260 Section 3.1), also
// carried as the Initiate Tag of INIT and INIT ACK.
type VerificationTag uint32

// String returns the tag in hexadecimal.
func (v VerificationTag) String() string {
	return "0x" + strconv.FormatUint(uint64(v), 16)
}

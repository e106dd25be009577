// Package chunk parses and builds every SCTP chunk, chunk parameter and error
// cause, and defines the serial-number types (TSN, SSN, MID, FSN).
//
// It is the only package of gensctp that knows byte layouts, and it imports
// the standard library only.
//
// Implemented wire formats:
//   - RFC 9260 Section 3 (https://www.rfc-editor.org/rfc/rfc9260#section-3):
//     all base chunks, INIT and INIT ACK parameters, and error causes.
//   - RFC 3758 (FORWARD-TSN, Forward-TSN-Supported).
//   - RFC 4820 (PAD chunk, Padding parameter).
//   - RFC 4895 (AUTH, Random, Chunk List, Requested HMAC Algorithm,
//     Unsupported HMAC Identifier).
//   - RFC 5061 (ASCONF, ASCONF-ACK, their parameters and error causes,
//     Supported Extensions, Adaptation Layer Indication).
//   - RFC 6525 (RE-CONFIG and its parameters).
//   - RFC 8260 (I-DATA, I-FORWARD-TSN).
//   - RFC 9653 (Zero Checksum Acceptable).
//
// # Conventions
//
// Every wire type T has a Len method giving the number of bytes its Append
// method adds (for chunks this includes the padding to a multiple of 4
// bytes), an Append method that appends the encoding to a slice and returns
// the extended slice, and a Parse method that fills the receiver from the
// start of a byte slice and returns the number of bytes consumed.
//
// Parsing is zero-copy: byte-slice fields of a parsed value (user data,
// cookies, heartbeat information, unknown TLVs) alias the input buffer. A
// caller that keeps a parsed value beyond the life of the buffer must copy
// those fields.
//
// Every parse error is a *ParseError naming the chunk, parameter or error
// cause type, the byte offset, and the RFC 9260 error cause that a receiver
// should report, if any. Short input wraps io.ErrUnexpectedEOF.
//
// Unknown chunk, parameter and error cause types are kept as raw TLVs
// (Unknown, UnknownParam, UnknownCause); their Action methods read the two
// high-order bits of the type (RFC 9260 Sections 3.2 and 3.2.1) so that the
// association can apply them.
package chunk

// Package packet handles SCTP packets as a whole: the common header (RFC
// 9260 Section 3.1), the CRC32c checksum (RFC 9260 Section 6.8 and Appendix
// A) with the zero-checksum option (RFC 9653), iteration over the chunks of
// a received packet, and building a packet from chunks within a size budget.
//
// The bundling rules of RFC 9260 Section 6.10 and the header rules of
// Section 3.1 are reported as Findings, never silently applied: deciding what
// to do about them is the association's job.
//
// References:
//   - https://www.rfc-editor.org/rfc/rfc9260#section-3.1
//   - https://www.rfc-editor.org/rfc/rfc9260#section-6.8
//   - https://www.rfc-editor.org/rfc/rfc9260#section-6.10
//   - https://www.rfc-editor.org/rfc/rfc9653
package packet

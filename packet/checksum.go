package packet

import (
	"encoding/binary"
	"hash/crc32"
)

// castagnoli is the CRC32c table. hash/crc32 recognises the Castagnoli
// polynomial and uses the CPU's CRC32 instructions where they exist: SSE 4.2
// on amd64 (with a PCLMULQDQ-free three-way interleaved loop) and the ARMv8
// CRC32C instructions on arm64; elsewhere it uses slicing-by-8 tables.
// BenchmarkChecksum against BenchmarkChecksumReference (a bytewise table
// implementation in the tests) shows which path was taken.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Checksum returns the CRC32c of the SCTP packet b computed as RFC 9260
// Section 6.8 describes: over the whole packet with the checksum field
// taken as zero. b is not modified. b must hold at least HeaderLen bytes;
// Checksum returns 0 otherwise.
func Checksum(b []byte) uint32 {
	if len(b) < HeaderLen {
		return 0
	}
	if b[8]|b[9]|b[10]|b[11] == 0 {
		// The field is zero already (a packet being built): one pass.
		return crc32.Update(0, castagnoli, b)
	}
	crc := crc32.Update(0, castagnoli, b[:8])
	crc = crc32.Update(crc, castagnoli, zero4[:])
	return crc32.Update(crc, castagnoli, b[HeaderLen:])
}

// zero4 stands in for the checksum field while computing the checksum.
var zero4 [4]byte

// SetChecksum computes the CRC32c of the packet b and writes it into the
// checksum field. The CRC is stored least significant byte first, the byte
// order of the reflected CRC32c of RFC 9260 Appendix A that every
// implementation uses.
func SetChecksum(b []byte) {
	if len(b) < HeaderLen {
		return
	}
	b[8], b[9], b[10], b[11] = 0, 0, 0, 0
	binary.LittleEndian.PutUint32(b[8:], crc32.Update(0, castagnoli, b))
}

// checksumField returns the checksum field as SetChecksum writes it.
func checksumField(b []byte) uint32 { return binary.LittleEndian.Uint32(b[8:]) }

// VerifyChecksum checks the checksum of the packet b (RFC 9260 Section 6.8).
// With acceptZero, a checksum field of zero is accepted without computing
// the CRC, as RFC 9653 Section 5.3 allows once both ends have agreed on an
// alternate error detection method; zero reports that case. Any non-zero
// field is always verified.
func VerifyChecksum(b []byte, acceptZero bool) (zero bool, err error) {
	if len(b) < HeaderLen {
		return false, &Error{Err: ErrTruncated, Offset: len(b)}
	}
	got := checksumField(b)
	if got == 0 && acceptZero {
		return true, nil
	}
	if want := Checksum(b); got != want {
		return false, &Error{Err: ErrChecksum, Offset: 8}
	}
	return false, nil
}

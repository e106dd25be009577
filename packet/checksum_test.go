package packet

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// referenceCRC32c is a bytewise, table-driven CRC32c written from RFC 9260
// Appendix A (reflected polynomial 0x82F63B78), independent of hash/crc32.
func referenceCRC32c(b []byte) uint32 {
	crc := ^uint32(0)
	for _, c := range b {
		crc = refTable[byte(crc)^c] ^ crc>>8
	}
	return ^crc
}

var refTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i)
		for k := 0; k < 8; k++ {
			if c&1 != 0 {
				c = c>>1 ^ 0x82F63B78
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()

// Test vectors of RFC 3720 Appendix B.4 (the iSCSI CRC32c, the same CRC).
func TestCRC32cVectors(t *testing.T) {
	zeros := make([]byte, 32)
	ones := bytes.Repeat([]byte{0xff}, 32)
	inc := make([]byte, 32)
	for i := range inc {
		inc[i] = byte(i)
	}
	for _, tt := range []struct {
		in   []byte
		want uint32
	}{
		{zeros, 0x8a9136aa},
		{ones, 0x62a8ab43},
		{inc, 0x46dd794e},
		{[]byte("123456789"), 0xe3069283},
	} {
		require.Equal(t, tt.want, referenceCRC32c(tt.in))
		// Checksum treats bytes 8..11 as zero; put the vector behind a
		// zero header so that the whole input is covered.
		pkt := append(make([]byte, HeaderLen), tt.in...)
		require.Equal(t, referenceCRC32c(pkt), Checksum(pkt))
	}
}

func TestChecksumIgnoresField(t *testing.T) {
	pkt := []byte{0x13, 0x88, 0x13, 0x88, 1, 2, 3, 4, 0xaa, 0xbb, 0xcc, 0xdd, 0, 0xb, 0, 4}
	want := Checksum(pkt)
	orig := bytes.Clone(pkt)
	SetChecksum(pkt)
	require.Equal(t, orig[:8], pkt[:8], "SetChecksum changes only the field")
	require.Equal(t, want, Checksum(pkt))
	zeroed := bytes.Clone(pkt)
	copy(zeroed[8:12], []byte{0, 0, 0, 0})
	require.Equal(t, referenceCRC32c(zeroed), want)
	// Stored least significant byte first.
	require.Equal(t, byte(want), pkt[8])
	require.Equal(t, byte(want>>24), pkt[11])

	_, err := VerifyChecksum(pkt, false)
	require.NoError(t, err)
	pkt[len(pkt)-1] ^= 1
	_, err = VerifyChecksum(pkt, false)
	require.ErrorIs(t, err, ErrChecksum)
}

// RFC 9653 Section 5.3: a zero checksum is accepted only when allowed, and
// a non-zero checksum is always checked.
func TestVerifyZeroChecksum(t *testing.T) {
	pkt := []byte{0x13, 0x88, 0x13, 0x88, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0xb, 0, 4}
	zero, err := VerifyChecksum(pkt, true)
	require.NoError(t, err)
	require.True(t, zero)
	_, err = VerifyChecksum(pkt, false)
	require.ErrorIs(t, err, ErrChecksum)
	pkt[8] = 1 // wrong non-zero checksum
	_, err = VerifyChecksum(pkt, true)
	require.ErrorIs(t, err, ErrChecksum)
	SetChecksum(pkt)
	zero, err = VerifyChecksum(pkt, true)
	require.NoError(t, err)
	require.False(t, zero)
}

func TestChecksumShort(t *testing.T) {
	require.Equal(t, uint32(0), Checksum([]byte{1, 2, 3}))
	_, err := VerifyChecksum([]byte{1, 2, 3}, false)
	require.ErrorIs(t, err, ErrTruncated)
}

func benchPacket(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

// BenchmarkChecksum is CRC32c over a 1200-byte packet through hash/crc32.
func BenchmarkChecksum(b *testing.B) {
	pkt := benchPacket(1200)
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	var sink uint32
	for b.Loop() {
		sink += Checksum(pkt)
	}
	_ = sink
}

// BenchmarkChecksumReference is the bytewise reference over the same
// packet. The ratio to BenchmarkChecksum shows whether hash/crc32 took a
// hardware path (an order of magnitude or more faster) or slicing-by-8
// (a few times faster).
func BenchmarkChecksumReference(b *testing.B) {
	pkt := benchPacket(1200)
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	var sink uint32
	for b.Loop() {
		sink += referenceCRC32c(pkt)
	}
	_ = sink
}

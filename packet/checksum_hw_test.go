package packet

import (
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestChecksumHardwarePath: hash/crc32 computes Castagnoli with the CPU's
// CRC32 instructions when the CPU has them (crc32_amd64.go: SSE 4.2;
// crc32_arm64.go: the ARMv8 CRC32 feature) and falls back to
// slicing-by-8 tables otherwise. On amd64 and arm64 this asserts that the
// feature is there, so the hardware path is the one taken; the speed
// ratio is shown by BenchmarkChecksum against BenchmarkChecksumReference
// (README, Benchmarks).
func TestChecksumHardwarePath(t *testing.T) {
	switch runtime.GOARCH {
	case "amd64":
		if !cpu.X86.HasSSE42 {
			t.Fatal("no SSE 4.2: hash/crc32 uses its table fallback for CRC32c")
		}
	case "arm64":
		if !cpu.ARM64.HasCRC32 {
			t.Fatal("no CRC32 instructions: hash/crc32 uses its table fallback for CRC32c")
		}
	default:
		t.Logf("%s: hash/crc32 may use tables for CRC32c", runtime.GOARCH)
	}
	// Whatever the path, it computes the same CRC as the bytewise
	// reference.
	pkt := benchPacket(1200)
	zeroed := append([]byte(nil), pkt...)
	clear(zeroed[8:12])
	if got, want := Checksum(pkt), referenceCRC32c(zeroed); got != want {
		t.Fatalf("Checksum = %#x, reference %#x", got, want)
	}
}

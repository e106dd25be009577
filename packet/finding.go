package packet

import "strings"

// Findings is a set of rule violations noticed in a packet that do not stop
// it from being parsed. The receiver decides what to do about each.
type Findings uint16

// The findings Parse and Builder report.
const (
	// FindingUnbundleable: an INIT, INIT ACK or SHUTDOWN COMPLETE chunk
	// shares the packet with other chunks. RFC 9260 Section 6.10: "An
	// endpoint MUST NOT bundle INIT, INIT ACK, or SHUTDOWN COMPLETE chunks
	// with any other chunks."
	FindingUnbundleable Findings = 1 << iota
	// FindingControlAfterData: a control chunk follows a DATA or I-DATA
	// chunk. RFC 9260 Section 6.10: "When bundling control chunks with
	// DATA chunks, an endpoint MUST place control chunks first in the
	// outbound SCTP packet."
	FindingControlAfterData
	// FindingCookieEchoNotFirst: a COOKIE ECHO chunk is preceded by a
	// chunk other than AUTH. RFC 9260 Section 3.2.2: "Any time a COOKIE
	// ECHO chunk is sent in a packet, it MUST be the first chunk." (RFC
	// 4895 Section 6.3 lets an AUTH chunk precede it.)
	FindingCookieEchoNotFirst
	// FindingInitTagNotZero: a packet with an INIT chunk has a non-zero
	// verification tag. RFC 9260 Section 3.1: "A packet containing an INIT
	// chunk MUST have a zero Verification Tag."
	FindingInitTagNotZero
	// FindingZeroPort: a source or destination port is 0. RFC 9260
	// Section 3.1: "The Source Port Number 0 MUST NOT be used." and "The
	// Destination Port Number 0 MUST NOT be used."
	FindingZeroPort
	// FindingZeroChecksum: the checksum field is zero and was accepted
	// without verification (RFC 9653 Section 5.3).
	FindingZeroChecksum
	// FindingDroppedTail: a malformed chunk envelope (a Chunk Length
	// below 4, a chunk running past the end of the packet, or 1 to 3
	// bytes left over) follows well-formed chunks; it and anything after
	// it were dropped. RFC 9260 Section 6.10: "If the receiver detects a
	// partial chunk, it MUST drop the chunk"; the chunks before it are
	// processed ("An endpoint MUST process received chunks in their order
	// in the packet").
	FindingDroppedTail
)

var findingNames = [...]string{
	"unbundleable chunk bundled",
	"control chunk after DATA",
	"COOKIE ECHO not first",
	"INIT with non-zero verification tag",
	"zero port",
	"zero checksum accepted",
	"malformed chunk dropped",
}

// Has reports whether every finding in g is in f.
func (f Findings) Has(g Findings) bool { return f&g == g }

// String lists the findings, separated by commas.
func (f Findings) String() string {
	var names []string
	for i, n := range findingNames {
		if f&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	if rest := f &^ (1<<len(findingNames) - 1); rest != 0 {
		names = append(names, "unknown")
	}
	return strings.Join(names, ", ")
}

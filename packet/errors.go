package packet

import (
	"errors"
	"io"
	"strconv"
)

// Errors wrapped by *Error. Malformed chunks inside a packet are reported
// as *chunk.ParseError with the offset counted from the packet start.
var (
	// ErrTruncated reports a packet shorter than its common header. It is
	// io.ErrUnexpectedEOF, the truncation error of package chunk.
	ErrTruncated = io.ErrUnexpectedEOF
	// ErrChecksum reports a CRC32c mismatch (RFC 9260 Section 6.8: the
	// receiver "MUST treat the packet as an invalid SCTP packet").
	ErrChecksum = errors.New("checksum mismatch")
	// ErrNoChunks reports a packet with a common header and nothing else.
	ErrNoChunks = errors.New("no chunks")
	// ErrPadding reports 1 to 3 bytes left after the last chunk, which
	// cannot be a chunk and are more padding than the last chunk needs.
	ErrPadding = errors.New("invalid padding after the last chunk")
)

// Error is a problem with a packet as a whole.
type Error struct {
	// Err is ErrTruncated, ErrChecksum, ErrNoChunks or ErrPadding.
	Err error
	// Offset is the byte offset of the problem from the packet start.
	Offset int
}

// Error implements error.
func (e *Error) Error() string {
	return "packet: " + e.Err.Error() + " at offset " + strconv.Itoa(e.Offset)
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

package stream

import (
	"errors"
	"strconv"

	"github.com/gensctp/gensctp/chunk"
)

// Errors returned by SendQueue and Reassembly. Test for them with errors.Is.
var (
	// ErrInvalidStream reports a stream identifier at or above the number
	// of streams negotiated in that direction. On receipt the association
	// answers with the "Invalid Stream Identifier" cause (RFC 9260 Section
	// 6.5: "If an endpoint receives a DATA chunk with an invalid stream
	// identifier, it SHOULD acknowledge the reception of the DATA chunk
	// following the normal procedure, immediately send an ERROR chunk with
	// cause set to "Invalid Stream Identifier" (see Section 3.3.10), and
	// discard the DATA chunk.").
	ErrInvalidStream = errors.New("stream: invalid stream identifier")
	// ErrEmptyMessage reports a nil message or one without user data (RFC
	// 9260 Section 3.3.1: "L MUST be greater than 0"). On receipt the
	// association answers with the "No User Data" cause.
	ErrEmptyMessage = errors.New("stream: message without user data")
	// ErrAlreadyQueued reports an OutMessage passed to Enqueue while it is
	// still queued.
	ErrAlreadyQueued = errors.New("stream: message already queued")
	// ErrInvalidStreamValue reports a per-stream scheduler value the
	// scheduler refuses: a weight of 0 for WeightedFairQueueing.
	ErrInvalidStreamValue = errors.New("stream: invalid stream scheduler value")
	// ErrInvalidFragment reports a DATA chunk that cannot be part of a
	// valid message given the chunks Reassembly holds: flags, stream,
	// unordered bit or SSN that contradict a neighbouring fragment, an SSN
	// already delivered or used twice, or a TSN already held. The returned
	// error is a *FragmentError. The association treats it as a protocol
	// violation.
	ErrInvalidFragment = errors.New("stream: invalid fragment")
)

// FragmentError describes a DATA chunk that Reassembly refused; it wraps
// ErrInvalidFragment. Reassembly is unchanged by a refused chunk.
type FragmentError struct {
	// TSN, Stream and SSN are those of the refused chunk.
	TSN    chunk.TSN
	Stream chunk.StreamID
	SSN    chunk.SSN
	// MID is the Message Identifier of a refused I-DATA chunk, whose
	// lower-order 16 bits SSN holds; zero for DATA.
	MID chunk.MID
	// Reason says what is inconsistent, in a few words.
	Reason string
}

// Error implements error.
func (e *FragmentError) Error() string {
	return "stream: invalid fragment TSN " + e.TSN.String() +
		" stream " + e.Stream.String() + " SSN " + strconv.Itoa(int(e.SSN)) +
		": " + e.Reason
}

// Unwrap returns ErrInvalidFragment.
func (e *FragmentError) Unwrap() error { return ErrInvalidFragment }

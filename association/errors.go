package association

import (
	"errors"
	"fmt"

	"github.com/gensctp/gensctp/chunk"
)

// Errors returned by the user operations. Test with errors.Is.
var (
	// ErrClosed: the association is closed (or closing, for Send).
	ErrClosed = errors.New("association: closed")
	// ErrNotEstablished: the operation needs an established association.
	ErrNotEstablished = errors.New("association: not established")
	// ErrInvalidStream: the stream is at or above the negotiated number
	// of outbound streams.
	ErrInvalidStream = errors.New("association: invalid stream")
	// ErrEmptyMessage: a message has no data (RFC 9260 Section 6.2: "An
	// endpoint SHOULD NOT send a DATA chunk with no user data part").
	ErrEmptyMessage = errors.New("association: empty message")
	// ErrMessageTooLarge: the message does not fit in one DATA chunk and
	// fragmentation is disabled (RFC 9260 Section 6.9), or exceeds the
	// send buffer.
	ErrMessageTooLarge = errors.New("association: message too large")
	// ErrWouldBlock: the send buffer is full; retry after data was
	// acknowledged.
	ErrWouldBlock = errors.New("association: send buffer full")
	// ErrInProgress: Connect was called on an association that is not
	// closed.
	ErrInProgress = errors.New("association: already connecting or connected")

	errNoPeer = errors.New("association: no peer address")
)

// DiscardError explains why a received packet was dropped: RFC 9260
// discards invalid packets silently, so this is for counters, logs and
// tests, never for the peer.
type DiscardError struct {
	Reason string
	Chunk  chunk.Type
	Err    error
}

// Error implements error.
func (e *DiscardError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("association: discarded packet (%s, %v): %v", e.Reason, e.Chunk, e.Err)
	}
	return fmt.Sprintf("association: discarded packet (%s, %v)", e.Reason, e.Chunk)
}

// Unwrap returns the underlying error, if any.
func (e *DiscardError) Unwrap() error { return e.Err }

func discard(reason string, t chunk.Type, err error) error {
	return &DiscardError{Reason: reason, Chunk: t, Err: err}
}

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
	// ErrInitTooLarge: the INIT chunk (with the local addresses it lists)
	// does not fit the PMTU of the primary path, so it cannot be sent
	// (RFC 9260 Section 6.10). Connect returns it; a later INIT that no
	// longer fits ends the attempt with a CantAssoc carrying it.
	ErrInitTooLarge = errors.New("association: INIT too large for the path MTU")
	// ErrCookieTooLarge: the State Cookie of the peer's INIT ACK does not
	// fit in a COOKIE ECHO within the PMTU of the primary path, so it
	// cannot be echoed (RFC 9260 Section 6.10). The attempt ends with a
	// CantAssoc AssocChange whose Err is this error.
	ErrCookieTooLarge = errors.New("association: State Cookie too large for the path MTU")

	// ErrRefused: the peer answered the INIT or the COOKIE ECHO with an
	// ABORT (RFC 9260 Section 9.1), as an endpoint does for an INIT to
	// an SCTP port where nothing listens (Section 8.4): the attempt ends
	// with a CantAssoc AssocChange whose Err is this error.
	ErrRefused = errors.New("association: refused by the peer (ABORT during the handshake)")
	// ErrNoAnswer: the INIT or the COOKIE ECHO went unanswered
	// Max.Init.Retransmits times (RFC 9260 Section 5.1.6: "A" considers
	// "Z" unreachable): the attempt ends with a CantAssoc AssocChange
	// whose Err is this error.
	ErrNoAnswer = errors.New("association: no answer to the handshake")
	// ErrNoCookieAck is the ErrNoAnswer (errors.Is holds) of an attempt
	// whose INIT was answered: the COOKIE ECHO went unanswered.
	ErrNoCookieAck = fmt.Errorf("%w (INIT ACK received, no COOKIE ACK)", ErrNoAnswer)

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

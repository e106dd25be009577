package endpoint

import (
	"errors"
	"fmt"

	"github.com/gensctp/gensctp/chunk"
)

// Errors of the user operations. Test with errors.Is.
var (
	// ErrInvalidConfig is wrapped by the errors of New for a bad Config.
	ErrInvalidConfig = errors.New("endpoint: invalid configuration")
	// ErrTooManyAssociations: Config.MaxAssociations or Config.AssocQuota
	// is reached.
	ErrTooManyAssociations = errors.New("endpoint: too many associations")
	// ErrAssociationExists: an association with one of the peer
	// addresses and the peer port exists already (RFC 9260 Section 1.4:
	// an association is identified by the transport addresses of both
	// ends).
	ErrAssociationExists = errors.New("endpoint: association exists")
	// ErrNoPeer: Connect got no peer address, or peer port 0.
	ErrNoPeer = errors.New("endpoint: no peer address or port")
	// ErrTagsExhausted: no free verification tag was drawn in a few tries
	// (the randomness source is broken).
	ErrTagsExhausted = errors.New("endpoint: no free verification tag")
	// ErrClosed: the endpoint was closed or aborted.
	ErrClosed = errors.New("endpoint: closed")
	// ErrPortInUse: Mux.Add got an endpoint for a port that has one.
	ErrPortInUse = errors.New("endpoint: SCTP port in use")
)

// DropReason says why HandleDatagram discarded a packet or answered it
// without handing it to an association.
type DropReason uint8

// The reasons of a DropError.
const (
	// DropMalformed: packet.Parse rejected the packet (CRC32c, header,
	// chunk envelopes).
	DropMalformed DropReason = iota + 1
	// DropZeroPort: a port is 0 (RFC 9260 Section 3.1).
	DropZeroPort
	// DropNonUnicast: RFC 9260 Section 8.4 rule 1.
	DropNonUnicast
	// DropBadInit: a packet with tag 0 that is not a lone INIT, an INIT
	// with a non-zero tag, or an INIT with Initiate Tag 0 (RFC 9260
	// Sections 8.5.1 A and 3.3.2).
	DropBadInit
	// DropTag: the verification tag belongs to no association of the
	// peer (RFC 9260 Section 8.5: "the receiver MUST silently discard
	// the packet").
	DropTag
	// DropOutOfTheBlue: no association; handled by the out-of-the-blue
	// rules of RFC 9260 Section 8.4 (Rule says which; the reply, if any,
	// is queued).
	DropOutOfTheBlue
	// DropNotListening: an INIT or COOKIE ECHO for a new association
	// while the endpoint does not listen; an ABORT is queued.
	DropNotListening
	// DropFull: MaxAssociations or AssocQuota reached; an ABORT with
	// "Out of Resource" is queued.
	DropFull
	// DropBacklogFull: a one-to-one listener's backlog (or BacklogQuota)
	// is full; the COOKIE ECHO is dropped silently.
	DropBacklogFull
	// DropCookie: the acceptor refused a COOKIE ECHO (RFC 9260 Section
	// 5.1.5; a stale cookie's ERROR reply is queued).
	DropCookie
	// DropReplyQueueFull: a reply was due but MaxPendingReplies were
	// queued already.
	DropReplyQueueFull
	// DropInitRate: an INIT from a source over Config.InitRate, or a
	// COOKIE ECHO that is refused (DropNotListening, DropFull) from a
	// source over it; it is discarded silently.
	DropInitRate
	// DropUnboundAddress: a packet of an association of the port that
	// arrived on a local address no endpoint binds (one the association
	// deleted, RFC 5061, to which the peer's packets sent before its
	// ASCONF-ACK still come); it is discarded silently (Mux).
	DropUnboundAddress
)

var dropNames = [...]string{
	DropMalformed:      "malformed",
	DropZeroPort:       "zero port",
	DropNonUnicast:     "non-unicast address",
	DropBadInit:        "bad INIT or zero tag",
	DropTag:            "verification tag",
	DropOutOfTheBlue:   "out of the blue",
	DropNotListening:   "not listening",
	DropFull:           "too many associations",
	DropBacklogFull:    "backlog full",
	DropCookie:         "cookie refused",
	DropReplyQueueFull: "reply queue full",
	DropInitRate:       "INIT rate",
	DropUnboundAddress: "address not bound",
}

// String names the reason.
func (r DropReason) String() string {
	if int(r) < len(dropNames) && dropNames[r] != "" {
		return dropNames[r]
	}
	return "unknown"
}

// DropError explains a packet that HandleDatagram did not hand to an
// association. RFC 9260 discards invalid packets silently: it is for
// counters, logs and tests. Errors of the association a packet went to
// are returned as they are (*association.DiscardError).
type DropError struct {
	Reason DropReason
	// Rule is the rule of RFC 9260 Section 8.4 applied (1 to 8) for
	// DropOutOfTheBlue and DropNonUnicast, else 0.
	Rule int
	// Chunk is the type of the first chunk, when known.
	Chunk chunk.Type
	// Err is the underlying error (a parse error), if any.
	Err error
}

// Error implements error.
func (e *DropError) Error() string {
	s := "endpoint: dropped packet: " + e.Reason.String()
	if e.Rule != 0 {
		s += fmt.Sprintf(" (RFC 9260 Section 8.4 rule %d)", e.Rule)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *DropError) Unwrap() error { return e.Err }

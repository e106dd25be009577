package sctp

import (
	"errors"
	"fmt"
	"os"
)

// The errors of the package, named as pion/sctp names them; each is
// usable with errors.Is.
var (
	// ErrAssociationClosed: the association is shut down, aborted or
	// closed (OpenStream, writes, reads after the end).
	ErrAssociationClosed = errors.New("association closed")
	// ErrAssociationClosedBeforeConn: the association ended before its
	// handshake completed (Client, Server).
	ErrAssociationClosedBeforeConn = errors.New("association closed before connecting")
	// ErrPayloadDataStateNotExist: a write to an association that is no
	// longer established.
	ErrPayloadDataStateNotExist = errors.New("sending payload data in non-established state")
	// ErrResetPacketInStateNotExist: Stream.Close on an association that
	// is no longer established.
	ErrResetPacketInStateNotExist = errors.New("sending reset packet in non-established state")
	// ErrShutdownNonEstablished: Shutdown of an association that is not
	// established.
	ErrShutdownNonEstablished = errors.New("shutdown called in non-established state")
	// ErrOutboundPacketTooLarge: a message larger than the association's
	// MaxMessageSize.
	ErrOutboundPacketTooLarge = errors.New("outbound packet larger than maximum message size")
	// ErrStreamClosed: a write to a stream after its Close.
	ErrStreamClosed = errors.New("stream closed")
	// ErrReadDeadlineExceeded: the stream's read deadline passed; it is
	// also os.ErrDeadlineExceeded.
	ErrReadDeadlineExceeded = fmt.Errorf("read deadline exceeded: %w", os.ErrDeadlineExceeded)
	// ErrNoNetConn: Client or Server without Config.NetConn.
	ErrNoNetConn = errors.New("no NetConn")
	// ErrSNAPNotSupported: SNAP (the out-of-band handshake of sctp-init
	// in SDP, WithSNAP and GenerateOutOfBandToken) is not implemented.
	ErrSNAPNotSupported = errors.New("SNAP (sctp-init) is not supported by gensctp")
	// ErrAssociationRestarted: a blocking write whose message was
	// dropped, not sent, by the peer's restart (RFC 9260 Section 5.2.4).
	ErrAssociationRestarted = errors.New("remote SCTP association restarted")
	// ErrInvalidOption: an option with a value pion/sctp refuses (a nil
	// logger factory or conn, a zero size).
	ErrInvalidOption = errors.New("invalid option")
)

package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/endpoint"
)

// Atom is a gen_sctp reason atom, as in {error, Reason}: "einval",
// "eagain", "closed", "timeout", ... Every *Error carries one, so that
// code ported from Erlang can match on the same reasons; Go code tests
// the error itself with errors.Is and errors.As.
type Atom string

// String returns the atom.
func (a Atom) String() string { return string(a) }

// The reason atoms used by this package.
const (
	Badarg       Atom = "badarg"       // a bad option or argument
	Einval       Atom = "einval"       // invalid argument or state
	Eagain       Atom = "eagain"       // would block (non_block_send)
	Closed       Atom = "closed"       // the socket is closed
	Timeout      Atom = "timeout"      // a deadline or context expired
	Epipe        Atom = "epipe"        // the association is closed or shutting down
	Emsgsize     Atom = "emsgsize"     // message too large
	Enotconn     Atom = "enotconn"     // no association
	Eisconn      Atom = "eisconn"      // already connected to that peer
	Eaddrinuse   Atom = "eaddrinuse"   // the SCTP or UDP port is taken
	Enobufs      Atom = "enobufs"      // too many associations
	Enotsup      Atom = "enotsup"      // not supported
	Econnrefused Atom = "econnrefused" // reserved for the options work
	Ecanceled    Atom = "ecanceled"    // the context was cancelled
	Nxdomain     Atom = "nxdomain"     // a host name does not resolve
)

// Errors of this package, wrapped in an *Error. Test with errors.Is.
var (
	// ErrWouldBlock: the send buffer is full and non_block_send is set
	// (reason eagain).
	ErrWouldBlock = errors.New("sctp: send buffer full")
	// ErrInvalidStream: the stream is at or above the negotiated number
	// of outbound streams (reason einval).
	ErrInvalidStream = errors.New("sctp: invalid stream")
	// ErrActive: Recv on a socket in active mode (reason einval).
	ErrActive = errors.New("sctp: socket is in active mode")
	// ErrNoAssociation: the association does not exist on this socket
	// (reason einval).
	ErrNoAssociation = errors.New("sctp: no such association")
	// ErrAssociationClosed: the association is closed or shutting down
	// (reason epipe).
	ErrAssociationClosed = errors.New("sctp: association closed")
	// ErrMessageTooLarge: a message does not fit (reason emsgsize).
	ErrMessageTooLarge = errors.New("sctp: message too large")
	// ErrEmptyMessage: Send without data (reason einval).
	ErrEmptyMessage = errors.New("sctp: empty message")
	// ErrInvalidOption: a bad option or option value (reason badarg
	// from Open, einval from Connect and SetOpts).
	ErrInvalidOption = errors.New("sctp: invalid option")
	// ErrNotConnected: a one-to-one socket without an association, or
	// PeerNames without one (reason enotconn).
	ErrNotConnected = errors.New("sctp: not connected")
	// ErrNilSocket: a method was called on a nil *Socket, or on a Conn
	// or Listener without a socket (nil, or the zero value). It wraps
	// net.ErrClosed, as the calls on a closed socket do (reason closed).
	ErrNilSocket = fmt.Errorf("sctp: nil *Socket: %w", net.ErrClosed)
	// ErrConnRefused: the peer refused the association: it answered the
	// INIT (or the COOKIE ECHO) with an ABORT, as an endpoint does when
	// nothing listens on that SCTP port (RFC 9260 Section 8.4). It is the
	// Err of the cant_assoc AssocChange, so that a failed Connect or Dial
	// wraps it; errors.Is(err, syscall.ECONNREFUSED) holds too, as for a
	// refused TCP connection.
	ErrConnRefused error = &errnoError{msg: "sctp: association refused by the peer (its ABORT: nothing listens on that SCTP port, or it turned the association down)",
		errno: syscall.ECONNREFUSED}
	// ErrNoAnswer: the peer never answered the INIT (or the COOKIE ECHO),
	// sent Max.Init.Retransmits times more (SCTPInitMsg MaxAttempts; RFC
	// 9260 Section 5.1.6). It comes wrapped in a *NoAnswerError that
	// names where the INITs went, as the Err of the cant_assoc
	// AssocChange; errors.Is(err, syscall.ETIMEDOUT) holds too, and the
	// *Error's Timeout is true, as for a TCP connect that timed out.
	ErrNoAnswer error = &errnoError{msg: "sctp: handshake retransmissions exhausted (sctp_initmsg max_attempts)", errno: syscall.ETIMEDOUT}
	// ErrDataDiscarded: Close ran out of time (the Linger option's
	// seconds, or without linger the bounds of a graceful close) with
	// data still queued or unacknowledged on associations it then
	// aborted, or an association whose data was queued during its
	// handshake failed to come up: that data was discarded (reason
	// timeout). The socket is closed all the same.
	ErrDataDiscarded = errors.New("sctp: queued data discarded (linger time ran out and associations aborted, or one never came up)")
	// ErrNoPeerAddress: ConnectAddrs or ConnectxInit without a peer
	// address (reason einval); nothing is applied to the socket.
	ErrNoPeerAddress = errors.New("sctp: no peer address to connect to")
	// ErrAlreadyConnected: an association to that peer exists, or a
	// one-to-one socket has one already (reason eisconn).
	ErrAlreadyConnected = errors.New("sctp: already connected")
	// ErrAddrInUse: the SCTP port is taken on that UDP port, or the UDP
	// port cannot be bound (reason eaddrinuse).
	ErrAddrInUse = errors.New("sctp: address in use")
	// ErrTooManyAssociations: the association limit is reached (reason
	// enobufs).
	ErrTooManyAssociations = errors.New("sctp: too many associations")
	// ErrNotSupported: the operation does not apply to this socket type,
	// or needs a protocol extension gensctp does not implement (reason
	// enotsup).
	ErrNotSupported = errors.New("sctp: operation not supported")
	// ErrReadOnly: SetOpts was given a read-only option (sctp_status,
	// sctp_get_peer_addr_info); it is wrapped together with
	// ErrInvalidOption (reason einval, as gen_sctp's setopts).
	ErrReadOnly = errors.New("sctp: read-only option")
	// ErrCookieTooLarge: the peer's State Cookie does not fit in a COOKIE
	// ECHO within the path MTU, so the association cannot be set up:
	// Connect fails with reason cant_assoc, wrapping it (errors.Is).
	ErrCookieTooLarge = association.ErrCookieTooLarge
	// ErrInitTooLarge: the INIT, with the local addresses it lists, does
	// not fit the path MTU (reason einval from Connect).
	ErrInitTooLarge = association.ErrInitTooLarge
	// ErrNXDomain: a host name does not resolve, or to no address of the
	// socket's family (reason nxdomain, as gen_sctp's connect,
	// connect_init and connectx_init). It is wrapped together with the
	// resolver's *net.DNSError (errors.As).
	ErrNXDomain = errors.New("sctp: host not found")
)

// Error is the error returned by the Socket methods: the operation, the
// association and stream concerned, the gen_sctp reason atom and the
// underlying error. Closed sockets give errors.Is(err, net.ErrClosed);
// expired deadlines errors.Is(err, os.ErrDeadlineExceeded) with Timeout
// true; error-class events an *EventError (errors.As).
type Error struct {
	// Op is the operation: "open", "listen", "connect", "send", "recv",
	// "eof", "abort", "peeloff", "setopts", "close", ...
	Op string
	// Assoc is the association concerned, or 0.
	Assoc AssocID
	// Stream is the stream of a send, or -1.
	Stream int
	// Reason is the gen_sctp reason atom.
	Reason Atom
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	s := "sctp " + e.Op
	if e.Assoc != 0 {
		s += " assoc " + strconv.FormatUint(uint64(e.Assoc), 10)
	}
	if e.Stream >= 0 {
		s += " stream " + strconv.Itoa(e.Stream)
	}
	s += ": " + string(e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether a deadline or a context deadline expired, or
// the peer never answered a connect (ErrNoAnswer) (net.Error).
func (e *Error) Timeout() bool {
	return errors.Is(e.Err, os.ErrDeadlineExceeded) || errors.Is(e.Err, context.DeadlineExceeded) ||
		errors.Is(e.Err, ErrNoAnswer)
}

// Temporary reports whether the operation may succeed when retried: a
// full send buffer or a timeout (net.Error; deprecated there, kept for
// the interface).
func (e *Error) Temporary() bool { return e.Timeout() || errors.Is(e.Err, ErrWouldBlock) }

var _ net.Error = (*Error)(nil)

// nilSocketError is the error of operation op called on a nil *Socket.
func nilSocketError(op string) error {
	return &Error{Op: op, Stream: -1, Reason: Closed, Err: ErrNilSocket}
}

// opError wraps err for op, mapping the errors of the layers below to
// this package's errors and reason atoms. It returns nil for nil and
// leaves an *Error as is.
func opError(op string, assoc AssocID, stream int, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	reason, mapped := classify(err)
	return &Error{Op: op, Assoc: assoc, Stream: stream, Reason: reason, Err: mapped}
}

// errorClasses maps errors to reason atoms: an error that is (or wraps)
// one of this package's sentinels is kept; one of the layers below is
// replaced by the sentinel.
var errorClasses = []struct {
	reason Atom
	ours   error
	lower  []error
}{
	{Closed, net.ErrClosed, []error{endpoint.ErrClosed}},
	{Eagain, ErrWouldBlock, []error{association.ErrWouldBlock}},
	{Einval, ErrInvalidStream, []error{association.ErrInvalidStream}},
	{Einval, ErrEmptyMessage, []error{association.ErrEmptyMessage}},
	{Emsgsize, ErrMessageTooLarge, []error{association.ErrMessageTooLarge}},
	{Epipe, ErrAssociationClosed, []error{association.ErrClosed}},
	{Eisconn, ErrAlreadyConnected, []error{endpoint.ErrAssociationExists}},
	{Enobufs, ErrTooManyAssociations, []error{endpoint.ErrTooManyAssociations}},
	{Eaddrinuse, ErrAddrInUse, []error{endpoint.ErrPortInUse}},
	{Enotconn, ErrNotConnected, nil},
	{Timeout, ErrDataDiscarded, nil},
	{Enotsup, ErrNotSupported, nil},
	{Nxdomain, ErrNXDomain, nil},
}

// classify returns the reason atom of err and the error to wrap.
func classify(err error) (Atom, error) {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return Timeout, err
	case errors.Is(err, context.Canceled):
		return Ecanceled, err
	}
	for _, c := range errorClasses {
		if errors.Is(err, c.ours) {
			return c.reason, err
		}
		for _, l := range c.lower {
			if errors.Is(err, l) {
				return c.reason, c.ours
			}
		}
	}
	// ErrActive, ErrNoAssociation, ErrInvalidOption, invalid
	// configurations and anything else.
	return Einval, err
}

// EventError is an event that gen_sctp returns as an error: the
// error-class events SendFailed, RemoteError and PdapiEvent from Recv
// (gen_sctp {error, ...}) and on the active channel (gen_sctp
// {sctp_error, ...}), and the AssocChange of a failed Connect (gen_sctp
// {error, #sctp_assoc_change{}}). It reaches the caller wrapped in an
// *Error whose Reason is the record name (for example sctp_send_failed)
// or, for a failed Connect, the state (for example cant_assoc).
type EventError struct {
	// From is the peer address (IP and SCTP port).
	From netip.AddrPort
	// Event is the event.
	Event Event
}

// Error implements error. The reason of a failed association, if
// known, follows the record.
func (e *EventError) Error() string {
	s := "sctp event " + e.Event.Record() + ": " + e.Event.String()
	if err := e.Unwrap(); err != nil {
		s += ": " + err.Error()
	}
	return s
}

// Unwrap returns the reason of a failed association (the Err of an
// AssocChange, for example ErrCookieTooLarge or ErrConnRefused) or of a
// partial delivery aborted (the Err of a PdapiEvent, for example
// ErrMessageTooLarge), or nil.
func (e *EventError) Unwrap() error {
	switch ev := e.Event.(type) {
	case *AssocChange:
		return ev.Err
	case *PdapiEvent:
		return ev.Err
	}
	return nil
}

// eventReason returns the reason atom of an event returned as an error.
func eventReason(ev Event) Atom {
	if ac, ok := ev.(*AssocChange); ok {
		return Atom(ac.State.String())
	}
	return Atom(ev.Record())
}

// joinedError is errors.Join's error on one line: errors.Is and
// errors.As see each error, and Error separates their messages with ": "
// instead of newlines, so that a log line or a wrapping error stays one
// line.
type joinedError struct{ errs []error }

// joinErrors joins the non-nil errs as errors.Join does (nil when all
// are nil), printing them on one line.
func joinErrors(errs ...error) error {
	e := &joinedError{}
	for _, err := range errs {
		if err != nil {
			e.errs = append(e.errs, err)
		}
	}
	if len(e.errs) == 0 {
		return nil
	}
	return e
}

// Error implements error.
func (e *joinedError) Error() string {
	var b strings.Builder
	for i, err := range e.errs {
		if i > 0 {
			b.WriteString(": ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns the joined errors.
func (e *joinedError) Unwrap() []error { return e.errs }

// errnoError is a sentinel error that also matches a system error number
// (errors.Is), so that code written for the net package's errors works.
type errnoError struct {
	msg   string
	errno syscall.Errno
}

// Error implements error.
func (e *errnoError) Error() string { return e.msg }

// Is reports whether target is e's system error number.
func (e *errnoError) Is(target error) bool { return target == error(e.errno) }

// NoAnswerError is the error of a connect the peer never answered (no
// INIT ACK came back, or no COOKIE ACK): it names where the INITs went,
// since a wrong UDP encapsulation port (RFC 6951; RemoteUDPPort,
// RemoteUDPPortFor) is the usual cause when no INIT ACK came. It wraps
// ErrNoAnswer, as the Err of the cant_assoc AssocChange once the INITs
// (or COOKIE ECHOs) are exhausted, or the deadline or context error of a
// Connect or Dial that gave up first.
type NoAnswerError struct {
	// Peer is the peer's first address and its SCTP port.
	Peer netip.AddrPort
	// UDPPort is the UDP port the INITs were sent to (at Peer).
	UDPPort uint16
	// Addrs are the peer's addresses the INITs went to in turn (those
	// given to connect), each with the UDP port they were sent to.
	Addrs []netip.AddrPort
	// InitAcked reports that an INIT ACK came: the peer was reached,
	// its COOKIE ECHO went unanswered.
	InitAcked bool
	// Err is ErrNoAnswer or the deadline or context error.
	Err error
}

// Error implements error.
func (e *NoAnswerError) Error() string {
	addrs := e.Addrs
	if len(addrs) == 0 {
		addrs = []netip.AddrPort{netip.AddrPortFrom(e.Peer.Addr(), e.UDPPort)}
	}
	oneUDP := !slices.ContainsFunc(addrs, func(a netip.AddrPort) bool { return a.Port() != addrs[0].Port() })
	var b strings.Builder
	b.WriteString("no answer from ")
	for i, a := range addrs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Addr().String())
		if !oneUDP {
			b.WriteString(" (UDP port " + strconv.Itoa(int(a.Port())) + ")")
		}
	}
	b.WriteString(" (SCTP port " + strconv.Itoa(int(e.Peer.Port())))
	if oneUDP {
		b.WriteString(", UDP port " + strconv.Itoa(int(addrs[0].Port())))
	}
	if e.InitAcked {
		b.WriteString(": its INIT ACK came, its COOKIE ACK did not")
	} else {
		b.WriteString(": is that the peer's UDP encapsulation port? see RemoteUDPPort")
	}
	b.WriteString("): " + e.Err.Error())
	return b.String()
}

// Unwrap returns Err.
func (e *NoAnswerError) Unwrap() error { return e.Err }

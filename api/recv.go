package api

import (
	"context"
	"errors"

	"github.com/gensctp/gensctp/timer"
)

// ErrEmptyBuffer: RecvBuffer without room for a byte (reason einval).
var ErrEmptyBuffer = errors.New("sctp: empty receive buffer")

// Recv returns the next message or event of the socket (gen_sctp
// recv/1,2): one whole message or one event per call, with the sender's
// address and, for messages, the ancillary SndRcvInfo. It blocks until
// one arrives, ctx ends or the read deadline passes (an error satisfying
// errors.Is(err, os.ErrDeadlineExceeded), reason timeout), or the socket
// closes (errors.Is(err, net.ErrClosed), reason closed).
//
// As in gen_sctp, the error-class events (SendFailed, RemoteError,
// PdapiEvent) come back as an error: an *Error whose Reason is the record
// name, wrapping an *EventError that carries the event (errors.As). Recv
// on a socket in active mode fails with ErrActive (reason einval); on a
// peeled-off or accepted socket whose association is over and whose last
// event was read, with ErrNotConnected (reason enotconn).
//
// The message's Data belongs to the caller: Recv copies the message from
// the association into a buffer of its size, one allocation per message
// (RecvBuffer receives into the caller's buffer instead). A message
// delivered by the association in pieces (partial delivery, when it
// exceeds half the receive buffer) is gathered and returned whole. A
// message larger than the MaxMessageSize option, whole or in pieces, is
// not delivered: its association is aborted and Recv returns a
// PdapiEvent error (see MaxMessageSize). Only the rest of a message that RecvBuffer
// began returning in pieces comes in pieces (Delivery.Partial). Many
// goroutines may call Recv at once; each delivery goes to one of them.
// Recv polls the association only when called, so a slow reader holds
// data in the association's receive window and the peer stops sending:
// memory does not grow.
func (s *Socket) Recv(ctx context.Context) (Delivery, error) {
	return s.recv(ctx, nil)
}

// RecvBuffer is Recv that receives messages into b, for a caller that
// reuses its buffer: no allocation per message in steady state, the way
// net.Conn.Read works. The message is copied once, from the
// association's buffer into b, and Delivery.Data is b[:n]; an event comes
// as with Recv (its Data nil). b must not be empty (ErrEmptyBuffer).
//
// It is SCTP's recvmsg with its partial delivery (RFC 6458 Section 3.1.4):
// a message larger than b is returned over several calls, every part but
// the last with Delivery.Partial set (recvmsg without MSG_EOR), and the
// next RecvBuffer on the socket continues that message. A message the
// association delivers in pieces, past the partial delivery point (RFC
// 6458 Section 8.1.21: half the receive buffer unless set), is returned
// piece by piece as they arrive, each piece also with Partial set but the
// last, without gathering them (MaxMessageSize does not apply): the
// pieces of one message come in order, but, as at fragment interleave
// level 2 (RFC 6458 Section 8.1.20), messages and events of other
// streams and associations may come between them; Info.AssocID and
// Info.Stream tell the messages apart (the data_io event of sctp_events,
// on by default, fills Info).
//
// A message whose first part RecvBuffer returned goes on in pieces even
// when Recv or active mode take the rest; one whose pieces Recv began
// gathering is returned whole (in parts if b is smaller).
func (s *Socket) RecvBuffer(ctx context.Context, b []byte) (Delivery, error) {
	if len(b) == 0 && s != nil {
		return Delivery{}, opError("recv", 0, -1, ErrEmptyBuffer)
	}
	return s.recv(ctx, b)
}

// recv implements Recv (b nil) and RecvBuffer.
func (s *Socket) recv(ctx context.Context, b []byte) (Delivery, error) {
	if s == nil {
		return Delivery{}, nilSocketError("recv")
	}
	if err := s.rdl.check(ctx); err != nil {
		return Delivery{}, opError("recv", 0, -1, err)
	}
	var d Delivery
	var err error
	werr := s.wait(ctx, &s.rdl, &s.rq, func(now timer.Time) bool {
		if s.closed {
			err = errClosed
			return true
		}
		if s.st.active.on() {
			err = ErrActive
			return true
		}
		var got bool
		d, got = s.nextLocked(now, b)
		if !got {
			err = s.nothingMoreLocked()
			return err != nil
		}
		s.readTakenLocked()
		return true
	})
	if werr != nil {
		return Delivery{}, opError("recv", 0, -1, werr)
	}
	if err != nil {
		return Delivery{}, opError("recv", 0, -1, err)
	}
	if d.Kind == KindError {
		return Delivery{}, d.Err()
	}
	return d, nil
}

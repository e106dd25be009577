package api

import (
	"context"

	"github.com/gensctp/gensctp/timer"
)

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
// A message delivered by the association in pieces (partial delivery,
// when it exceeds half the receive buffer) is gathered and returned whole,
// up to the MaxMessageSize option. Many goroutines may call Recv at once;
// each delivery goes to one of them. Recv polls the association only when
// called, so a slow reader holds data in the association's receive window
// and the peer stops sending: memory does not grow.
func (s *Socket) Recv(ctx context.Context) (Delivery, error) {
	ctx, done := s.rdl.merge(ctx)
	defer done()
	if ctx.Err() != nil {
		return Delivery{}, opError("recv", 0, -1, s.rdl.cause(ctx, ctx.Err()))
	}
	var d Delivery
	var err error
	werr := s.stk.WaitOn(ctx, &s.rq, func(now timer.Time) bool {
		if s.closed {
			err = errClosed
			return true
		}
		if s.st.active.on() {
			err = ErrActive
			return true
		}
		var got bool
		d, got = s.nextLocked(now)
		if !got && s.goneLocked() {
			err = ErrNotConnected
			return true
		}
		return got
	})
	if werr != nil {
		return Delivery{}, opError("recv", 0, -1, s.rdl.cause(ctx, werr))
	}
	if err != nil {
		return Delivery{}, opError("recv", 0, -1, err)
	}
	if d.Kind == KindError {
		return Delivery{}, d.Err()
	}
	return d, nil
}

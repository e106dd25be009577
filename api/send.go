package api

import (
	"context"
	"fmt"
	"time"

	"github.com/gensctp/gensctp/association"
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/internal/stack"
	"github.com/gensctp/gensctp/timer"
)

// Send sends data as one message on stream of association assoc (gen_sctp
// send/4), with the association's default send parameters (PPID, context,
// time to live, flags: the SCTPDefaultSendParam option). On a one-to-one
// socket assoc may be 0. It is SendContext without a context.
func (s *Socket) Send(assoc AssocID, stream uint16, data []byte) error {
	return s.SendContext(context.Background(), assoc, stream, data)
}

// SendContext is Send with a context that bounds the wait for send
// buffer space.
//
// The data is copied (into a buffer of the endpoint's pool, given back
// when the peer acknowledged the message: no allocation in steady state):
// the caller may reuse its buffer at once. While the
// association's send buffer is full (the Sndbuf option) SendContext
// blocks until the peer acknowledged enough data, ctx ends, the write
// deadline passes or the socket closes (gen_sctp since OTP 26.2.5); with
// the NonBlockSend option it returns ErrWouldBlock at once instead
// (reason eagain). A stream at or above the negotiated number of outbound
// streams fails with ErrInvalidStream (reason einval), a message larger
// than the MaxMessageSize option with ErrMessageTooLarge (reason
// emsgsize), and nothing is sent.
func (s *Socket) SendContext(ctx context.Context, assoc AssocID, stream uint16, data []byte) error {
	return s.send(ctx, "send", assoc, stream, nil, data)
}

// SendInfo sends data with the parameters of info (gen_sctp send/3):
// Stream, PPID, Context, TimeToLive and Flags; SSN, TSN and CumTSN are
// ignored. Flags: Unordered sends unordered; Abort aborts the association
// (data, if any, is the reason in the User-Initiated Abort cause, RFC
// 9260 Section 3.3.10.12); EOF sends data, if any, then shuts the
// association down gracefully (RFC 9260 Section 9.2); AddrOver has no
// effect. It blocks like SendContext.
func (s *Socket) SendInfo(info SndRcvInfo, data []byte) error {
	return s.SendInfoContext(context.Background(), info, data)
}

// SendInfoContext is SendInfo with a context.
func (s *Socket) SendInfoContext(ctx context.Context, info SndRcvInfo, data []byte) error {
	return s.send(ctx, "send", info.AssocID, info.Stream, &info, data)
}

// Eof shuts association assoc down gracefully (gen_sctp eof/2): queued
// data is still delivered, then SHUTDOWN is exchanged (RFC 9260 Section
// 9.2). It returns at once; the outcome is an AssocChange event
// (shutdown_comp) on both sides, after a ShutdownEvent on the peer.
func (s *Socket) Eof(assoc AssocID) error {
	return opError("eof", assoc, -1, s.do(func(now timer.Time) error {
		_, a, err := s.assocLocked(assoc)
		if err != nil {
			return err
		}
		return a.Shutdown(now)
	}))
}

// Abort aborts association assoc (gen_sctp abort/2): an ABORT with a
// User-Initiated Abort cause is sent and queued data is discarded (RFC
// 9260 Section 9.1). Both sides get an AssocChange event (comm_lost).
func (s *Socket) Abort(assoc AssocID) error {
	return opError("abort", assoc, -1, s.do(func(now timer.Time) error {
		_, a, err := s.assocLocked(assoc)
		if err != nil {
			return err
		}
		a.Abort(now, nil)
		return nil
	}))
}

// send implements the Send family. info nil means the default send
// parameters of the association.
func (s *Socket) send(ctx context.Context, op string, assoc AssocID, stream uint16, info *SndRcvInfo, data []byte) error {
	if s == nil {
		return nilSocketError(op)
	}
	var err error
	var id AssocID = assoc
	werr := s.waitFor(ctx, &s.wdl, func(now timer.Time) *stack.WaitQueue {
		var a *association.Association
		if id, a, err = s.assocLocked(assoc); err != nil {
			s.sentLeftLocked(id)
			return nil
		}
		p := s.st.sendParams(id)
		if info != nil {
			p = *info
		}
		p.Stream = stream
		var blocked bool
		if blocked, err = s.sendLocked(now, a, p, data); blocked {
			return s.sendQueueLocked(id) // woken by changes of the association
		}
		s.sentLeftLocked(id)
		return nil
	})
	if werr != nil {
		err = werr
	}
	return opError(op, id, int(stream), err)
}

// sendLocked sends one message with p on a, or aborts or shuts down per
// its flags, and reports whether it must wait for buffer space.
func (s *Socket) sendLocked(now timer.Time, a *association.Association, p SndRcvInfo, data []byte) (blocked bool, err error) {
	if p.Flags&Abort != 0 {
		a.Abort(now, data)
		return false, nil
	}
	if len(data) > s.st.maxMessage {
		return false, fmt.Errorf("%w: %d bytes, above MaxMessageSize (%d)", ErrMessageTooLarge, len(data), s.st.maxMessage)
	}
	if len(data) > 0 || p.Flags&EOF == 0 {
		si := association.SendInfo{Stream: chunk.StreamID(p.Stream), PPID: chunk.PPID(p.PPID),
			Unordered: p.Flags&Unordered != 0, Context: p.Context,
			TimeToLive: time.Duration(p.TimeToLive) * time.Millisecond}
		pr := s.st.prInfoOf(p)
		si.PRPolicy, si.PRValue = pr.Policy, pr.Value
		err = a.Send(now, si, data)
		if err == association.ErrWouldBlock && !s.st.nonBlockSend {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		s.stats.sentLocked(len(data))
	}
	if p.Flags&EOF != 0 {
		return false, a.Shutdown(now)
	}
	return false, nil
}

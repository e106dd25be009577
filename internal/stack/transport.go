package stack

import (
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/gensctp/gensctp/packetio"
	"github.com/pion/logging"
)

// ErrTransportClosed is the error of the associations of a stack whose
// packet transport closed under it (the peer of a connected transport
// closed it, for example): it is the Err of their CommLost or CantAssoc
// event, wrapping the transport's own error.
var ErrTransportClosed = errors.New("stack: the packet transport closed")

// write sends out. Errors are like losses to SCTP (RFC 6951 Section 5.5:
// no reliance on ICMP); the protocol retransmits. A packet that fails is
// dropped and the ones after it still go out, unless the transport is
// closed.
func (s *Stack) write(out []packetio.OutMessage) {
	for len(out) > 0 {
		n, err := s.conn.WriteBatch(out)
		if err == nil || n >= len(out) || errors.Is(err, net.ErrClosed) {
			return
		}
		if s.log.On(logging.LogLevelDebug) {
			s.log.Debugf("write to %v failed, the packet is dropped: %v", out[n].To, err)
		}
		out = out[n+1:]
	}
}

// transportClosed ends every association when the transport closed and
// the stack did not close it: nothing can be sent or received any more.
// The error err of the transport reaches the users in the associations'
// events (ErrTransportClosed), and AddEndpoint fails with it from then
// on.
func (s *Stack) transportClosed(err error) {
	s.lockOp()
	defer s.unlock()
	if s.closed || s.failed != nil {
		return // closed by Close, or seen by another reader
	}
	now := s.Now()
	cause := fmt.Errorf("%w: %w", ErrTransportClosed, err)
	s.failed = cause
	// A connected transport's peer closing it (a DTLS close_notify, io.EOF)
	// is how SCTP over DTLS normally ends (RFC 8261 Section 6): not an
	// error worth an ERROR line.
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		if s.log.On(logging.LogLevelInfo) {
			s.log.Infof("%v: every association ends", cause)
		}
	} else if s.log.On(logging.LogLevelError) {
		s.log.Errorf("%v: every association ends", cause)
	}
	for _, ep := range s.eps {
		ep.Fail(now, cause)
	}
	for _, ep := range s.eps { // callers waiting for no association
		if ep.watch != nil {
			ep.watch(now, nil)
		}
	}
	s.afterLocked(now)
}

// Failed returns the error of the transport once it closed under the
// stack (see ErrTransportClosed), else nil: from then on nothing arrives
// and no association can be set up. Call it with the lock held (from a
// wait condition, a watcher, a task or a function run by Do).
func (s *Stack) Failed() error { return s.failed }

package api

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gensctp/gensctp/timer"
)

// MaxConnMessage is the largest message Conn.Write sends: a longer
// write is sent as consecutive messages of this size.
const MaxConnMessage = 64 << 10

// Conn is one SCTP association used as a net.Conn, as returned by Dial
// and Listener.Accept: an addition to gen_sctp, for code written against
// net.Conn. It is a one-to-one socket (Socket returns it, for options and
// status) read and written as a reliable, ordered byte stream:
//
//   - Write sends b as one message (on the stream and with the PPID and
//     Unordered flag of the SCTPDefaultSendParam option: default stream
//     0, ordered), or as several of MaxConnMessage bytes when longer. It
//     blocks while the send buffer is full. Write of nothing sends
//     nothing (SCTP has no empty messages).
//   - Read returns the bytes of the received messages in order, from every
//     stream, copied once from the association's buffers into b: a
//     message larger than b is returned over several Reads (the rest is
//     kept), as is one the association delivers in pieces (past the
//     partial delivery point, half the receive buffer), and a Read never
//     returns bytes of two messages, so message boundaries are visible to
//     a caller with a large enough buffer but need not be relied on. Events are not returned; Read
//     returns io.EOF once the peer shut the association down (RFC 9260
//     Section 9.2) and every message was read, and an error carrying the
//     AssocChange (errors.As *EventError, errors.Is ErrAssociationClosed)
//     when the association is aborted or lost.
//   - Deadlines follow net.Conn: an expired deadline fails pending and
//     later calls with an error satisfying errors.Is(err,
//     os.ErrDeadlineExceeded) whose Timeout is true, even when data is
//     buffered.
//   - Close shuts the association down gracefully: queued data is
//     delivered first, and Close waits for it and for the SHUTDOWN
//     exchange (as Socket.Close: with the default Linger, as long as the
//     shutdown progresses, at most 3 minutes and 5 seconds without
//     progress; Linger(true, 0) aborts at once). Pending Reads and Writes
//     fail with net.ErrClosed.
//
// Deviations from TCP's net.Conn (SCTP semantics): Close blocks until the
// peer has the data, where TCP leaves that to the kernel; CloseWrite is
// not a half-close, see its documentation; once the peer shut down, Write
// fails with ErrAssociationClosed (reason epipe) or, when the association
// is gone, ErrNotConnected or ErrNoAssociation, rather than a reset;
// messages the peer sends unordered or on several streams may be read in
// another order than written. golang.org/x/net/nettest.TestConn passes
// in full (TestNettestConn).
//
// Errors are *net.OpError (Op "read", "write", "close") wrapping an
// *Error, except io.EOF. A Conn is safe for concurrent use: Reads are
// serialised among themselves, as are Writes (the messages of one Write
// are not interleaved with another's).
type Conn struct {
	s       *Socket
	network string
	laddr   *Addr
	raddr   *Addr
	closed  atomic.Bool

	rmu  sync.Mutex
	rerr error // sticky end of the read side (io.EOF or a loss)

	wmu sync.Mutex
}

var _ net.Conn = (*Conn)(nil)

// newConn returns the Conn of the one-to-one socket s, which has its
// association.
func newConn(s *Socket, network string) *Conn {
	c := &Conn{s: s, network: network}
	c.laddr, c.raddr = c.addrs()
	return c
}

// addrs returns the local and remote addresses of the association's
// primary path.
func (c *Conn) addrs() (local, remote *Addr) {
	s := c.s
	local = &Addr{Port: s.Port(), UDPPort: s.UDPPort()}
	remote = &Addr{}
	_ = s.do(func(timer.Time) error {
		if ap, ok := s.peers[s.assoc1]; ok {
			remote.IP, remote.Port = ap.Addr(), ap.Port()
		}
		a, ok := s.share.ep.Assoc(s.assoc1)
		if !ok {
			if l := s.localAddrsLocked(nil); len(l) > 0 {
				local.IP = l[0]
			}
			return nil
		}
		remote.Port = a.Config().PeerPort
		for _, p := range a.Paths() {
			if p.Primary || !remote.IP.IsValid() {
				remote.IP, remote.UDPPort = p.Addr.Addr(), int(p.Addr.Port())
			}
		}
		if l := s.localAddrsLocked(a); len(l) > 0 {
			local.IP = l[0]
		}
		return nil
	})
	return local, remote
}

// Socket returns the one-to-one socket of the Conn, for its options
// (SetOpts, GetOpts), statistics and status. Reading it (Recv, active
// mode) takes messages away from Read; closing it closes the Conn.
func (c *Conn) Socket() *Socket {
	if c == nil {
		return nil
	}
	return c.s
}

// LocalAddr returns the local address (an *Addr): the first local
// address of the association, or the socket's when it is bound to the
// wildcard (which it then is), with the SCTP and UDP ports.
func (c *Conn) LocalAddr() net.Addr {
	if c == nil || c.laddr == nil {
		return nil
	}
	return c.laddr
}

// RemoteAddr returns the peer's address (an *Addr): the primary path's
// IP, the peer's SCTP port and the UDP port its packets come from, as of
// when the association was set up.
func (c *Conn) RemoteAddr() net.Addr {
	if c == nil || c.raddr == nil {
		return nil
	}
	return c.raddr
}

// SetDeadline sets the read and write deadlines (net.Conn).
func (c *Conn) SetDeadline(t time.Time) error { return c.Socket().SetDeadline(t) }

// SetReadDeadline sets the deadline of Read (net.Conn).
func (c *Conn) SetReadDeadline(t time.Time) error { return c.Socket().SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of Write (net.Conn).
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.Socket().SetWriteDeadline(t) }

// Write sends b (see Conn): one message, or several of MaxConnMessage
// bytes (of MaxMessageSize bytes when that option is smaller). It returns the bytes of the messages accepted by the send
// buffer; b may be reused at once (it is copied).
func (c *Conn) Write(b []byte) (int, error) {
	if c.Socket() == nil {
		return 0, nilConnError("write", "send")
	}
	if len(b) == 0 {
		return 0, nil
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.s.wdl.expired() {
		return 0, c.opError("write", timeoutError("send"))
	}
	info, most, err := c.sendParams()
	if err != nil {
		return 0, c.opError("write", err)
	}
	n := 0
	for n < len(b) {
		m := b[n:min(len(b), n+most)]
		if err := c.s.send(context.Background(), "send", 0, info.Stream, &info, m); err != nil {
			return n, c.opError("write", err)
		}
		n += len(m)
	}
	return n, nil
}

// sendParams returns the send parameters of Write: the association's
// default ones, without the Abort and EOF flags; and the largest message
// it sends, MaxConnMessage or the MaxMessageSize option if smaller.
func (c *Conn) sendParams() (info SndRcvInfo, most int, err error) {
	most = MaxConnMessage
	err = c.s.do(func(timer.Time) error {
		info = c.s.st.sendParams(c.s.assoc1)
		most = min(most, c.s.st.maxMessage)
		return nil
	})
	info.AssocID = 0
	info.Flags &^= Abort | EOF
	return info, most, opError("send", 0, -1, err)
}

// CloseWrite shuts the association down gracefully (gen_sctp eof/2)
// without closing the Conn: the peer reads io.EOF after the data written
// so far. Deviation from TCP's half-close: SCTP has none (RFC 9260
// Section 9.2: "Upon reception of the SHUTDOWN, the peer endpoint shall
// enter the SHUTDOWN-RECEIVED state, stop accepting new data from its
// SCTP user"), so the peer may still have its queued data delivered here
// (Read returns it, then io.EOF) but can write no more.
func (c *Conn) CloseWrite() error {
	if c.Socket() == nil {
		return nilConnError("close", "eof")
	}
	if err := c.s.Eof(0); err != nil {
		return c.opError("close", err)
	}
	return nil
}

// Close shuts the association down gracefully and closes the socket (see
// Conn). A second Close returns an error wrapping net.ErrClosed.
func (c *Conn) Close() error {
	if c.Socket() == nil {
		return nilConnError("close", "close")
	}
	if !c.closed.CompareAndSwap(false, true) {
		return c.opError("close", opError("close", 0, -1, errClosed))
	}
	if err := c.s.Close(); err != nil {
		return c.opError("close", err) // data discarded (see Socket.Close)
	}
	return nil
}

// opError wraps err as net does.
func (c *Conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: c.network, Source: c.laddr, Addr: c.raddr, Err: err}
}

// nilConnError is the error of net.Conn operation op (the Socket
// operation sop) called on a Conn without a socket: a nil *Conn or the
// zero Conn.
func nilConnError(op, sop string) error {
	return &net.OpError{Op: op, Net: "sctp", Err: nilSocketError(sop)}
}

// timeoutError is the *Error of an operation whose deadline passed.
func timeoutError(op string) error {
	return &Error{Op: op, Stream: -1, Reason: Timeout, Err: errDeadline}
}

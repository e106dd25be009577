// Package packetiotest holds test helpers for packet transports: an
// in-memory, connected datagram link to run SCTP over (see Pipe).
package packetiotest

import (
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gensctp/gensctp/packetio"
)

// QueueLen is the number of packets each direction of a Pipe holds for
// the reader; a Write beyond it drops its packet.
const QueueLen = 256

// Pipe returns the two ends of an in-memory, connected datagram link:
// each Write on one end is one packet, which one Read on the other end
// returns whole (the end of a packet longer than the Read's buffer is
// lost, as with UDP). It is what net.Pipe is not for packet transports:
// a Write never waits for the reader. Each direction queues up to
// QueueLen packets and drops the packets that do not fit (counted by
// Drops), as a network queue does; an SCTP stack that writes with its
// core locked would otherwise wait, on net.Pipe, for a peer that waits
// for it. Packets are copied into buffers the Pipe reuses: steady
// traffic allocates nothing.
//
// Close on one end makes its Read and Write fail with io.ErrClosedPipe;
// the other end reads the packets still queued, then io.EOF, and its
// Writes fail with io.ErrClosedPipe. Read deadlines are honoured; a
// Write fails only after its write deadline, never waits.
func Pipe() (*PipeConn, *PipeConn) {
	ab, ba := newQueue(), newQueue()
	a := &PipeConn{in: ba, out: ab, done: make(chan struct{})}
	b := &PipeConn{in: ab, out: ba, done: make(chan struct{})}
	a.peer, b.peer = b, a
	return a, b
}

// queue is one direction of a Pipe.
type queue struct {
	q     chan []byte // the packets in flight
	free  chan []byte // buffers to reuse
	drops atomic.Uint64
}

func newQueue() *queue {
	return &queue{q: make(chan []byte, QueueLen), free: make(chan []byte, QueueLen)}
}

// PipeConn is one end of a Pipe. It is a net.Conn, safe for concurrent
// use.
type PipeConn struct {
	in, out   *queue
	peer      *PipeConn
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	rdl, wdl  packetio.Deadline
}

var _ net.Conn = (*PipeConn)(nil)

// Read reads the next packet into b and returns its length (at most
// len(b)).
func (c *PipeConn) Read(b []byte) (int, error) {
	if isClosed(c.done) {
		return 0, io.ErrClosedPipe
	}
	select {
	case p := <-c.in.q:
		return c.take(b, p), nil
	case <-c.done:
		return 0, io.ErrClosedPipe
	case <-c.peer.done:
		select {
		case p := <-c.in.q: // what was written before the close
			return c.take(b, p), nil
		default:
			return 0, io.EOF
		}
	case <-c.rdl.Wait():
		return 0, os.ErrDeadlineExceeded
	}
}

// take copies packet p into b and recycles p's buffer.
func (c *PipeConn) take(b, p []byte) int {
	n := copy(b, p)
	select {
	case c.in.free <- p[:0]:
	default:
	}
	return n
}

// Write sends b as one packet, or drops it when the peer's queue is
// full. It does not retain b.
func (c *PipeConn) Write(b []byte) (int, error) {
	switch {
	case isClosed(c.done), isClosed(c.peer.done):
		return 0, io.ErrClosedPipe
	case c.wdl.Passed():
		return 0, os.ErrDeadlineExceeded
	}
	var p []byte
	select {
	case p = <-c.out.free:
	default:
	}
	p = append(p, b...)
	select {
	case c.out.q <- p:
	default:
		c.out.drops.Add(1)
	}
	return len(b), nil
}

// Drops returns the number of packets written on this end that the
// other end's full queue dropped.
func (c *PipeConn) Drops() uint64 { return c.out.drops.Load() }

// Close closes this end (see Pipe). It always returns nil.
func (c *PipeConn) Close() error {
	c.closeOnce.Do(func() { close(c.done) })
	return nil
}

// LocalAddr returns the end's address, which is not an IP address.
func (c *PipeConn) LocalAddr() net.Addr { return pipeAddr{} }

// RemoteAddr returns the other end's address, which is not an IP
// address.
func (c *PipeConn) RemoteAddr() net.Addr { return pipeAddr{} }

// SetDeadline sets both deadlines.
func (c *PipeConn) SetDeadline(t time.Time) error {
	c.rdl.Set(t)
	c.wdl.Set(t)
	return nil
}

// SetReadDeadline sets the read deadline.
func (c *PipeConn) SetReadDeadline(t time.Time) error {
	c.rdl.Set(t)
	return nil
}

// SetWriteDeadline sets the write deadline.
func (c *PipeConn) SetWriteDeadline(t time.Time) error {
	c.wdl.Set(t)
	return nil
}

// pipeAddr is the address of both ends of a Pipe.
type pipeAddr struct{}

func (pipeAddr) Network() string { return "packetpipe" }
func (pipeAddr) String() string  { return "packetpipe" }

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

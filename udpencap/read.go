package udpencap

import (
	"net"
	"os"
	"time"

	"github.com/gensctp/gensctp/packetio"
)

// Message is one received datagram: [packetio.Message]. Its Buf is a
// pooled buffer, returned with [Conn.Release] or [Conn.ReleaseBatch]; its
// From port is the peer's encapsulation port (RFC 6951 Section 5.4); its
// IP holds the fields requested with [Conn.AddRecvIP], on Linux.
type Message = packetio.Message

// ReadBatch blocks until at least one datagram has arrived, then fills up
// to len(msgs) messages with the datagrams already received and returns how
// many it filled. It overwrites msgs[:n]: buffers still held there and not
// released are left to the garbage collector. The caller owns the buffers
// of the returned messages until it calls [Conn.Release].
//
// ReadBatch fails with an error satisfying errors.Is(err, net.ErrClosed)
// once the Conn is closed, and with one satisfying
// errors.Is(err, os.ErrDeadlineExceeded) while the read deadline is past;
// an unexpected socket error is returned once, after which that socket no
// longer reads. Concurrent calls are serialised. With an empty msgs it
// returns 0, nil at once.
func (c *Conn) ReadBatch(msgs []Message) (int, error) { return c.readFrom(c.rqs[0], msgs) }

// readFrom implements ReadBatch and ReadQueue on the receive queue q.
func (c *Conn) readFrom(q *rqueue, msgs []Message) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.pending; err != nil {
		q.pending = nil
		return 0, c.opError("read", err)
	}
	n := 0
	for n < len(msgs) {
		if q.cur == nil {
			b, err := c.next(q, n == 0)
			if err != nil {
				return n, c.opError("read", err)
			}
			if b == nil {
				break
			}
			if b.err != nil {
				err := b.err
				c.recycle(b)
				if n == 0 {
					return 0, c.opError("read", err)
				}
				q.pending = err
				break
			}
			q.cur, q.pos = b, 0
		}
		b := q.cur
		for q.pos < b.n && n < len(msgs) {
			msgs[n] = b.msgs[q.pos]
			// The slot is read into afresh: nothing of this message,
			// its PTB mark included, stays for the next.
			b.msgs[q.pos] = Message{}
			q.pos++
			n++
		}
		if q.pos == b.n {
			q.cur = nil
			c.recycle(b)
		}
	}
	return n, nil
}

// next returns the next batch of q, waiting for it if block is set, or
// nil if none is ready and block is not set.
func (c *Conn) next(q *rqueue, block bool) (*batch, error) {
	if !block {
		select {
		case b := <-q.full:
			return b, nil
		default:
			return nil, nil
		}
	}
	if c.closed.Load() {
		return nil, net.ErrClosed
	}
	dl := c.deadline.Wait()
	select {
	case <-dl:
		return nil, os.ErrDeadlineExceeded
	default:
	}
	select {
	case b := <-q.full:
		return b, nil
	case <-c.done:
		return nil, net.ErrClosed
	case <-dl:
		return nil, os.ErrDeadlineExceeded
	}
}

// recycle returns a drained batch to its socket.
func (c *Conn) recycle(b *batch) {
	if b.sock == nil {
		return
	}
	b.n, b.err = 0, nil
	b.sock.free <- b // never blocks: a socket's batches fit its free channel
}

// inject queues received datagrams (duplicated or delayed by a hook) for
// ReadBatch (on the first queue, whose reader hands them on where the
// Conn has several). It blocks while the queue is full, and drops them
// once the Conn is closed.
func (c *Conn) inject(ms []Message) {
	b := &batch{msgs: ms, n: len(ms)}
	select {
	case c.rqs[0].full <- b:
	case <-c.done:
	}
}

// Release returns m's buffer to the pool and clears m.Buf and m.Data. The
// caller must not use the buffer afterwards, and must release a buffer only
// once (releasing the same Message twice is harmless: the second call finds
// no buffer). Buffers not released are garbage collected.
func (c *Conn) Release(m *Message) {
	if m.Buf != nil {
		c.pool.Put(m.Buf)
	}
	m.Buf, m.Data = nil, nil
}

// ReleaseBatch releases every message of msgs, as [Conn.Release] does.
func (c *Conn) ReleaseBatch(msgs []Message) {
	c.pool.ReleaseBatch(msgs)
}

// SetReadDeadline sets the deadline for pending and future
// [Conn.ReadBatch] calls. After it, ReadBatch fails with an error
// satisfying errors.Is(err, os.ErrDeadlineExceeded) (and Timeout() ==
// true) until the deadline is moved; a zero t means no deadline. The event
// loop of the caller can use a past deadline to wake a blocked reader.
// SetReadDeadline always returns nil.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.deadline.Set(t)
	return nil
}

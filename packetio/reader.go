package packetio

import (
	"net"
	"net/netip"
	"sync"
)

// reader is the receive side of the adapters of this package: one
// goroutine, started by the first ReadBatch, reads packets and queues
// them, so that the connection below is drained while the stack processes
// what was read, and one ReadBatch returns every packet queued (one lock
// of the stack per batch rather than per packet).
//
// Each packet is read into a scratch buffer the size of the largest
// datagram and copied into a pooled buffer of bufSize bytes (into one of
// its own size when longer): the queue then holds at most queueLen
// pooled buffers, not as many largest datagrams. Steady traffic
// allocates nothing.
type reader struct {
	read func(b []byte) (n int, from netip.AddrPort, err error)
	// terminal reports whether a read error means the connection is done.
	terminal func(err error) bool

	pool    *Pool
	q       chan item     // the packets read, and transient errors
	closing chan struct{} // closed by close
	done    chan struct{} // closed when the goroutine exits
	err     error         // why it exited; set before done is closed
	once    sync.Once     // starts the goroutine, or stands for it after close
}

// item is one packet read, or a transient read error.
type item struct {
	m   Message
	err error
}

const (
	// queueLen is the number of packets a reader queues.
	queueLen = 64
	// bufSize is the size of the pooled buffers: a jumbo frame.
	bufSize = 9216
)

func newReader(read func([]byte) (int, netip.AddrPort, error), terminal func(error) bool) *reader {
	return &reader{read: read, terminal: terminal, pool: NewPool(bufSize, queueLen),
		q: make(chan item, queueLen), closing: make(chan struct{}), done: make(chan struct{})}
}

// start starts the goroutine, once.
func (r *reader) start() { r.once.Do(func() { go r.loop() }) }

// loop reads until the connection is done or the reader closes.
func (r *reader) loop() {
	defer close(r.done)
	scratch := make([]byte, DefaultBufferSize)
	for {
		n, from, err := r.read(scratch)
		// A packet, even one read together with an error (io.Reader's
		// contract: the n bytes read are data); one whose source is not
		// an IP address is dropped: no peer SCTP can answer.
		if (err == nil || n > 0) && from.IsValid() {
			b := r.pool.Get()
			if n > len(b) {
				b = make([]byte, n)
			}
			if !r.queue(item{m: Message{Buf: b, Data: b[:copy(b, scratch[:n])], From: from}}) {
				return
			}
		}
		switch {
		case err == nil:
		case r.terminal(err) || isClosed(r.closing):
			r.err = closedError(err)
			return
		case !r.queue(item{err: err}):
			return
		}
	}
}

// queue queues it for readBatch, and reports false when the reader
// closed meanwhile.
func (r *reader) queue(it item) bool {
	select {
	case r.q <- it:
		return true
	case <-r.closing:
		r.pool.Put(it.m.Buf)
		r.err = net.ErrClosed
		return false
	}
}

// readBatch is Transport.ReadBatch: it waits for the first packet, then
// takes what else is queued. to is the local address of the packets.
func (r *reader) readBatch(msgs []Message, to netip.AddrPort) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	r.start()
	var it item
	select {
	case it = <-r.q:
	default:
		select {
		case it = <-r.q:
		case <-r.done:
			select {
			case it = <-r.q: // queued before the end
			default:
				return 0, r.err
			}
		}
	}
	n := 0
	for {
		if it.err != nil {
			return n, it.err
		}
		it.m.To = to
		msgs[n] = it.m
		n++
		if n == len(msgs) {
			return n, nil
		}
		select {
		case it = <-r.q:
		default:
			return n, nil
		}
	}
}

// close stops the goroutine and waits for it. Close the connection
// below first: that unblocks its read.
func (r *reader) close() {
	close(r.closing)
	r.once.Do(func() { // never started: nothing will be read
		r.err = net.ErrClosed
		close(r.done)
	})
	<-r.done
}

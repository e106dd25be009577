package udpencap

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/pion/transport/v3"
)

// batch is a group of received datagrams on its way from a socket's reader
// goroutine to ReadBatch. Batches of a socket circulate between its free
// channel and the Conn's full channel; injected batches (duplicated or
// delayed datagrams) have a nil sock and are dropped after use.
type batch struct {
	msgs []Message
	n    int
	err  error
	sock *socket
}

// reader reads at least one datagram into ms[0].Buf, ms[1].Buf, ... and
// sets Data and From of each message it fills. It returns how many it
// filled. Only the socket's reader goroutine calls it.
type reader interface {
	read(ms []Message) (int, error)
}

// writer sends ms in order and returns how many it sent before an error.
// The socket's wmu serialises calls.
type writer interface {
	write(ms []OutMessage) (int, error)
}

// callCounter is a reader that may fill messages without a system call
// (groReader, handing out the rest of a super-datagram): it tells
// whether its last read made one, for Stats.ReadCalls.
type callCounter interface {
	syscalled() bool
}

// errNoBatch is returned by a batch reader or writer when the kernel lacks
// recvmmsg/sendmmsg (ENOSYS): the socket falls back to the portable path.
var errNoBatch = errors.New("udpencap: batch system calls unsupported")

// errWouldBlock is returned by a read made within a sticky read (see
// stickyReader) that found no datagram: the reader waits for the poller.
var errWouldBlock = errors.New("udpencap: read would block")

// socket is one bound UDP socket of a Conn.
type socket struct {
	c     *Conn
	uc    transport.UDPConn
	std   *net.UDPConn // uc, when it is the standard library's
	local netip.AddrPort
	is4   bool
	wild  bool // bound to the wildcard address of its family
	// pktinfo: the socket reports the destination address of each
	// datagram and takes the source of each one it sends (IP_PKTINFO,
	// IPV6_RECVPKTINFO); set by open before the reader starts.
	pktinfo bool

	r  reader // used by the reader goroutine only
	pr reader // portable fallback

	wmu sync.Mutex // guards w, one and the batch writer's scratch state
	w   writer
	pw  writer // portable writer: safe for concurrent use without a source address
	one [1]OutMessage

	free chan *batch
	nbuf int // receive buffers the batches hold when full
	q    int // the receive queue it fills (see queues.go)
	// errq: the error queue may hold a Packet Too Big report (ptb.go).
	errq atomic.Bool
	// unbound: Conn.Unbind closed the socket; its reader ends at its
	// next read, which fails, without reporting it.
	unbound atomic.Bool
	// left is a batch that a sticky read could not hand on without
	// waiting, from index leftAt on, not yet filtered by the Hook if
	// leftRaw (used by the reader goroutine only).
	left    *batch
	leftAt  int
	leftRaw bool
}

// newSocket wraps uc and chooses its read and write paths.
func newSocket(c *Conn, uc transport.UDPConn, local netip.AddrPort, batchSize int, paths ioPaths) (*socket, error) {
	s := &socket{c: c, uc: uc, local: local, is4: local.Addr().Is4(), wild: local.Addr().IsUnspecified()}
	if std, ok := uc.(*net.UDPConn); ok {
		s.std = std
		s.pr = newStdReader(std)
		s.pw = &stdWriter{conn: std, is4: s.is4, st: &c.stats, sock: s}
		if !paths.noBatch {
			r, w, err := newBatchIO(std, s, paths.gso, paths.gro, batchSize, &c.stats)
			if err != nil {
				return nil, fmt.Errorf("udpencap: %w", err)
			}
			s.r, s.w = r, w
		}
	} else {
		s.pr = &netReader{conn: uc}
		s.pw = &netWriter{conn: uc, is4: s.is4, st: &c.stats}
	}
	// Two full batches pipeline a batch reader with its consumer; the
	// portable reader fills one datagram per batch, so it gets more of them.
	nbatch := 2
	if s.r == nil {
		s.r = s.pr
		nbatch = batchSize
		batchSize = 1
	}
	if s.w == nil {
		s.w = s.pw
	}
	s.nbuf = nbatch * batchSize
	s.free = make(chan *batch, nbatch)
	for range nbatch {
		s.free <- &batch{msgs: make([]Message, batchSize), sock: s}
	}
	return s, nil
}

// readLoop is the socket's reader goroutine: it fills free batches and
// passes them to the Conn until the Conn is closed or the socket fails.
// While the Conn pushes its datagrams (SetPush) and the socket's reader
// can, it reads within one wait of the poller (readSticky).
func (s *socket) readLoop() {
	defer s.c.wg.Done()
	for {
		if s.left != nil {
			if !s.handLeft() {
				return
			}
			continue
		}
		if sr, ok := s.r.(stickyReader); ok && s.stickyOK(sr) {
			if !s.readSticky(sr) {
				return
			}
			continue
		}
		if !s.readOnce(false) {
			return
		}
	}
}

// stickyReader is a reader that can make its reads from within one
// RawConn.Read: sticky calls step until it returns true, and, after a
// step whose read found the socket empty or drained it, waits for the
// poller before the next, with no system call that would only answer
// EAGAIN. A datagram that arrives meanwhile makes the socket ready
// again (the poller is edge-triggered, each arrival an edge), so none is
// missed; a read of its own from step would wait for itself, so step
// reads through the reader only.
//
// Within it the reader holds the socket: Close and Unbind wait until it
// returns. So step waits for nothing but the poller: what it cannot
// hand on at once it leaves (socket.left) for after.
type stickyReader interface {
	reader
	sticky(step func() (stop bool)) error
}

// stickyOK reports whether s reads with sr's sticky reads now: the
// datagrams are pushed, nothing waits to be handed on, no Packet Too Big
// report waits (readPTB reads outside the reader), no Hook is set (a
// datagram it duplicates waits for room in the first queue), and neither
// the socket nor the Conn is closing (their close waits for the reader
// to let go).
func (s *socket) stickyOK(sr stickyReader) bool {
	c := s.c
	return c.push.Load() != nil && s.left == nil && !s.errq.Load() && c.hook.Load() == nil &&
		!s.unbound.Load() && !c.closed.Load() && s.r == sr
}

// readSticky reads with sr's sticky reads while stickyOK holds, and
// reports whether the reader goes on. An error of the wait itself (the
// socket closed under it) is left to a plain read, which meets it again
// and handles it.
func (s *socket) readSticky(sr stickyReader) bool {
	more := true
	err := sr.sticky(func() bool {
		if !s.readOnce(true) {
			more = false
			return true
		}
		return !s.stickyOK(sr)
	})
	if err != nil && more && s.left == nil {
		return s.readOnce(false)
	}
	return more
}

// readOnce reads one batch and hands it on (readLoop), and reports
// whether the reader goes on. Within a sticky read it leaves Packet Too
// Big reports for later (stickyOK), a read that would wait puts the
// batch back, and what cannot be handed on without waiting is left for
// after (hand).
func (s *socket) readOnce(sticky bool) bool {
	c := s.c
	var b *batch
	select {
	case b = <-s.free:
	case <-c.done:
		return false
	}
	c.pool.Fill(b.msgs)
	var n int
	var err error
	if !sticky && s.errq.Swap(false) {
		n = s.readPTB(b.msgs)
	}
	if n == 0 {
		n, err = s.r.read(b.msgs)
	}
	if err == errWouldBlock {
		s.free <- b
		return true
	}
	if err != nil {
		s.ptbWanted()
		if c.closed.Load() || s.unbound.Load() {
			c.pool.ReleaseBatch(b.msgs)
			return false
		}
		if s.transient(err) {
			s.free <- b
			return true
		}
		b.n, b.err = 0, err
		if sticky {
			s.left, s.leftAt = b, 0
			return true
		}
		select {
		case s.queue() <- b:
		case <-c.done:
		}
		return false
	}
	call := true
	if cc, ok := s.r.(callCounter); ok {
		call = cc.syscalled()
	}
	c.stats.received(b.msgs[:n], call)
	for i := range n {
		// The destination the socket reported (pktinfo), else its
		// own address.
		m := &b.msgs[i]
		if a := m.To.Addr(); s.pktinfo && a.IsValid() {
			m.To = netip.AddrPortFrom(a, s.local.Port())
		} else {
			m.To = s.local
		}
	}
	b.n = n
	h := c.hook.Load() // once: a Hook set meanwhile waits for the next batch
	if h != nil && sticky {
		// Set since the sticky read began: filtered after it.
		s.left, s.leftAt, s.leftRaw = b, 0, true
		return true
	}
	return s.filterHand(b, h, !sticky)
}

// filterHand applies the Hook h, if any, to the datagrams of b and hands
// on what it keeps (hand).
func (s *socket) filterHand(b *batch, h *Hook, wait bool) bool {
	if h != nil {
		b.n = s.filterIn(*h, b.msgs[:b.n])
	}
	if b.n == 0 {
		s.free <- b
		return true
	}
	return s.hand(b, 0, wait)
}

// hand passes on the datagrams of b from index k on: to the push
// function, or to the queue. Without wait (within a sticky read) what
// the push function does not take at once, or a batch for the queue, is
// left in s.left for readLoop to hand on after. It reports whether the
// reader goes on.
func (s *socket) hand(b *batch, k int, wait bool) bool {
	c := s.c
	p := c.push.Load()
	if p == nil || b.err != nil {
		if !wait {
			s.left, s.leftAt = b, k
			return true
		}
		if k > 0 {
			n := copy(b.msgs, b.msgs[k:b.n])
			clear(b.msgs[n:b.n]) // moved: their buffers are the moved ones'
			b.n = n
		}
		failed := b.err != nil // b is the consumer's once sent
		select {
		case s.queue() <- b:
			return !failed
		case <-c.done:
			return false
		}
	}
	taken, yield := (*p)(s.queueIndex(), b.msgs[k:b.n], wait) // the buffers taken are its
	clear(b.msgs[k : k+taken])
	if k += taken; k < b.n {
		if wait {
			// Refused against the contract: dropped, not retried forever.
			c.pool.ReleaseBatch(b.msgs[k:b.n])
		} else {
			s.left, s.leftAt = b, k
			return true
		}
	}
	b.n = 0
	s.free <- b
	if yield {
		// Whether or not the next read would wait: the goroutines
		// woken run now, on this core, and this one after them
		// (parking instead lets another core take them, slower on an
		// echo round trip).
		runtime.Gosched()
	}
	return true
}

// handLeft hands on, waiting if it must, what a sticky read left, and
// reports whether the reader goes on.
func (s *socket) handLeft() bool {
	b, k, raw := s.left, s.leftAt, s.leftRaw
	s.left, s.leftRaw = nil, false
	if raw {
		return s.filterHand(b, s.c.hook.Load(), true)
	}
	return s.hand(b, k, true)
}

// transient reports whether the read error err is one to count and skip:
// an ICMP-derived error (RFC 6951 Section 5.5), a truncated datagram, or
// the absence of recvmmsg, after which the socket reads the portable way.
func (s *socket) transient(err error) bool {
	switch {
	case errors.Is(err, errNoBatch):
		s.r = s.pr
		s.noGRO() // the portable reader does not split super-datagrams
	case isICMPError(err):
		s.c.stats.icmpErrors.Add(1)
	case isTruncated(err):
		s.c.stats.truncated.Add(1)
	default:
		return false
	}
	return true
}

// write sends ms through this socket, batching where it can.
func (s *socket) write(ms []OutMessage) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	sent, retried := 0, false
	for sent < len(ms) {
		n, err := s.w.write(ms[sent:])
		s.c.stats.sent(ms[sent : sent+n])
		sent += n
		if errors.Is(err, errNoBatch) {
			s.w = s.pw
			continue
		}
		if err != nil && !retried && s.sendRetry(err) {
			retried = true
			continue
		}
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// writeOne sends one datagram on the portable path, which needs no lock
// unless the datagram names its source address on a wildcard socket.
func (s *socket) writeOne(m *OutMessage) error {
	if s.sourced(m.From) || ecnSupported && m.ECN != 0 && s.std != nil {
		s.wmu.Lock()
		s.one[0] = *m
		_, err := s.pw.write(s.one[:])
		s.one[0] = OutMessage{}
		s.wmu.Unlock()
		if err == nil {
			s.c.stats.datagramsOut.Add(1)
			s.c.stats.bytesOut.Add(uint64(len(m.Data)))
		}
		return err
	}
	if s.std != nil {
		// Direct, so that the message does not escape through an interface.
		if _, err := s.std.WriteToUDPAddrPort(m.Data, dest(m.To, s.is4)); err != nil {
			return err
		}
		s.c.stats.writeCall(1)
	} else if _, err := s.pw.write([]OutMessage{*m}); err != nil {
		return err
	}
	s.c.stats.datagramsOut.Add(1)
	s.c.stats.bytesOut.Add(uint64(len(m.Data)))
	return nil
}

// sourced reports whether a datagram from the local address from leaves
// this socket with from as its source set per datagram (IP_PKTINFO): a
// wildcard socket, and a specific source of its family.
func (s *socket) sourced(from netip.Addr) bool {
	return s.pktinfo && from.IsValid() && !from.IsUnspecified() && from.Unmap().Is4() == s.is4
}

// dest returns to as this socket's family wants it.
func dest(to netip.AddrPort, is4 bool) netip.AddrPort {
	if is4 && to.Addr().Is4In6() {
		return netip.AddrPortFrom(to.Addr().Unmap(), to.Port())
	}
	return to
}

// stdReader is the portable reader of a *net.UDPConn. Where the platform
// reports IP header fields (see Conn.AddRecvIP) it reads the control data
// into oob too; elsewhere oob is nil.
type stdReader struct {
	conn *net.UDPConn
	oob  []byte
}

func newStdReader(conn *net.UDPConn) *stdReader {
	r := &stdReader{conn: conn}
	if ctrlSpace > 0 {
		r.oob = make([]byte, ctrlSpace)
	}
	return r
}

func (r *stdReader) read(ms []Message) (int, error) {
	var (
		n    int
		from netip.AddrPort
		err  error
		info IPInfo
	)
	var dst netip.Addr
	if r.oob == nil {
		n, from, err = r.conn.ReadFromUDPAddrPort(ms[0].Buf)
	} else {
		var oobn int
		n, oobn, _, from, err = r.conn.ReadMsgUDPAddrPort(ms[0].Buf, r.oob)
		info, dst = parseIPInfo(r.oob[:oobn])
	}
	if err != nil {
		return 0, err
	}
	ms[0].Data = ms[0].Buf[:n]
	ms[0].From = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	ms[0].To = netip.AddrPortFrom(dst, 0)
	ms[0].IP = info
	return 1, nil
}

// stdWriter is the portable writer of a *net.UDPConn. A datagram that
// names its source on a wildcard socket (socket.sourced) goes out with
// the source in a control message built in oob: the socket's wmu must be
// held for those.
type stdWriter struct {
	conn *net.UDPConn
	is4  bool
	st   *counters
	sock *socket
	oob  [pktinfoSpace + 32]byte // a PKTINFO and an IP_TOS or IPV6_TCLASS (ecnSpace, 24 on 64-bit platforms)
}

func (w *stdWriter) write(ms []OutMessage) (int, error) {
	for i := range ms {
		var err error
		ecn := ecnSupported && ms[i].ECN != 0
		if w.sock.sourced(ms[i].From) || ecn {
			n := 0
			if w.sock.sourced(ms[i].From) {
				n = putPktinfo(w.oob[:], ms[i].From.Unmap())
			}
			if ecn {
				n += putTOS(w.oob[n:], w.is4, w.sock.c.tosFor(w.is4, ms[i].ECN))
			}
			_, _, err = w.conn.WriteMsgUDPAddrPort(ms[i].Data, w.oob[:n], dest(ms[i].To, w.is4))
		} else {
			_, err = w.conn.WriteToUDPAddrPort(ms[i].Data, dest(ms[i].To, w.is4))
		}
		w.st.writeCall(1)
		if err != nil {
			return i, err
		}
	}
	return len(ms), nil
}

// netReader reads from any transport.UDPConn (for example a vnet one).
type netReader struct{ conn transport.UDPConn }

func (r *netReader) read(ms []Message) (int, error) {
	n, addr, err := r.conn.ReadFrom(ms[0].Buf)
	if err != nil {
		return 0, err
	}
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, fmt.Errorf("udpencap: source address %v is not UDP", addr)
	}
	from := ua.AddrPort()
	ms[0].Data = ms[0].Buf[:n]
	ms[0].From = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	ms[0].To = netip.AddrPort{}
	ms[0].IP = IPInfo{}
	return 1, nil
}

// netWriter writes to any transport.UDPConn.
type netWriter struct {
	conn transport.UDPConn
	is4  bool
	st   *counters
}

func (w *netWriter) write(ms []OutMessage) (int, error) {
	for i := range ms {
		_, err := w.conn.WriteTo(ms[i].Data, net.UDPAddrFromAddrPort(dest(ms[i].To, w.is4)))
		w.st.writeCall(1)
		if err != nil {
			return i, err
		}
	}
	return len(ms), nil
}

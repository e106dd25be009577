package udpencap

import (
	"errors"
	"slices"
	"syscall"
)

// Packet Too Big reports from the operating system (RFC 8899 Section 4.6,
// RFC 6951 Section 5.5): on Linux the sockets ask for the ICMP errors of
// the datagrams they sent (IP_RECVERR, IPV6_RECVERR), and the reader
// drains the socket's error queue (MSG_ERRQUEUE) when the kernel signals
// one, turning each ICMP Fragmentation Needed or ICMPv6 Packet Too Big
// into a [Message] whose PTB is the MTU it reports (see
// packetio.Message). Other errors are drained and dropped. The reports
// are never trusted here: the SCTP layer validates them against the
// association the quoted packet belongs to.

// EnablePTB makes [Conn.ReadBatch] report the Packet Too Big messages
// the operating system receives for the datagrams the Conn sent, as
// messages with PTB set (packetio.Message.PTB), from now on, on every
// socket of the Conn and those bound later. On Linux with the standard
// library's sockets; elsewhere it does nothing and returns
// [errors.ErrUnsupported].
func (c *Conn) EnablePTB() error {
	if !ptbSupported {
		return errors.ErrUnsupported
	}
	c.ipmu.Lock()
	defer c.ipmu.Unlock()
	if c.ptb.Load() {
		return nil
	}
	var first error
	for _, s := range slices.Concat(c.sockets(), c.group) {
		if s.std == nil {
			continue
		}
		if err := setRecvErr(s.std, s.is4); err != nil && first == nil {
			first = c.opError("setsockopt", err)
		}
	}
	c.ptb.Store(true)
	return first
}

// ptbWanted notes, after a read failed, that the error queue of s may
// hold a report (the socket's pending error, EMSGSIZE for a Packet Too
// Big): the reader drains it before its next read (readLoop).
func (s *socket) ptbWanted() {
	if s.c.ptb.Load() {
		s.errq.Store(true)
	}
}

// sendRetry reports whether a send that failed with err should be tried
// once more: with IP_RECVERR on, the kernel reports an ICMP error
// received since the last call (the socket's pending error) on the next
// send, which failed without sending (sock_alloc_send_pskb); the report
// itself waits in the error queue.
func (s *socket) sendRetry(err error) bool {
	var errno syscall.Errno
	if !s.c.ptb.Load() || !errors.As(err, &errno) {
		return false
	}
	switch errno {
	case syscall.ECONNREFUSED, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.EMSGSIZE:
		s.drainPTB()
		return true
	}
	return false
}

// drainPTB reads the reports of the error queue of s now, for a writer
// that took the socket's pending error: the reader, which may wait for a
// datagram for long, would see them only then. They go to the first
// receive queue if it has room; else the reader drains them before its
// next read.
func (s *socket) drainPTB() {
	c := s.c
	ms := make([]Message, 4) // a rare path
	c.pool.Fill(ms)
	k := s.readPTB(ms)
	if k == len(ms) {
		s.errq.Store(true) // more may wait
	}
	for i := k; i < len(ms); i++ {
		c.Release(&ms[i])
	}
	if k == 0 {
		return
	}
	select {
	case c.rqs[0].full <- &batch{msgs: ms[:k], n: k}:
	default:
		c.ReleaseBatch(ms[:k])
		s.errq.Store(true)
	}
}

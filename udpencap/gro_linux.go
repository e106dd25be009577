package udpencap

import (
	"encoding/binary"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// UDP generic receive offload (Linux UDP_GRO, 5.0+): the kernel may hand
// a run of datagrams from one source, all of one size but the last, to a
// socket that asks for it as one super-datagram, with the size of its
// segments in a UDP_GRO control message. On loopback a sender's GSO
// super-datagram (mmsgWriter) then reaches the receiver whole, without
// being split into datagrams and queued one by one. The Conn hands out
// one datagram per Message: the groReader splits the super-datagrams
// again.

// enableGRO sets UDP_GRO on the socket and reports whether the kernel
// took it.
func enableGRO(rc syscall.RawConn) bool {
	return setGRO(rc, true)
}

// setGRO turns UDP_GRO on or off and reports whether the kernel took it.
func setGRO(rc syscall.RawConn, on bool) bool {
	v := 0
	if on {
		v = 1
	}
	var err error
	cerr := rc.Control(func(fd uintptr) {
		err = unix.SetsockoptInt(int(fd), unix.SOL_UDP, unix.UDP_GRO, v)
	})
	return cerr == nil && err == nil
}

// groSegment returns the segment size of a UDP_GRO control message
// among the control messages oob, 0 if there is none (a datagram not
// coalesced).
func groSegment(oob []byte) int {
	it := cmsgs{b: oob}
	for {
		level, typ, data, ok := it.next()
		if !ok {
			return 0
		}
		if level == unix.SOL_UDP && typ == unix.UDP_GRO && len(data) >= 4 {
			return int(binary.NativeEndian.Uint32(data))
		}
	}
}

// groDatagram is what is left to hand out of a datagram read by a
// groReader, in buf, a pooled buffer.
type groDatagram struct {
	buf, data []byte
	seg       int // its segments' size; 0: one segment
	from, to  netip.AddrPort
	ip        IPInfo
}

// groReader is an mmsgReader on a socket with UDP_GRO. The datagrams a
// call reads stay in their messages, up to the first super-datagram;
// from there on the reader keeps them, with their buffers, and hands out
// their segments in order, one message each, copied into pooled buffers
// (the messages' buffers given back to the pool). What does not fit in
// one read waits for the next, which makes no system call until it is
// all handed out.
type groReader struct {
	r    *mmsgReader
	c    *Conn // its pool, made once the sockets are open
	pend []groDatagram
	head int  // the next of pend to hand out
	sys  bool // the last read made a system call
}

func newGROReader(r *mmsgReader, size int, c *Conn) *groReader {
	r.cspace = ctrlSpace + unix.CmsgSpace(4)
	r.ctrl = make([]byte, size*r.cspace)
	r.segs = make([]int, size)
	return &groReader{r: r, c: c, pend: make([]groDatagram, 0, size)}
}

// syscalled reports whether the last read made a system call (readLoop
// counts the calls).
func (g *groReader) syscalled() bool { return g.sys }

func (g *groReader) read(ms []Message) (int, error) {
	g.sys = g.head == len(g.pend)
	if !g.sys {
		return g.handOut(ms, 0), nil
	}
	g.pend, g.head = g.pend[:0], 0
	n, err := g.r.read(ms)
	if err != nil {
		return 0, err
	}
	j := 0
	for j < n && !g.coalesced(j, ms) {
		j++
	}
	if j == n {
		return n, nil
	}
	for i := j; i < n; i++ {
		m := &ms[i]
		seg := g.r.segs[i]
		if g.coalesced(i, ms) {
			g.r.st.groReceives.Add(1)
		} else {
			seg = 0
		}
		g.pend = append(g.pend, groDatagram{buf: m.Buf, data: m.Data, seg: seg, from: m.From, to: m.To, ip: m.IP})
		m.Buf, m.Data = nil, nil
	}
	g.c.pool.Fill(ms[j:n])
	return g.handOut(ms, j), nil
}

// sticky implements stickyReader: the segments pending are handed out
// without waiting.
func (g *groReader) sticky(step func() bool) error {
	return g.r.stickyPending(step, func() bool { return g.head < len(g.pend) })
}

// coalesced reports whether the datagram ms[i] of the last call holds
// more than one segment.
func (g *groReader) coalesced(i int, ms []Message) bool {
	seg := g.r.segs[i]
	return seg > 0 && seg < len(ms[i].Data)
}

// handOut copies the segments pending into ms from index k on, and
// returns how many messages of ms are filled.
func (g *groReader) handOut(ms []Message, k int) int {
	for k < len(ms) && g.head < len(g.pend) {
		d := &g.pend[g.head]
		n := len(d.data)
		if d.seg > 0 {
			n = min(n, d.seg)
		}
		seg := d.data[:n]
		d.data = d.data[n:]
		m := &ms[k]
		if n > len(m.Buf) {
			g.r.st.truncated.Add(1) // longer than the pool's buffers
		} else {
			m.Data = m.Buf[:copy(m.Buf, seg)]
			m.From, m.To, m.IP, m.PTB = d.from, d.to, d.ip, 0
			k++
		}
		if d.seg == 0 || len(d.data) == 0 {
			g.c.pool.Put(d.buf)
			*d = groDatagram{}
			g.head++
		}
	}
	return k
}

// noGRO turns UDP_GRO off on s, for a reader that does not split
// super-datagrams (the portable fallback).
func (s *socket) noGRO() {
	if s.std == nil {
		return
	}
	if rc, err := s.std.SyscallConn(); err == nil {
		setGRO(rc, false)
	}
}

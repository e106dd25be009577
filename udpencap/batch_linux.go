package udpencap

import (
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsghdr is struct mmsghdr of recvmmsg(2) and sendmmsg(2); Go pads it
// like C does.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// mmsgVec is the scratch state of one batch system call: headers, one
// I/O vector and one socket address per message, all preallocated and
// linked once, so a call allocates nothing.
type mmsgVec struct {
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6
}

func newMmsgVec(size int) mmsgVec {
	v := mmsgVec{
		hdrs:  make([]mmsghdr, size),
		iovs:  make([]unix.Iovec, size),
		names: make([]unix.RawSockaddrInet6, size),
	}
	for i := range v.hdrs {
		h := &v.hdrs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&v.names[i]))
		h.Iov = &v.iovs[i]
		h.SetIovlen(1)
	}
	return v
}

// newBatchIO returns the recvmmsg reader and sendmmsg writer of conn, the
// UDP socket of s; the writer uses GSO if gso is set and the kernel has
// it, the reader GRO if gro is set and the kernel has it (groReader).
func newBatchIO(conn *net.UDPConn, s *socket, gso, gro bool, size int, st *counters) (reader, writer, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return nil, nil, err
	}
	r := &mmsgReader{rc: rc, v: newMmsgVec(size), st: st, ctrl: make([]byte, size*ctrlSpace), cspace: ctrlSpace}
	r.fn = r.recv
	w := newMmsgWriter(rc, s, gso && probeGSO(rc), size, st)
	if gro && enableGRO(rc) {
		return newGROReader(r, size, s.c), w, nil
	}
	return r, w, nil
}

// mmsgReader reads with recvmmsg(2). Only the socket's reader goroutine
// uses it.
type mmsgReader struct {
	rc   syscall.RawConn
	v    mmsgVec
	ctrl []byte // cspace bytes of control data per message (IP header fields)
	// cspace is the control data room of a message: ctrlSpace, and a
	// UDP_GRO control message's with GRO (groReader), whose segment
	// sizes go to segs.
	cspace int
	segs   []int
	st     *counters
	fn     func(fd uintptr) bool // r.recv, bound once so that Read does not allocate
	vlen   int
	got    int
	errno  syscall.Errno
	// Within a sticky read (stickyReader): inSticky is set, fd is the
	// socket's descriptor, drained that the last read returned fewer
	// datagrams than it had room for (the socket's queue was empty then),
	// blocked that it found none.
	inSticky, drained, blocked bool
	fd                         uintptr
}

// recv is the RawConn.Read callback: false asks the poller to wait.
func (r *mmsgReader) recv(fd uintptr) bool {
	for {
		n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.v.hdrs[0])),
			uintptr(r.vlen), 0, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		r.got, r.errno = int(n), e
		return true
	}
}

func (r *mmsgReader) read(ms []Message) (int, error) {
	v := &r.v
	r.vlen = min(len(ms), len(v.hdrs))
	for i := range r.vlen {
		b := ms[i].Buf
		v.iovs[i].Base = &b[0]
		v.iovs[i].SetLen(len(b))
		v.hdrs[i].hdr.Namelen = unix.SizeofSockaddrInet6
		// The kernel overwrites Controllen with the length it used.
		v.hdrs[i].hdr.Control = &r.ctrl[i*r.cspace]
		v.hdrs[i].hdr.SetControllen(r.cspace)
		v.hdrs[i].hdr.Flags = 0
		v.hdrs[i].n = 0
	}
	if r.inSticky {
		if !r.recv(r.fd) {
			r.blocked = true
			return 0, errWouldBlock
		}
		r.drained = r.errno == 0 && r.got < r.vlen
	} else if err := r.rc.Read(r.fn); err != nil {
		return 0, err
	}
	if r.errno != 0 {
		if r.errno == unix.ENOSYS {
			return 0, errNoBatch
		}
		return 0, os.NewSyscallError("recvmmsg", r.errno)
	}
	k := 0
	for i := range r.got {
		h := &v.hdrs[i]
		from, ok := decodeSockaddr(&v.names[i])
		if h.hdr.Flags&unix.MSG_TRUNC != 0 || !ok {
			r.st.truncated.Add(1)
			continue
		}
		ms[i].Data = ms[i].Buf[:h.n]
		ms[i].From, ms[i].PTB = from, 0
		// With MSG_CTRUNC the control messages that fit are whole, the
		// one cut short is not: parseIPInfo skips it.
		var dst netip.Addr
		oob := r.ctrl[i*r.cspace : i*r.cspace+min(int(h.hdr.Controllen), r.cspace)]
		ms[i].IP, dst = parseIPInfo(oob)
		ms[i].To = netip.AddrPortFrom(dst, 0)
		ms[i], ms[k] = ms[k], ms[i]
		if r.segs != nil {
			r.segs[k] = groSegment(oob)
		}
		k++
	}
	return k, nil
}

// sticky implements stickyReader.
func (r *mmsgReader) sticky(step func() bool) error { return r.stickyPending(step, nil) }

// stickyPending is sticky for a reader that may hold datagrams read
// before (groReader): while pending reports some, the steps go on
// without waiting.
//
// On an echo round trip the recvmmsg that only answers EAGAIN came
// between the reply going out and the goroutine that reads the next
// request running: a plain read makes one before each wait, as Go's
// poller requires of a new RawConn.Read, which forgets readiness seen
// before it.
func (r *mmsgReader) stickyPending(step func() bool, pending func() bool) error {
	return r.rc.Read(func(fd uintptr) bool {
		r.inSticky, r.fd = true, fd
		for {
			r.blocked, r.drained = false, false
			if step() {
				r.inSticky = false
				return true
			}
			if r.blocked || r.drained && (pending == nil || !pending()) {
				r.inSticky = false
				return false
			}
		}
	})
}

// UDP GSO limits: the kernel's UDP_MAX_SEGMENTS (64 before Linux 6.11)
// and a super-datagram that fits one IP packet, with room for headers.
const (
	maxGSOSegments = 64
	maxGSOBytes    = 65000
)

// mmsgWriter writes with sendmmsg(2), and with UDP GSO (UDP_SEGMENT) where
// the kernel has it: a run of consecutive messages to one destination
// from one source, all of one size but the last (which may be shorter),
// goes out as one super-datagram that the kernel splits, with one I/O
// vector per message and no copy. On a wildcard socket a message that
// names its source address carries it in an IP_PKTINFO or IPV6_PKTINFO
// control message (socket.sourced). The socket's wmu serialises it.
type mmsgWriter struct {
	rc     syscall.RawConn
	v      mmsgVec
	ctrl   []byte // room for a UDP_SEGMENT and a PKTINFO control message per header
	groups []int  // messages per header of the current call
	sock   *socket
	is4    bool
	gso    bool
	st     *counters
	fn     func(fd uintptr) bool // w.send, bound once so that Write does not allocate
	vlen   int
	got    int
	errno  syscall.Errno
}

// outCtrlSpace is the control data of one sendmmsg header: a UDP_SEGMENT
// control message, a PKTINFO one and an IP_TOS or IPV6_TCLASS one (the
// ECN field).
var outCtrlSpace = unix.CmsgSpace(2) + pktinfoSpace + ecnSpace

func newMmsgWriter(rc syscall.RawConn, s *socket, gso bool, size int, st *counters) *mmsgWriter {
	w := &mmsgWriter{
		rc: rc, v: newMmsgVec(size), sock: s, is4: s.is4, gso: gso, st: st,
		ctrl:   make([]byte, size*outCtrlSpace),
		groups: make([]int, size),
	}
	w.fn = w.send
	return w
}

// putSegment writes a UDP_SEGMENT control message for segments of seg
// bytes into c and returns its space.
func putSegment(c []byte, seg int) int {
	h := (*unix.Cmsghdr)(unsafe.Pointer(&c[0]))
	h.Level = unix.SOL_UDP
	h.Type = unix.UDP_SEGMENT
	h.SetLen(unix.CmsgLen(2))
	*(*uint16)(unsafe.Pointer(&c[unix.CmsgLen(0)])) = uint16(seg)
	return unix.CmsgSpace(2)
}

// probeGSO reports whether the kernel knows UDP_SEGMENT (Linux 4.18+).
func probeGSO(rc syscall.RawConn) bool {
	var err error
	cerr := rc.Control(func(fd uintptr) {
		_, err = unix.GetsockoptInt(int(fd), unix.IPPROTO_UDP, unix.UDP_SEGMENT)
	})
	return cerr == nil && err == nil
}

// send is the RawConn.Write callback: false asks the poller to wait.
func (w *mmsgWriter) send(fd uintptr) bool {
	for {
		n, _, e := unix.Syscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&w.v.hdrs[0])),
			uintptr(w.vlen), 0, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		w.got, w.errno = int(n), e
		return true
	}
}

// fill links the headers of one sendmmsg call to ms, grouping messages
// for GSO when gso is set, and returns the numbers of headers and
// messages used.
func (w *mmsgWriter) fill(ms []OutMessage, gso bool) (nhdr, nmsg int) {
	v := &w.v
	for nmsg < len(ms) && nhdr < len(v.hdrs) {
		to := dest(ms[nmsg].To, w.is4)
		var from netip.Addr
		if w.sock.sourced(ms[nmsg].From) {
			from = ms[nmsg].From.Unmap()
		}
		seg := len(ms[nmsg].Data)
		g, total := 1, seg
		for gso && seg > 0 && nmsg+g < len(ms) && g < maxGSOSegments {
			m := &ms[nmsg+g]
			l := len(m.Data)
			if l == 0 || l > seg || total+l > maxGSOBytes || dest(m.To, w.is4) != to || m.ECN != ms[nmsg].ECN ||
				from.IsValid() && m.From.Unmap() != from || !from.IsValid() && w.sock.sourced(m.From) {
				break
			}
			total += l
			g++
			if l < seg {
				break // a shorter segment ends the run
			}
		}
		for k := range g {
			iov := &v.iovs[nmsg+k]
			iov.Base = nil
			if d := ms[nmsg+k].Data; len(d) > 0 {
				iov.Base = &d[0]
			}
			iov.SetLen(len(ms[nmsg+k].Data))
		}
		h := &v.hdrs[nhdr]
		h.hdr.Iov = &v.iovs[nmsg]
		h.hdr.SetIovlen(g)
		h.hdr.Namelen = encodeSockaddr(&v.names[nhdr], to)
		h.hdr.Control = nil
		h.hdr.SetControllen(0)
		c := w.ctrl[nhdr*outCtrlSpace : (nhdr+1)*outCtrlSpace]
		n := 0
		if g > 1 {
			n += putSegment(c, seg)
		}
		if from.IsValid() {
			n += putPktinfo(c[n:], from)
		}
		if e := ms[nmsg].ECN; e != 0 {
			n += putTOS(c[n:], w.is4, w.sock.c.tosFor(w.is4, e))
		}
		if n > 0 {
			h.hdr.Control = &c[0]
			h.hdr.SetControllen(n)
		}
		h.n = 0
		w.groups[nhdr] = g
		nhdr++
		nmsg += g
	}
	return nhdr, nmsg
}

func (w *mmsgWriter) write(ms []OutMessage) (int, error) {
	sent := 0
	plain := false // retry one failed GSO group without GSO
	for sent < len(ms) {
		nhdr, nmsg := w.fill(ms[sent:], w.gso && !plain)
		w.vlen = nhdr
		err := w.rc.Write(w.fn)
		for i := range nmsg {
			w.v.iovs[i].Base = nil // do not retain the caller's data
		}
		if err != nil {
			return sent, err
		}
		if e := w.errno; e != 0 {
			if e == unix.ENOSYS {
				return sent, errNoBatch
			}
			if w.groups[0] > 1 && (e == unix.EIO || e == unix.EINVAL || e == unix.EMSGSIZE) {
				// EIO: no segmentation offload on this path, as quic-go's
				// isGSOError reads it; EINVAL, EMSGSIZE: this group's
				// segment exceeds the path MTU. Send it without GSO.
				w.gso = w.gso && e != unix.EIO
				plain = true
				if e == unix.EMSGSIZE && w.sock.c.ptb.Load() {
					w.sock.drainPTB() // the pending error of a Packet Too Big, perhaps
				}
				continue
			}
			return sent, os.NewSyscallError("sendmmsg", e)
		}
		if w.got <= 0 {
			return sent, io.ErrNoProgress
		}
		plain = false
		n := 0
		for _, g := range w.groups[:w.got] {
			n += g
			if g > 1 {
				w.st.gsoSends.Add(1)
			}
		}
		w.st.writeCall(n)
		sent += n
	}
	return sent, nil
}

// decodeSockaddr converts a kernel socket address to a netip.AddrPort
// without allocating (except for the zone of a scoped IPv6 address).
func decodeSockaddr(sa *unix.RawSockaddrInet6) (netip.AddrPort, bool) {
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		p := (*[2]byte)(unsafe.Pointer(&sa4.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), uint16(p[0])<<8|uint16(p[1])), true
	case unix.AF_INET6:
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		a := netip.AddrFrom16(sa.Addr)
		if a.Is4In6() {
			a = a.Unmap()
		} else if sa.Scope_id != 0 {
			a = a.WithZone(strconv.FormatUint(uint64(sa.Scope_id), 10))
		}
		return netip.AddrPortFrom(a, uint16(p[0])<<8|uint16(p[1])), true
	}
	return netip.AddrPort{}, false
}

// encodeSockaddr writes to into sa as sockaddr_in (IPv4) or sockaddr_in6
// (IPv6, IPv4-mapped for an IPv4 destination on an IPv6 socket) and
// returns its length.
func encodeSockaddr(sa *unix.RawSockaddrInet6, to netip.AddrPort) uint32 {
	a := to.Addr()
	port := to.Port()
	if a.Is4() {
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		*sa4 = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.As4()}
		p := (*[2]byte)(unsafe.Pointer(&sa4.Port))
		p[0], p[1] = byte(port>>8), byte(port)
		return unix.SizeofSockaddrInet4
	}
	*sa = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: a.As16(), Scope_id: zoneIndex(a.Zone())}
	p := (*[2]byte)(unsafe.Pointer(&sa.Port))
	p[0], p[1] = byte(port>>8), byte(port)
	return unix.SizeofSockaddrInet6
}

// zoneIndex returns the interface index of an IPv6 zone, numeric or named.
func zoneIndex(zone string) uint32 {
	if zone == "" {
		return 0
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n)
	}
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index)
	}
	return 0
}

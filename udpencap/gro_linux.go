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
// being split into datagrams and queued one by one. The receive buffers
// of the pool are the datagrams the Conn hands out, one SCTP packet
// each; the groReader reads into buffers of its own, as large as a
// super-datagram can be, and copies each segment into a pooled buffer.

// groScratch is how many super-datagrams a groReader reads per system
// call, each into a buffer of maxGRODatagram bytes.
const (
	groScratch     = 16
	maxGRODatagram = 1 << 16
)

// enableGRO sets UDP_GRO on the socket and reports whether the kernel
// took it.
func enableGRO(rc syscall.RawConn) bool {
	var err error
	cerr := rc.Control(func(fd uintptr) {
		err = unix.SetsockoptInt(int(fd), unix.SOL_UDP, unix.UDP_GRO, 1)
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
// groReader.
type groDatagram struct {
	data     []byte
	seg      int // its segments' size; 0: one segment
	from, to netip.AddrPort
	ip       IPInfo
}

// groReader is an mmsgReader on a socket with UDP_GRO: it reads into
// scratch buffers and hands out the segments of each datagram, in order,
// one message each, copied into the messages' pooled buffers; what does
// not fit in one read waits for the next, which makes no system call
// until it is all handed out.
type groReader struct {
	r    *mmsgReader
	in   []Message // the scratch buffers (Buf), for r
	pend []groDatagram
	head int // the next of pend to hand out
}

func newGROReader(r *mmsgReader, size int) *groReader {
	n := min(size, groScratch)
	r.cspace = ctrlSpace + unix.CmsgSpace(4)
	r.ctrl = make([]byte, n*r.cspace)
	r.segs = make([]int, n)
	g := &groReader{r: r, in: make([]Message, n), pend: make([]groDatagram, 0, n)}
	for i := range g.in {
		g.in[i].Buf = make([]byte, maxGRODatagram)
	}
	return g
}

func (g *groReader) read(ms []Message) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	if g.head == len(g.pend) {
		g.pend, g.head = g.pend[:0], 0
		n, err := g.r.read(g.in)
		if err != nil {
			return 0, err
		}
		for i := range n {
			m := &g.in[i]
			seg := g.r.segs[i]
			if seg > 0 && seg < len(m.Data) {
				g.r.st.groReceives.Add(1)
			} else {
				seg = 0
			}
			g.pend = append(g.pend, groDatagram{data: m.Data, seg: seg, from: m.From, to: m.To, ip: m.IP})
		}
	}
	k := 0
	for k < len(ms) && g.head < len(g.pend) {
		d := &g.pend[g.head]
		n := len(d.data)
		if d.seg > 0 {
			n = min(n, d.seg)
		}
		seg := d.data[:n]
		d.data = d.data[n:]
		if d.seg == 0 || len(d.data) == 0 {
			g.head++
		}
		m := &ms[k]
		if n > len(m.Buf) {
			g.r.st.truncated.Add(1) // longer than the pool's buffers
			continue
		}
		m.Data = m.Buf[:copy(m.Buf, seg)]
		m.From, m.To, m.IP = d.from, d.to, d.ip
		k++
	}
	return k, nil
}

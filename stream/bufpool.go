package stream

import "math/bits"

// Buffer size classes of bufPool: powers of two from 64 bytes to 4 MiB.
const (
	minClassShift = 6
	maxClassShift = 22
	numClasses    = maxClassShift - minClassShift + 1
)

// DefaultPoolLimit is the default number of bytes of free buffers a
// Reassembly keeps for reuse (see SetPoolLimit).
const DefaultPoolLimit = 256 << 10

// bufPool recycles byte buffers whose capacity is a power of two, bounded
// by a total number of retained bytes. It belongs to one Reassembly: no
// global state, no locks. Its free lists are allocated when the first
// buffer is put back: a Reassembly that never delivered a message (an idle
// association) does not pay for them.
type bufPool struct {
	free     *[numClasses][][]byte
	retained int
	limit    int
}

// classOf returns the size class holding n bytes, or -1 if n is larger
// than the largest class.
func classOf(n int) int {
	if n <= 1<<minClassShift {
		return 0
	}
	k := bits.Len(uint(n - 1))
	if k > maxClassShift {
		return -1
	}
	return k - minClassShift
}

// get returns an empty buffer with room for at least n bytes.
func (p *bufPool) get(n int) []byte {
	c := classOf(n)
	if c < 0 {
		return make([]byte, 0, n)
	}
	if p.free == nil {
		return make([]byte, 0, 1<<(c+minClassShift))
	}
	if l := len(p.free[c]); l > 0 {
		b := p.free[c][l-1]
		p.free[c][l-1] = nil
		p.free[c] = p.free[c][:l-1]
		p.retained -= cap(b)
		return b[:0]
	}
	return make([]byte, 0, 1<<(c+minClassShift))
}

// put keeps b for reuse if its capacity is one of the size classes and the
// limit allows; otherwise it leaves b to the garbage collector.
func (p *bufPool) put(b []byte) {
	n := cap(b)
	if n < 1<<minClassShift || n&(n-1) != 0 || p.retained+n > p.limit {
		return
	}
	c := classOf(n)
	if c < 0 {
		return
	}
	if p.free == nil {
		p.free = new([numClasses][][]byte)
	}
	p.free[c] = append(p.free[c], b[:0])
	p.retained += n
}

// trim drops free buffers until at most limit bytes are retained, largest
// classes first.
func (p *bufPool) trim() {
	if p.free == nil {
		return
	}
	for c := numClasses - 1; c >= 0 && p.retained > p.limit; c-- {
		for len(p.free[c]) > 0 && p.retained > p.limit {
			l := len(p.free[c])
			p.retained -= cap(p.free[c][l-1])
			p.free[c][l-1] = nil
			p.free[c] = p.free[c][:l-1]
		}
	}
}

// grow returns b with room for extra more bytes, moving its contents to a
// larger buffer from the pool when needed (at least doubling, so appending
// a message fragment by fragment copies each byte O(1) times).
func (p *bufPool) grow(b []byte, extra int) []byte {
	need := len(b) + extra
	if need <= cap(b) {
		return b
	}
	nb := p.get(max(need, 2*cap(b)))
	nb = append(nb, b...)
	p.put(b)
	return nb
}

package stream

import "math/bits"

// Buffer size classes of BufPool: powers of two from 64 bytes to 4 MiB.
const (
	minClassShift = 6
	maxClassShift = 22
	numClasses    = maxClassShift - minClassShift + 1
)

// DefaultPoolLimit is the default number of bytes of free buffers a
// BufPool keeps for reuse (see SetLimit).
const DefaultPoolLimit = 1 << 20

// BufPool recycles the byte buffers that hold user messages: the
// messages an association sends, from Send until the peer acknowledges
// them, and the messages Reassembly receives, until the user hands them
// back with Release. Buffers have a capacity that is a power of two from
// 64 bytes to 4 MiB (larger ones are made and left to the garbage
// collector), and the pool keeps at most Limit bytes of free buffers.
//
// A BufPool has no global state and no locks: it may be shared by the
// associations of one endpoint, which the endpoint's caller serialises
// anyway, so that an idle association costs nothing in free buffers and
// the bound holds per endpoint rather than per association. Its free
// lists are allocated when the first buffer is put back: a pool that
// never got a buffer back costs its struct only.
//
// BufPool is not safe for concurrent use; the caller serialises.
type BufPool struct {
	free     *[numClasses][][]byte
	retained int
	limit    int
}

// NewBufPool returns an empty pool that keeps at most limit bytes of free
// buffers.
func NewBufPool(limit int) *BufPool {
	return &BufPool{limit: max(limit, 0)}
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

// Get returns an empty buffer with room for at least n bytes.
func (p *BufPool) Get(n int) []byte {
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

// Copy returns a buffer of the pool holding a copy of data.
func (p *BufPool) Copy(data []byte) []byte {
	return append(p.Get(len(data)), data...)
}

// Put keeps b for reuse if its capacity is one of the size classes and
// the limit allows; otherwise it leaves b to the garbage collector. The
// caller must not use b afterwards.
func (p *BufPool) Put(b []byte) {
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

// Retained returns the bytes of free buffers kept.
func (p *BufPool) Retained() int { return p.retained }

// Limit returns the most bytes of free buffers kept.
func (p *BufPool) Limit() int { return p.limit }

// SetLimit sets the most bytes of free buffers kept, dropping free
// buffers beyond it; 0 disables the pool.
func (p *BufPool) SetLimit(n int) {
	p.limit = max(n, 0)
	p.trim(p.limit)
}

// Drain drops every free buffer, and the free lists themselves, for when
// the pool's users went idle: the limit stays.
func (p *BufPool) Drain() {
	p.trim(0)
	p.free = nil
}

// trim drops free buffers until at most n bytes are retained, largest
// classes first.
func (p *BufPool) trim(n int) {
	if p.free == nil {
		return
	}
	for c := numClasses - 1; c >= 0 && p.retained > n; c-- {
		for len(p.free[c]) > 0 && p.retained > n {
			l := len(p.free[c])
			p.retained -= cap(p.free[c][l-1])
			p.free[c][l-1] = nil
			p.free[c] = p.free[c][:l-1]
		}
	}
}

// Append appends data to b, a buffer of the pool, moving b to a larger
// buffer of the pool when it has no room (see grow).
func (p *BufPool) Append(b, data []byte) []byte {
	return append(p.grow(b, len(data)), data...)
}

// grow returns b with room for extra more bytes, moving its contents to a
// larger buffer from the pool when needed (at least doubling, so appending
// a message fragment by fragment copies each byte O(1) times).
func (p *BufPool) grow(b []byte, extra int) []byte {
	need := len(b) + extra
	if need <= cap(b) {
		return b
	}
	nb := p.Get(max(need, 2*cap(b)))
	nb = append(nb, b...)
	p.Put(b)
	return nb
}

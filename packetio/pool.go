package packetio

import "sync"

// Pool is a bounded free list of receive buffers, all of one size, for
// transports to read packets into and take back with ReleaseBatch. It
// does not allocate in steady state: unlike a sync.Pool, putting a []byte
// back needs no interface conversion. Buffers beyond the bound, and
// buffers of another capacity, are left to the garbage collector. Safe
// for concurrent use.
type Pool struct {
	mu   sync.Mutex // guards free
	free [][]byte
	size int
	max  int
}

// NewPool returns a pool of buffers of size bytes that keeps at most max
// free buffers.
func NewPool(size, max int) *Pool {
	return &Pool{size: size, max: max, free: make([][]byte, 0, max)}
}

// Grow raises the number of free buffers the pool keeps by n: for a
// transport that starts reading from another socket.
func (p *Pool) Grow(n int) {
	p.mu.Lock()
	p.max += n
	p.mu.Unlock()
}

// Size returns the length of the pool's buffers.
func (p *Pool) Size() int { return p.size }

// Get returns a buffer of len Size.
func (p *Pool) Get() []byte {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return make([]byte, p.size)
}

// Fill gives a buffer to every message of ms that has none.
func (p *Pool) Fill(ms []Message) {
	p.mu.Lock()
	for i := range ms {
		if ms[i].Buf != nil {
			continue
		}
		n := len(p.free)
		if n == 0 {
			break
		}
		ms[i].Buf = p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
	}
	p.mu.Unlock()
	for i := range ms {
		if ms[i].Buf == nil {
			ms[i].Buf = make([]byte, p.size)
		}
	}
}

// Put returns b to the pool.
func (p *Pool) Put(b []byte) {
	if cap(b) != p.size {
		return
	}
	p.mu.Lock()
	if len(p.free) < p.max {
		p.free = append(p.free, b[:p.size])
	}
	p.mu.Unlock()
}

// ReleaseBatch returns the buffers of ms to the pool and clears their
// Buf and Data.
func (p *Pool) ReleaseBatch(ms []Message) {
	p.mu.Lock()
	for i := range ms {
		b := ms[i].Buf
		ms[i].Buf, ms[i].Data = nil, nil
		if cap(b) == p.size && len(p.free) < p.max {
			p.free = append(p.free, b[:p.size])
		}
	}
	p.mu.Unlock()
}

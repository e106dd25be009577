package packetio

import "sync"

// Pool is a bounded free list of receive buffers, all of one size, for
// transports to read packets into and take back with ReleaseBatch. It
// does not allocate in steady state: unlike a sync.Pool, putting a []byte
// back needs no interface conversion. It keeps max free buffers, or, when
// more were out at once (read into and held by the transport's reader
// and its consumer, a stack that queues batches while its shards are
// busy, say), as many as were out at most: a burst as large as one seen
// before then takes no new buffer, where a fixed bound below it would
// have the garbage collector take the buffers after each burst and the
// next one allocate them again. Buffers beyond the bound, and buffers of
// another capacity, are left to the garbage collector. Safe for
// concurrent use.
type Pool struct {
	mu   sync.Mutex // guards the fields below
	free [][]byte
	size int
	max  int
	out  int // buffers handed out and not given back
	peak int // the most buffers out at once
}

// NewPool returns a pool of buffers of size bytes that keeps at least max
// free buffers (see Pool).
func NewPool(size, max int) *Pool {
	return &Pool{size: size, max: max, free: make([][]byte, 0, max)}
}

// lent counts n buffers handed out; the caller holds mu.
func (p *Pool) lent(n int) {
	p.out += n
	p.peak = max(p.peak, p.out)
}

// keep counts b as given back and keeps it if it fits the bound (see
// Pool); the caller holds mu.
func (p *Pool) keep(b []byte) {
	if b == nil {
		return
	}
	p.out = max(p.out-1, 0)
	if cap(b) == p.size && (len(p.free) < p.max || len(p.free)+p.out < p.peak) {
		p.free = append(p.free, b[:p.size])
	}
}

// Grow raises the number of free buffers the pool keeps by n: for a
// transport that starts reading from another socket. A negative n lowers
// it (not below 0), for one that stops, and lets the garbage collector
// take the free buffers beyond the new bound.
func (p *Pool) Grow(n int) {
	p.mu.Lock()
	p.max = max(p.max+n, 0)
	if k := len(p.free); k > p.max {
		clear(p.free[p.max:])
		p.free = p.free[:p.max]
	}
	p.mu.Unlock()
}

// Size returns the length of the pool's buffers.
func (p *Pool) Size() int { return p.size }

// Get returns a buffer of len Size.
func (p *Pool) Get() []byte {
	p.mu.Lock()
	p.lent(1)
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
		p.lent(1)
		if n := len(p.free); n > 0 {
			ms[i].Buf = p.free[n-1]
			p.free[n-1] = nil
			p.free = p.free[:n-1]
		}
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
	p.mu.Lock()
	p.keep(b)
	p.mu.Unlock()
}

// ReleaseBatch returns the buffers of ms to the pool and clears their
// Buf and Data.
func (p *Pool) ReleaseBatch(ms []Message) {
	p.mu.Lock()
	for i := range ms {
		p.keep(ms[i].Buf)
		ms[i].Buf, ms[i].Data = nil, nil
	}
	p.mu.Unlock()
}

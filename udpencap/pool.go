package udpencap

import "sync"

// bufPool is a bounded free list of receive buffers, all of one size. It
// does not allocate in steady state: unlike a sync.Pool, putting a []byte
// back needs no interface conversion. Buffers beyond max, and buffers of
// another capacity, are left to the garbage collector. Safe for concurrent
// use.
type bufPool struct {
	mu   sync.Mutex // guards free
	free [][]byte
	size int
	max  int
}

func newBufPool(size, max int) *bufPool {
	return &bufPool{size: size, max: max, free: make([][]byte, 0, max)}
}

// get returns a buffer of len size.
func (p *bufPool) get() []byte {
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

// fill gives a buffer to every message of ms that has none.
func (p *bufPool) fill(ms []Message) {
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

// put returns b to the pool.
func (p *bufPool) put(b []byte) {
	if cap(b) != p.size {
		return
	}
	p.mu.Lock()
	if len(p.free) < p.max {
		p.free = append(p.free, b[:p.size])
	}
	p.mu.Unlock()
}

// putMessages returns the buffers of ms and clears their Buf and Data.
func (p *bufPool) putMessages(ms []Message) {
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

package stream

import "github.com/gensctp/gensctp/chunk"

// table maps a stream identifier to per-stream state, allocated on first use.
// It is a two-level array (256 pages of 256 entries), so a lookup costs two
// index operations, iteration runs in stream-identifier order (which keeps
// every output deterministic), and an association that negotiated 65535
// streams but uses three pays for one page.
type table[T any] struct {
	pages [256]*[256]*T
}

// get returns the state of stream id, or nil if it has none.
func (t *table[T]) get(id chunk.StreamID) *T {
	p := t.pages[id>>8]
	if p == nil {
		return nil
	}
	return p[id&0xff]
}

// getOrCreate returns the state of stream id, creating a zero one if
// needed, and whether it did.
func (t *table[T]) getOrCreate(id chunk.StreamID) (*T, bool) {
	p := t.pages[id>>8]
	if p == nil {
		p = new([256]*T)
		t.pages[id>>8] = p
	}
	v := p[id&0xff]
	if v != nil {
		return v, false
	}
	v = new(T)
	p[id&0xff] = v
	return v, true
}

// remove forgets the state of stream id.
func (t *table[T]) remove(id chunk.StreamID) {
	if p := t.pages[id>>8]; p != nil {
		p[id&0xff] = nil
	}
}

// each calls f for every stream with state, in increasing identifier order,
// starting at first.
func (t *table[T]) each(first int, f func(chunk.StreamID, *T)) {
	if first < 0 {
		first = 0
	}
	for hi := first >> 8; hi < len(t.pages); hi++ {
		p := t.pages[hi]
		if p == nil {
			continue
		}
		for lo := range p {
			id := hi<<8 | lo
			if id >= first && p[lo] != nil {
				f(chunk.StreamID(id), p[lo])
			}
		}
	}
}

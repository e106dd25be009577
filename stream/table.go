package stream

import "github.com/gensctp/gensctp/chunk"

// table maps a stream identifier to per-stream state, allocated on first use.
// It is a two-level array (up to 256 pages of 256 entries), so a lookup
// costs two index operations, iteration runs in stream-identifier order
// (which keeps every output deterministic), and an association that
// negotiated 65535 streams but uses three pays for one page. The directory
// of pages grows to the highest page used, so an association of a few
// streams does not carry a directory for 65535. A page whose last entry is
// removed is freed, except for one spare kept for reuse, so a table whose
// entries come and go costs what its present entries need and allocates
// no page in steady state.
type table[T any] struct {
	pages []*[256]*T
	used  []uint16 // entries in each page
	n     int      // entries in all pages
	spare *[256]*T // an empty page kept for reuse
}

// get returns the state of stream id, or nil if it has none.
func (t *table[T]) get(id chunk.StreamID) *T {
	hi := int(id >> 8)
	if hi >= len(t.pages) {
		return nil
	}
	p := t.pages[hi]
	if p == nil {
		return nil
	}
	return p[id&0xff]
}

// getOrCreate returns the state of stream id, creating a zero one if
// needed, and whether it did.
func (t *table[T]) getOrCreate(id chunk.StreamID) (*T, bool) {
	if v := t.get(id); v != nil {
		return v, false
	}
	v := new(T)
	t.put(id, v)
	return v, true
}

// put sets the state of stream id, which has none, to v.
func (t *table[T]) put(id chunk.StreamID, v *T) {
	for int(id>>8) >= len(t.pages) {
		t.pages, t.used = append(t.pages, nil), append(t.used, 0)
	}
	p := t.pages[id>>8]
	if p == nil {
		p, t.spare = t.spare, nil
		if p == nil {
			p = new([256]*T)
		}
		t.pages[id>>8] = p
	}
	p[id&0xff] = v
	t.used[id>>8]++
	t.n++
}

// remove forgets the state of stream id.
func (t *table[T]) remove(id chunk.StreamID) {
	hi := int(id >> 8)
	if hi >= len(t.pages) {
		return
	}
	p := t.pages[hi]
	if p == nil || p[id&0xff] == nil {
		return
	}
	p[id&0xff] = nil
	t.used[hi]--
	t.n--
	if t.used[hi] == 0 {
		t.pages[hi] = nil
		if t.spare == nil {
			t.spare = p
		}
	}
}

// len returns the number of streams with state.
func (t *table[T]) len() int { return t.n }

// each calls f for every stream with state, in increasing identifier order,
// starting at first. f may remove the entry it is given, and must not add
// any.
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

// ssnTable holds a stream sequence number per stream identifier, zero
// unless set: the next SSN of each inbound stream, whether or not the
// stream has other state, and whether it was set at all since the stream
// began or was reset, which a next SSN of 0 does not tell: that of a
// stream never used, or of one whose sequence wrapped after 65535. It is
// paged like table, with pages of 256 SSNs and 256 bits (544 bytes)
// allocated when an SSN is first set in them, so all 65535 streams cost at
// most 136 KiB, and streams never used cost nothing; the directory grows
// to the highest page used.
type ssnTable struct {
	pages []*ssnPage
}

// ssnPage holds the SSNs of 256 streams and, a bit each, whether they
// were set.
type ssnPage struct {
	ssn [256]chunk.SSN
	set [4]uint64
}

// get returns the SSN of stream id.
func (t *ssnTable) get(id chunk.StreamID) chunk.SSN {
	if hi := int(id >> 8); hi < len(t.pages) && t.pages[hi] != nil {
		return t.pages[hi].ssn[id&0xff]
	}
	return 0
}

// stale reports whether ssn is before the next SSN of stream id, which
// was set (a message delivered or skipped): with nothing delivered
// nothing is known to be stale.
func (t *ssnTable) stale(id chunk.StreamID, ssn chunk.SSN) bool {
	hi := int(id >> 8)
	if hi >= len(t.pages) || t.pages[hi] == nil {
		return false
	}
	p, lo := t.pages[hi], id&0xff
	return p.set[lo/64]&(1<<(lo%64)) != 0 && ssn.LT(p.ssn[lo])
}

// set sets the SSN of stream id to v.
func (t *ssnTable) set(id chunk.StreamID, v chunk.SSN) {
	hi := int(id >> 8)
	if hi >= len(t.pages) {
		t.pages = append(t.pages, make([]*ssnPage, hi+1-len(t.pages))...)
	}
	p := t.pages[hi]
	if p == nil {
		p = new(ssnPage)
		t.pages[hi] = p
	}
	lo := id & 0xff
	p.ssn[lo] = v
	p.set[lo/64] |= 1 << (lo % 64)
}

// clear returns stream id to 0, not set, as a stream never used.
func (t *ssnTable) clear(id chunk.StreamID) {
	if hi := int(id >> 8); hi < len(t.pages) && t.pages[hi] != nil {
		lo := id & 0xff
		t.pages[hi].ssn[lo] = 0
		t.pages[hi].set[lo/64] &^= 1 << (lo % 64)
	}
}

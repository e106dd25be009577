package association

import (
	"github.com/gensctp/gensctp/chunk"
	"github.com/gensctp/gensctp/stream"
	"github.com/gensctp/gensctp/timer"
)

// txChunk is a DATA chunk that was sent and is not yet cumulatively
// acknowledged: the retransmission queue entry of RFC 9260 Section 6.
type txChunk struct {
	tsn      chunk.TSN
	frag     stream.Fragment
	path     *path      // where it was last sent
	sentAt   timer.Time // last transmission
	sends    uint16     // transmissions so far
	misses   uint8      // miss indications (RFC 9260 Section 7.2.4)
	acked    bool       // acknowledged by a Gap Ack Block
	marked   bool       // marked for retransmission
	inFlight bool       // counted in its path's flight size
	fastRtx  bool       // fast retransmitted: not eligible again
	fastDue  bool       // marked by Fast Retransmit and not yet resent
	// abandoned: its message was abandoned (PR-SCTP, abandonSent); it
	// is no longer outstanding and is never sent again.
	abandoned bool
	// counted: its bytes went to its path's congestion window once
	// (newlyAcked); an acknowledgement after a renege does not count them
	// again.
	counted bool
}

// outstanding is the retransmission queue: the TSNs from the Cumulative
// TSN Ack Point + 1 to the last TSN sent, in a ring buffer indexed by TSN.
type outstanding struct {
	buf    []txChunk
	head   int       // index of base in buf
	n      int       // entries
	base   chunk.TSN // TSN of the first entry
	probe  chunk.TSN // an entry that asked for an immediate SACK, for Nagle (nagle.go)
	bytes  int       // user data bytes not yet acknowledged (cum or gap)
	marked int       // entries marked for retransmission
	// gapAcked is the number of entries acknowledged by Gap Ack Blocks.
	gapAcked int
	// visits counts the entries read through at and index: the work of
	// the walks over the queue, which the hostile tests bound per SACK.
	visits uint64
}

// reset empties the queue; the next TSN pushed is next.
func (o *outstanding) reset(next chunk.TSN) {
	clear(o.buf)
	o.head, o.n, o.base, o.bytes, o.marked, o.gapAcked = 0, 0, next, 0, 0, 0
}

// len returns the number of entries.
func (o *outstanding) len() int { return o.n }

// at returns the entry for tsn, or nil if tsn is not in the queue.
func (o *outstanding) at(tsn chunk.TSN) *txChunk {
	i := int(tsn.Sub(o.base))
	o.visits++
	if i < 0 || i >= o.n || tsn.LT(o.base) {
		return nil
	}
	return &o.buf[(o.head+i)&(len(o.buf)-1)]
}

// index returns the i-th entry (0 is base). The buffer length is a power
// of two.
func (o *outstanding) index(i int) *txChunk {
	o.visits++
	return &o.buf[(o.head+i)&(len(o.buf)-1)]
}

// push appends an entry for TSN base+n.
func (o *outstanding) push(c txChunk) {
	if o.n == len(o.buf) {
		nb := make([]txChunk, max(16, 2*len(o.buf)))
		for i := 0; i < o.n; i++ {
			nb[i] = *o.index(i)
		}
		o.buf, o.head = nb, 0
	}
	o.buf[(o.head+o.n)&(len(o.buf)-1)] = c
	o.n++
	o.bytes += len(c.frag.Data)
}

// popFront removes the first entry and returns a copy of it.
func (o *outstanding) popFront() txChunk {
	e := &o.buf[o.head]
	c := *e
	*e = txChunk{}
	o.head = (o.head + 1) & (len(o.buf) - 1)
	o.n--
	o.base++
	return c
}

// last returns the TSN of the last entry; base-1 when empty.
func (o *outstanding) last() chunk.TSN { return o.base + chunk.TSN(o.n) - 1 }
